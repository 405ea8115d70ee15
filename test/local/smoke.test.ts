/**
 * The post-deploy smoke test (bin/smoke) against the local stack's pieces over real HTTP: the real
 * service of a test service (DynamoDB Local, the SQS emulator, the real handlers and JWT check)
 * behind the local HTTP server, with `/_local/token` minting the dev token as `npm start` does.
 * `npm run smoke -- --local <baseUrl>` is run through its CLI function: every step passes on a healthy
 * stack, and each failure mode exits non-zero naming its step.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import * as z from 'zod';
import type { GatewayRequest, GatewayResponse } from '../../bin/local/gateway';
import { createLocalGateway, signDevToken } from '../../bin/local/gateway';
import { close, createLocalHttpServer, listen, parseControlBody } from '../../bin/local/http-server';
import type { SqsPoller } from '../../bin/local/sqs-poller';
import { startSqsPoller } from '../../bin/local/sqs-poller';
import { parseTestUser, smokeUserSecretName, stackNames } from '../../bin/smoke/aws';
import { runSmokeChecks } from '../../bin/smoke/checks';
import { runSmokeCli } from '../../bin/smoke/cli';
import { ModelProviderError } from '../../lambdas/domain/model-clients';
import { CountingModels } from '../support/counting-models';
import type { SettableClock } from '../../lambdas/adapters/clock';

/** A model that refuses every request: each generation fails and is refunded. */
const failing = (clock: SettableClock) => new CountingModels(clock, { failWith: () => new ModelProviderError('user', 'refused', 'the model is down') });
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService, TestServiceOptions } from '../support/test-service';
import { TEST_JWT_SECRET, startTestService } from '../support/test-service';

interface LocalStack {
  readonly t: TestService;
  readonly base: string;
  readonly server: Server;
}

let running: LocalStack | undefined;
let lateWorker: SqsPoller | undefined;

/** The test service behind a real HTTP server; `tamper` rewrites the gateway's answers (a broken deploy). */
async function startLocal(options: TestServiceOptions & { tamper?: (request: GatewayRequest, response: GatewayResponse) => GatewayResponse } = {}): Promise<LocalStack> {
  const t = await startTestService(options);
  const gateway = createLocalGateway({ routes: t.service.routes, jwtSecret: TEST_JWT_SECRET, now: () => t.clock.now() });
  const tamper = options.tamper ?? ((_request, response) => response);
  const server = createLocalHttpServer({
    gateway: async (request) => tamper(request, await gateway(request)),
    controlRoutes: [
      {
        method: 'POST',
        path: '/_local/token',
        handle: async (request) => {
          const { sub } = parseControlBody(request, z.strictObject({ sub: z.string().min(1) }));
          return { statusCode: 200, body: { token: await signDevToken(TEST_JWT_SECRET, { sub, now: t.clock.now() }) } };
        },
      },
    ],
  });
  const address: AddressInfo = await listen(server, 0, '127.0.0.1');
  running = { t, server, base: `http://127.0.0.1:${address.port}` };
  return running;
}

afterEach(async () => {
  if (!running) return;
  const { t, server } = running;
  running = undefined;
  await close(server);
  const worker = lateWorker;
  lateWorker = undefined;
  await t.settle();
  await worker?.stop();
  await expectMoneyInvariants(t);
  await t.stop();
});

async function smoke(base: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runSmokeCli(['--local', base, ...args], { out: (line) => lines.push(line), env, pollIntervalMs: 50 });
  return { code, lines };
}

const line = (lines: string[], step: string) => lines.find((l) => new RegExp(`^(PASS|FAIL) ${step} `).test(l));

