/**
 * The smoke test's checks: plain HTTP against a deployed (or local) API, given its base URL and a
 * bearer token. Independent of AWS so that the same checks run against the local stack in tests.
 *
 * Steps, in order: pricing (public, 200 with models), balance (200 for the token), generation
 * (202, then polled until succeeded/failed within a bound; a failed one must show its refund and the
 * balance restored), webhook (a bad Stripe signature is refused with 400 invalid_signature).
 */
import { randomUUID } from 'node:crypto';

export type StepName = 'pricing' | 'balance' | 'generation' | 'webhook';

export interface StepResult {
  readonly step: StepName;
  readonly ok: boolean;
  readonly ms: number;
  /** What was seen (statuses, ids), or why the step failed. */
  readonly detail: string;
}

export interface SmokeOptions {
  readonly baseUrl: string;
  readonly token: string;
  /** How long a generation may take to finish. @default 120 s */
  readonly generationTimeoutMs?: number;
  /** @default 1 s */
  readonly pollIntervalMs?: number;
  /** One line per finished step. @default nothing */
  readonly log?: (line: string) => void;
  readonly fetch?: typeof fetch;
}

export interface SmokeReport {
  readonly ok: boolean;
  readonly steps: readonly StepResult[];
  /** The steps that failed, in order. */
  readonly failedSteps: readonly StepName[];
}

class StepFailure extends Error {}

interface Json {
  readonly status: number;
  // The API's JSON, read field by field below.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

interface Model {
  readonly id: string;
  readonly credits: number;
}

function fail(message: string): never {
  throw new StepFailure(message);
}

function expectStatus(what: string, response: Json, expected: number): void {
  if (response.status !== expected) fail(`${what}: expected ${expected}, got ${response.status} ${JSON.stringify(response.body)?.slice(0, 300)}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runSmokeChecks(options: SmokeOptions): Promise<SmokeReport> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const generationTimeoutMs = options.generationTimeoutMs ?? 120_000;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const log = options.log ?? (() => undefined);
  const auth = { authorization: `Bearer ${options.token}` };

  async function call(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Json> {
    const response = await doFetch(`${base}${path}`, { method, headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text for the message
    }
    return { status: response.status, body };
  }

  async function available(): Promise<number> {
    const balance = await call('GET', '/v1/balance', { headers: auth });
    expectStatus('GET /v1/balance', balance, 200);
    if (typeof balance.body?.available !== 'number') fail(`GET /v1/balance: no numeric "available" in ${JSON.stringify(balance.body)}`);
    return balance.body.available as number;
  }

  let models: Model[] = [];
  const steps: Array<{ step: StepName; run: () => Promise<string> }> = [
    {
      step: 'pricing',
      run: async () => {
        const pricing = await call('GET', '/v1/pricing');
        expectStatus('GET /v1/pricing', pricing, 200);
        const list: unknown = pricing.body?.models;
        if (!Array.isArray(list) || list.length === 0) fail(`GET /v1/pricing: no models in ${JSON.stringify(pricing.body)?.slice(0, 300)}`);
        models = (list as Model[]).filter((m) => typeof m?.id === 'string' && typeof m?.credits === 'number');
        if (models.length === 0) fail('GET /v1/pricing: no model has an id and a price in credits');
        return `GET /v1/pricing 200, ${models.length} models`;
      },
    },
    {
      step: 'balance',
      run: async () => `GET /v1/balance 200, available ${await available()}`,
    },
    {
      step: 'generation',
      run: async () => {
        const before = await available();
        const model = [...models].sort((a, b) => a.credits - b.credits)[0];
        if (!model) fail('no model to generate with: the pricing step failed');
        if (before < model.credits) fail(`the test user has ${before} credits, ${model.id} costs ${model.credits}: top the test user up`);
        const created = await call('POST', '/v1/generations', {
          headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `smoke-${randomUUID()}` },
          body: JSON.stringify({ model: model.id, count: 1, params: { prompt: 'Smoke test: a yellow banana on a plain background' } }),
        });
        expectStatus('POST /v1/generations', created, 202);
        const id: unknown = created.body?.id;
        if (typeof id !== 'string') fail(`POST /v1/generations: no id in ${JSON.stringify(created.body)}`);
        const deadline = Date.now() + generationTimeoutMs;
        let job: Json = created;
        let polls = 0;
        while (job.body?.status !== 'succeeded' && job.body?.status !== 'failed' && job.body?.status !== 'cancelled') {
          if (Date.now() >= deadline) fail(`generation ${id} still ${job.body?.status ?? 'unknown'} after ${generationTimeoutMs} ms (${polls} polls)`);
          await sleep(pollIntervalMs);
          job = await call('GET', `/v1/generations/${encodeURIComponent(id)}`, { headers: auth });
          polls += 1;
          expectStatus(`GET /v1/generations/${id}`, job, 200);
        }
        if (job.body.status === 'succeeded') {
          // The output's presigned link must open: the bucket, the object and the signing function's grant all work.
          const url: unknown = job.body.outputs?.[0]?.url;
          if (typeof url !== 'string') fail(`generation ${id} succeeded without an output link: ${JSON.stringify(job.body.outputs)}`);
          const output = await fetch(url);
          if (!output.ok) fail(`generation ${id}'s output link answered ${output.status}`);
          const bytes = (await output.arrayBuffer()).byteLength;
          return `POST /v1/generations 202 (${model.id}, ${model.credits} credits), ${id} succeeded after ${polls} polls; its output opens (${bytes} bytes)`;
        }
        const refunded: unknown = job.body.refund?.credits;
        if (refunded !== job.body.credits) fail(`generation ${id} failed (${JSON.stringify(job.body.error)}) without a refund of its ${job.body.credits} credits: ${JSON.stringify(job.body.refund)}`);
        const after = await available();
        if (after !== before) fail(`generation ${id} failed and shows a refund, but the balance is ${after}, not ${before} as before it`);
        return `POST /v1/generations 202 (${model.id}), ${id} failed (${job.body.error?.code ?? 'no code'}) and was refunded: balance back to ${after}`;
      },
    },
    {
      step: 'webhook',
      run: async () => {
        const body = JSON.stringify({ id: `evt_smoke_${randomUUID()}`, object: 'event', type: 'payment_intent.succeeded', data: { object: {} } });
        const bad = `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`;
        const response = await call('POST', '/v1/webhooks/stripe', { headers: { 'content-type': 'application/json', 'stripe-signature': bad }, body });
        expectStatus('POST /v1/webhooks/stripe (bad signature)', response, 400);
        if (response.body?.error?.code !== 'invalid_signature') fail(`POST /v1/webhooks/stripe (bad signature): 400 but code ${JSON.stringify(response.body?.error?.code)}, not invalid_signature`);
        return 'POST /v1/webhooks/stripe with a bad signature: 400 invalid_signature';
      },
    },
  ];

  const results: StepResult[] = [];
  for (const { step, run } of steps) {
    const started = performance.now();
    let result: StepResult;
    try {
      const detail = await run();
      result = { step, ok: true, ms: Math.round(performance.now() - started), detail };
    } catch (error) {
      const detail = error instanceof StepFailure ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
      result = { step, ok: false, ms: Math.round(performance.now() - started), detail };
    }
    results.push(result);
    log(formatStep(result));
  }
  // Every step runs (the webhook's does not need the others), so one run shows everything broken.
  const failedSteps = results.filter((r) => !r.ok).map((r) => r.step);
  return { ok: failedSteps.length === 0, steps: results, failedSteps };
}

export function formatStep(result: StepResult): string {
  return `${result.ok ? 'PASS' : 'FAIL'} ${result.step.padEnd(10)} ${String(result.ms).padStart(6)} ms  ${result.detail}`;
}