describe('npm run smoke -- --local <baseUrl>', () => {
  test('on a healthy stack every step passes, each printed with its status and timing, and it exits 0', async () => {
    const { base } = await startLocal();

    const { code, lines } = await smoke(base, ['--timeout', '30']);

    expect(code).toBe(0);
    expect(lines[0]).toMatch(new RegExp(`^Smoke test of ${base} \\(local stack\\); token: local dev token for sub smoke-user`));
    expect(line(lines, 'pricing')).toMatch(/^PASS pricing +\d+ ms {2}GET \/v1\/pricing 200, \d+ models$/);
    expect(line(lines, 'balance')).toMatch(/^PASS balance +\d+ ms {2}GET \/v1\/balance 200, available \d+$/);
    expect(line(lines, 'generation')).toMatch(/^PASS generation +\d+ ms {2}POST \/v1\/generations 202 \(gpt-image-2, 5 credits\), \S+ succeeded after \d+ polls; its output opens \(\d+ bytes\)$/);
    expect(line(lines, 'webhook')).toMatch(/^PASS webhook .* 400 invalid_signature$/);
    expect(lines.at(-1)).toMatch(/^Smoke test passed: 4 steps in \d+ ms$/);
    // The token is never printed.
    expect(lines.join('\n')).not.toMatch(/eyJ/);
  });

  test('a generation that fails and is refunded, with the balance restored, passes', async () => {
    const { base } = await startLocal({ models: failing });

    const { code, lines } = await smoke(base, ['--timeout', '30']);

    expect(line(lines, 'generation')).toMatch(/^PASS generation .* failed \(refused\) and was refunded: balance back to \d+$/);
    expect(code).toBe(0);
  });

  test('a failed generation shown without its refund fails the generation step', async () => {
    const { base } = await startLocal({
      models: failing,
      tamper: (request, response) => {
        if (request.method !== 'GET' || !request.path.startsWith('/v1/generations/')) return response;
        const { refund: _refund, ...job } = JSON.parse(response.body) as Record<string, unknown>;
        return { ...response, body: JSON.stringify(job) };
      },
    });

    const { code, lines } = await smoke(base, ['--timeout', '30']);

    expect(code).toBe(1);
    expect(line(lines, 'generation')).toMatch(/^FAIL generation .* failed \(.*refused.*\) without a refund of its 5 credits/);
    expect(lines.at(-1)).toMatch(/^Smoke test FAILED at generation \(\d+ ms\)$/);
  });

  test('a generation that never finishes within the bound fails the generation step; the other steps still run', async () => {
    // No queue workers until the smoke test has given up: the job stays queued. Then one starts, so the stack settles.
    const { base, t } = await startLocal({ pollers: false });

    const { code, lines } = await smoke(base, ['--timeout', '0.5']);
    lateWorker = startSqsPoller({ sqs: t.sqs, queueUrl: t.queues.queueUrl, handler: t.service.queueHandlers.jobs });

    expect(code).toBe(1);
    expect(line(lines, 'generation')).toMatch(/^FAIL generation .* still queued after 500 ms \(\d+ polls\)$/);
    expect(line(lines, 'webhook')).toMatch(/^PASS webhook/);
    expect(lines.at(-1)).toMatch(/^Smoke test FAILED at generation \(/);
  });

  test('a webhook that wrongly accepts a bad signature fails the webhook step', async () => {
    const { base } = await startLocal({
      tamper: (request, response) =>
        request.path === '/v1/webhooks/stripe' ? { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ received: true }) } : response,
    });

    const { code, lines } = await smoke(base, ['--timeout', '30']);

    expect(code).toBe(1);
    expect(line(lines, 'webhook')).toMatch(/^FAIL webhook .* expected 400, got 200/);
    expect(lines.at(-1)).toMatch(/^Smoke test FAILED at webhook \(/);
  });

  test('a token the API refuses fails the balance and generation steps, naming both', async () => {
    const { base } = await startLocal();

    const { code, lines } = await smoke(base, ['--timeout', '5'], { SMOKE_TOKEN: 'not-a-jwt' });

    expect(code).toBe(1);
    expect(lines[0]).toMatch(/token: SMOKE_TOKEN/);
    expect(line(lines, 'pricing')).toMatch(/^PASS/);
    expect(line(lines, 'balance')).toMatch(/^FAIL balance .* expected 200, got 401/);
    expect(lines.at(-1)).toMatch(/^Smoke test FAILED at balance, generation \(/);
  });

  test('pricing without models fails the pricing step', async () => {
    const { base } = await startLocal({
      tamper: (request, response) => (request.path === '/v1/pricing' ? { ...response, body: JSON.stringify({ models: [] }) } : response),
    });

    const { code, lines } = await smoke(base, ['--timeout', '5']);

    expect(code).toBe(1);
    expect(line(lines, 'pricing')).toMatch(/^FAIL pricing .* no models/);
  });
});

describe('the smoke CLI without a stack', () => {
  test('bad arguments exit 2 with the usage', async () => {
    for (const args of [[], ['--stage', 'dev', '--local', 'http://x'], ['--bogus'], ['--local', 'http://127.0.0.1:1', '--timeout', '-3']]) {
      const lines: string[] = [];
      expect(await runSmokeCli(args, { out: (l) => lines.push(l), env: {} })).toBe(2);
      expect(lines.join('\n')).toMatch(/usage: npm run smoke/);
    }
  });

  test('AWS mode resolves its target through the stage (stubbed here: no AWS account) and runs the same checks', async () => {
    const { base, t } = await startLocal();
    const lines: string[] = [];
    const seen: Array<[string, string | undefined]> = [];

    const code = await runSmokeCli(['--stage', 'dev', '--timeout', '30'], {
      out: (l) => lines.push(l),
      env: {},
      pollIntervalMs: 50,
      stageRegion: () => 'eu-west-1',
      resolveStage: async (stage, region) => {
        seen.push([stage, region]);
        return { baseUrl: base, token: await t.token('smoke-user'), tokenSource: 'stub' };
      },
    });

    expect(seen).toEqual([['dev', 'eu-west-1']]);
    expect(lines[0]).toMatch(/\(stage dev\); token: stub/);
    expect(code).toBe(0);
  });

  test('an unreachable stack is a setup failure (exit 2), and the checks alone report every step failed', async () => {
    const lines: string[] = [];
    expect(await runSmokeCli(['--local', 'http://127.0.0.1:1'], { out: (l) => lines.push(l), env: {} })).toBe(2);
    expect(lines).toEqual([expect.stringMatching(/^FAIL setup: /)]);

    const report = await runSmokeChecks({ baseUrl: 'http://127.0.0.1:1', token: 'x', generationTimeoutMs: 100 });
    expect(report.ok).toBe(false);
    expect(report.failedSteps).toEqual(['pricing', 'balance', 'generation', 'webhook']);
  });
});

describe('the test user’s secret', () => {
  test('holds {"username","password"}; anything else is refused without echoing the value', () => {
    expect(parseTestUser('{"username":"smoke@banana-flow.app","password":"S3cret!pass-word"}', 'banana-flow-credits/dev/smoke-user')).toEqual({ username: 'smoke@banana-flow.app', password: 'S3cret!pass-word' });
    for (const bad of [undefined, '', 'hunter2-not-json', '{"username":"u"}', '{"username":"","password":"p"}', '{"username":"u","password":42}']) {
      expect(() => parseTestUser(bad, 'banana-flow-credits/dev/smoke-user')).toThrow(/^secret banana-flow-credits\/dev\/smoke-user must hold JSON \{"username":"…","password":"…"\}$/);
    }
    expect(smokeUserSecretName('dev')).toBe('banana-flow-credits/dev/smoke-user');
    expect(stackNames('dev')).toEqual({ stateful: 'BananaFlowCredits-dev-Stateful', service: 'BananaFlowCredits-dev-Service' });
  });
});
