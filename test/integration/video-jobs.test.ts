/**
 * Issue 14, long-running jobs: a video is submitted once, its operation id recorded, then followed by
 * delayed poll messages, each a short invocation, until it succeeds, fails or passes its deadline.
 * The worker is driven by hand here (no pollers): each test delivers exactly the messages the worker
 * sent (captured from its SQS client), moving the clock as SQS's delays would.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { toRecord } from '../../bin/local/sqs-poller';
import type { CountingMetrics } from '../../lambdas/adapters/metrics/counting-metrics';
import type { JobMessage } from '../../lambdas/domain/generation';
import { CountingModels, type CountingModelsOptions } from '../support/counting-models';
import { addCredits, newIdempotencyKey } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { TEST_JOB_TIMINGS, startTestService } from '../support/test-service';

const POLL_SECONDS = 15;
// A 2 s lease: each step here also reads or writes the local S3, slow when the whole suite runs.
const TIMINGS = { ...TEST_JOB_TIMINGS, leaseSeconds: 2, pollIntervalSeconds: POLL_SECONDS };
const FOUR_MINUTES_MS = 240_000;

let t: TestService;
let models: CountingModels;
/** Messages the service sent to the jobs queue, with their delays, in order. */
let sent: Array<{ message: JobMessage; delaySeconds: number }>;

function capturingSends(sqs: SQSClient): SQSClient {
  return new Proxy(sqs, {
    get: (target, prop, receiver) =>
      prop === 'send'
        ? async (command: { constructor: { name: string }; input: { MessageBody?: string; DelaySeconds?: number } }) => {
            if (command.constructor.name === 'SendMessageCommand' && command.input.MessageBody) {
              const body = JSON.parse(command.input.MessageBody) as JobMessage & { kind?: string };
              if (!body.kind) sent.push({ message: body, delaySeconds: command.input.DelaySeconds ?? 0 });
            }
            return (target.send as (c: unknown) => Promise<unknown>)(command);
          }
        : Reflect.get(target, prop, receiver),
  });
}

async function start(options: CountingModelsOptions = {}) {
  sent = [];
  t = await startTestService({ pollers: false, jobTimings: TIMINGS, sqs: capturingSends, models: (clock) => (models = new CountingModels(clock, { latency: { imageMs: [5, 10], videoMs: [FOUR_MINUTES_MS, FOUR_MINUTES_MS] }, ...options })) });
}

afterEach(async () => {
  await t.sqs.send(new PurgeQueueCommand({ QueueUrl: t.queues.queueUrl }));
  await expectMoneyInvariants(t);
  await t.stop();
});

const owner = 'video-owner';
const token = () => t.token(owner);
const generate = async (model: string, params: Record<string, unknown> = {}) => {
  const response = await t.call('POST', '/v1/generations', { token: await token(), body: { model, count: 1, params: { prompt: 'a banana surfing', ...params } }, headers: { 'idempotency-key': newIdempotencyKey() } });
  expect(response.status).toBe(202);
  return response.body.id as string;
};
const job = async (id: string) => (await t.call('GET', `/v1/generations/${id}`, { token: await token() })).body;
const stored = async (id: string) => (await t.service.deps.store.getGeneration(owner, id))!;
const refunds = async (id: string) => (await t.call('GET', '/v1/ledger?limit=100', { token: await token() })).body.entries.filter((e: { type: string; reference: string }) => e.type === 'refund' && e.reference === id);
const metric = (name: Parameters<CountingMetrics['get']>[0]) => (t.service.deps.metrics as CountingMetrics).get(name);

/** Delivers one message to the worker as SQS would, and says how long the invocation took. */
async function deliver(message: JobMessage): Promise<number> {
  const event: SQSEvent = { Records: [toRecord({ MessageId: `m-${Math.random()}`, ReceiptHandle: 'r', Body: JSON.stringify(message) }, 'arn:aws:sqs:us-east-1:000000000000:jobs')] };
  const started = performance.now();
  const answer = await t.service.queueHandlers.jobs(event, { getRemainingTimeInMillis: () => TIMINGS.leaseSeconds * 1000 } as never);
  expect(answer).toEqual({ batchItemFailures: [] });
  return performance.now() - started;
}

/** Takes the next message the worker sent, after moving the clock by its delay (SQS holds it that long). */
function nextSent(): JobMessage {
  const next = sent.shift();
  if (!next) throw new Error('the worker sent no next message');
  t.clock.advance(next.delaySeconds);
  return next.message;
}

test('a 4-minute video is submitted once and followed to success by polls, each invocation within its time budget', async () => {
  await start();
  const id = await generate('veo-3.1');
  const budgetMs = TIMINGS.leaseSeconds * 1000;
  const durations = [await deliver(nextSent())];
  expect(await stored(id)).toMatchObject({ status: 'running', operation: { id: expect.stringMatching(/^sim-/), polls: 0 } });

  while ((await stored(id)).status === 'running') {
    const message = nextSent();
    expect(message).toEqual({ accountId: owner, jobId: id, poll: (await stored(id)).operation!.polls });
    durations.push(await deliver(message));
  }

  const done = await job(id);
  expect(done).toMatchObject({ status: 'succeeded', outputs: [{ id: `${id}/0`, contentType: 'video/webm' }] });
  expect(done.refund).toBeUndefined();
  const video = await fetch(done.outputs[0].url);
  expect([video.status, (await video.arrayBuffer()).byteLength]).toEqual([200, done.outputs[0].sizeBytes]);
  // One submit; a poll every 15 s of the 4 minutes; every delay as scheduled; no invocation near the lease.
  expect(models.calls.submit).toBe(1);
  expect(models.calls.poll).toBe(FOUR_MINUTES_MS / 1000 / POLL_SECONDS);
  expect(Math.max(...durations)).toBeLessThan(budgetMs);
  expect(sent).toEqual([]);
});

test('a worker that dies between the submit and recording it: the provider that takes keys is asked again with the same key, and the job goes on', async () => {
  await start({ crashAfterSubmitFirst: 1 });
  const id = await generate('seedance-2.0');
  const first = nextSent();
  await expect(t.service.queueHandlers.jobs({ Records: [toRecord({ MessageId: 'crash', ReceiptHandle: 'r', Body: JSON.stringify(first) }, 'arn:aws:sqs:us-east-1:000000000000:jobs')] }, {} as never)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'crash' }] });
  expect(await stored(id)).toMatchObject({ status: 'running', operation: { id: null } });

  // SQS delivers it again once the lease (and the visibility timeout) have passed.
  t.clock.advance(TIMINGS.leaseSeconds + 1);
  await deliver(first);
  expect(models.submitKeys).toEqual([`${id}-1`, `${id}-1`]);
  expect((await stored(id)).operation!.id).toMatch(/^sim-/);
  t.clock.advance(FOUR_MINUTES_MS / 1000);
  await deliver(nextSent());
  expect(await job(id)).toMatchObject({ status: 'succeeded' });
  expect(await refunds(id)).toHaveLength(0);
});

test('a submit that outlives its lease: the next worker takes over with the same key, the first one\'s late answer is dropped and its operation left running (not cancelled)', async () => {
  let release: () => void = () => {};
  await start({ submitGate: (n) => (n === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()) });
  const id = await generate('veo-3.1');
  const first = nextSent();
  const slow = deliver(first);
  while ((await stored(id)).status !== 'running') await new Promise((r) => setTimeout(r, 5));
  t.clock.advance(TIMINGS.leaseSeconds + 1);
  await deliver(first); // redelivered: takes over, submits under the same key, records the operation
  release();
  await slow;

  expect(models.submitKeys).toEqual([`${id}-1`, `${id}-1`]);
  expect(models.calls.cancel).toBe(0);
  t.clock.advance(FOUR_MINUTES_MS / 1000);
  await deliver(nextSent());
  expect(await job(id)).toMatchObject({ status: 'succeeded' });
  expect(await refunds(id)).toHaveLength(0);
});

test('a worker that dies between the submit and recording it, with a provider that takes no key: never submitted twice; failed, refunded once, alarmed', async () => {
  await start({ crashAfterSubmitFirst: 1, acceptsIdempotencyKey: false });
  const id = await generate('veo-3.1');
  const first = nextSent();
  await t.service.queueHandlers.jobs({ Records: [toRecord({ MessageId: 'crash', ReceiptHandle: 'r', Body: JSON.stringify(first) }, 'arn:aws:sqs:us-east-1:000000000000:jobs')] }, {} as never);
  t.clock.advance(TIMINGS.leaseSeconds + 1);
  await deliver(first);
  await deliver(first);

  expect(models.calls.submit).toBe(1);
  expect(await job(id)).toMatchObject({ status: 'failed', error: { code: 'worker_crashed' }, refund: { credits: 60 } });
  expect(await refunds(id)).toHaveLength(1);
  expect(metric('provider_orphaned')).toBe(1);
});

test('a lost poll message: the reaper finds the job due and sends it again; the video still completes once', async () => {
  await start();
  const id = await generate('seedance-2.0');
  await deliver(nextSent());
  sent.shift(); // the first poll message is lost

  expect(await t.service.jobs['reap-stuck-jobs']!()).toMatchObject({ requeued: 0 });
  t.clock.advance(POLL_SECONDS + TIMINGS.requeueAfterSeconds + 1);
  expect(await t.service.jobs['reap-stuck-jobs']!()).toMatchObject({ due: 1, requeued: 1 });
  const fromReaper = nextSent();
  expect(fromReaper).toEqual({ accountId: owner, jobId: id });
  await deliver(fromReaper);
  t.clock.advance(FOUR_MINUTES_MS / 1000);
  await deliver(nextSent());

  expect(await job(id)).toMatchObject({ status: 'succeeded' });
  expect(await refunds(id)).toHaveLength(0);
});

test('the DLQ consumer leaves a video whose operation is being followed to its polls (not failed, not refunded)', async () => {
  await start();
  const id = await generate('veo-3.1');
  const first = nextSent();
  await deliver(first);
  const event: SQSEvent = { Records: [toRecord({ MessageId: 'dlq', ReceiptHandle: 'r', Body: JSON.stringify(first) }, 'arn:aws:sqs:us-east-1:000000000000:jobs-dlq')] };
  await t.service.queueHandlers.jobsDeadLetter(event, {} as never);
  expect(await stored(id)).toMatchObject({ status: 'running', operation: { id: expect.stringMatching(/^sim-/) } });
  expect(await refunds(id)).toHaveLength(0);
  t.clock.advance(FOUR_MINUTES_MS / 1000);
  await deliver(nextSent());
  expect(await job(id)).toMatchObject({ status: 'succeeded' });
});

test('a duplicate or stale poll message is dropped: one chain of polls', async () => {
  await start();
  const id = await generate('veo-3.1');
  await deliver(nextSent());
  const poll0 = nextSent();
  await deliver(poll0);
  const pollsBefore = models.calls.poll;
  await deliver(poll0); // SQS delivered it twice
  expect(models.calls.poll).toBe(pollsBefore);
  expect(sent).toHaveLength(1);
  expect(await stored(id)).toMatchObject({ status: 'running', operation: { polls: 1 } });
});

test('a video the provider completes after our deadline: failed and refunded once at the deadline, the late result never charges or refunds again', async () => {
  // Runs 20 minutes; the catalog follows Veo for 15.
  await start({ latency: { imageMs: [5, 10], videoMs: [20 * 60_000, 20 * 60_000] } });
  const id = await generate('veo-3.1');
  await deliver(nextSent());
  let last: JobMessage | undefined;
  while ((await stored(id)).status === 'running') {
    t.clock.advance(60); // polls are late: the deadline passes between two of them
    last = nextSent();
    await deliver(last);
  }
  expect(await job(id)).toMatchObject({ status: 'failed', error: { code: 'timeout' }, refund: { credits: 60 } });
  expect(models.calls.cancel).toBe(1);
  const balance = (await t.call('GET', '/v1/balance', { token: await token() })).body.available;

  // The provider finishes later; the last poll is delivered again, and the reaper runs.
  t.clock.advance(20 * 60);
  await deliver(last!);
  await t.service.jobs['reap-stuck-jobs']!();
  expect(await job(id)).toMatchObject({ status: 'failed' });
  expect((await job(id)).outputs).toBeUndefined();
  expect(await refunds(id)).toHaveLength(1);
  expect((await t.call('GET', '/v1/balance', { token: await token() })).body.available).toBe(balance);
});

test('a finished video whose link cannot be copied yet (the provider\'s storage answers 503) is copied at the next poll: delivered once, not refunded', async () => {
  const { createServer } = await import('node:http');
  let gets = 0;
  const storage = createServer((_req, res) => {
    gets += 1;
    if (gets === 1) res.writeHead(503, { 'retry-after': '1' }).end();
    else res.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.alloc(2048, 7));
  });
  await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(storage.address() as { port: number }).port}/video.mp4`;
  try {
    await start({ latency: { imageMs: [5, 5], videoMs: [10, 10] }, pollAnswer: (state) => (state.state === 'succeeded' ? { state: 'succeeded', outputs: [{ kind: 'url', url, contentType: 'video/mp4' }] } : state) });
    const id = await generate('seedance-2.0');
    await deliver(nextSent());
    t.clock.advance(1);
    await deliver(nextSent());
    expect(await stored(id)).toMatchObject({ status: 'running', operation: { polls: 1 } });
    await deliver(nextSent());
    expect(await job(id)).toMatchObject({ status: 'succeeded', outputs: [{ contentType: 'video/mp4', sizeBytes: 2048 }] });
    expect([gets, models.calls.poll]).toEqual([2, 2]);
    expect(await refunds(id)).toHaveLength(0);
  } finally {
    storage.closeAllConnections();
    await new Promise((resolve) => storage.close(resolve));
  }
});

test('a poll in flight when the video is cancelled reads the operation the cancel stopped: the job stays cancelled, one refund, no page', async () => {
  let release: () => void = () => {};
  let held = false;
  await start({ pollGate: () => (held ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()) });
  const id = await generate('seedance-2.0', { simulate: 'timeout' });
  await deliver(nextSent());
  held = true;
  const polling = deliver(nextSent()); // the worker claims its poll and waits on the provider
  while ((await stored(id)).leaseUntil === null) await new Promise((r) => setTimeout(r, 5));
  held = false; // the cancel's own completion check is answered at once
  expect((await t.call('POST', `/v1/generations/${id}/cancel`, { token: await token() })).body).toMatchObject({ status: 'cancelled', refund: { credits: 40 } });
  release();
  await polling;

  expect(models.calls.cancel).toBe(1);
  expect(await job(id)).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
  expect(await refunds(id)).toHaveLength(1);
  expect(metric('provider_fault_ours')).toBe(0);
});

describe('provider faults', () => {
  test('a 429 that did not run is retried after its Retry-After, then succeeds: one charge, no refund', async () => {
    const { ModelProviderError } = await import('../../lambdas/domain/model-clients');
    await start({ acceptsIdempotencyKey: false, failWith: (call, n) => (call === 'image' && n === 1 ? new ModelProviderError('transient', 'http_429', 'slow down', 3_000) : undefined) });
    const id = await generate('gpt-image-2');
    await deliver(nextSent());
    expect(await stored(id)).toMatchObject({ status: 'queued', attempts: 1 });
    const retry = sent.shift()!;
    expect(retry.delaySeconds).toBe(3);
    t.clock.advance(retry.delaySeconds);
    await deliver(retry.message);
    expect(await job(id)).toMatchObject({ status: 'succeeded' });
    expect(models.calls.image).toBe(2);
    expect(await refunds(id)).toHaveLength(0);
  });

  test('a timeout at a provider that takes no key is never retried: failed and refunded at once', async () => {
    await start({ acceptsIdempotencyKey: false });
    const id = await generate('gpt-image-2', { simulate: 'timeout' });
    await deliver(nextSent());
    expect(await job(id)).toMatchObject({ status: 'failed', error: { code: 'timeout' }, refund: { credits: 5 } });
    expect(models.calls.image).toBe(1);
    expect(sent).toEqual([]);
  });

  test('our fault (a refused key): failed, refunded, counted for the alarm; the user fault says why in words', async () => {
    const { ModelProviderError } = await import('../../lambdas/domain/model-clients');
    await start({
      failWith: (call, n) => (call !== 'image' ? undefined : n === 1 ? new ModelProviderError('ours', 'http_401', 'API key not valid') : new ModelProviderError('user', 'SAFETY', 'The request was blocked by the safety filters.')),
    });
    const ours = await generate('nano-banana-2');
    await deliver(nextSent());
    const theirs = await generate('nano-banana-2');
    await deliver(nextSent());
    expect(await job(ours)).toMatchObject({ status: 'failed', error: { code: 'provider_error' }, refund: { credits: 8 } });
    expect((await job(ours)).error.message).not.toMatch(/API key/);
    expect(await job(theirs)).toMatchObject({ status: 'failed', error: { code: 'refused', message: 'The request was blocked by the safety filters.' }, refund: { credits: 8 } });
    expect(metric('provider_fault_ours')).toBe(1);
  });
});

describe('POST /v1/generations/{id}/cancel', () => {
  const cancel = async (id: string, as?: string) => t.call('POST', `/v1/generations/${id}/cancel`, { token: as ?? (await token()) });
  const available = async () => (await t.call('GET', '/v1/balance', { token: await token() })).body.available as number;

  test('queued: never runs, refunded; the queued message then finds it finished', async () => {
    await start();
    const before = await available();
    const id = await generate('nano-banana-2');
    const cancelled = await cancel(id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id, status: 'cancelled', error: { code: 'cancelled' }, refund: { credits: 8 } });
    expect(await available()).toBe(before);
    await deliver(nextSent());
    expect(models.calls.image).toBe(0);
    expect(await refunds(id)).toHaveLength(1);
    // Finished: a second cancel is a 409 that changes nothing.
    expect((await cancel(id)).body.error).toMatchObject({ code: 'generation_finished', details: { status: 'cancelled' } });
  });

  test('a running image call: cancelled at once; the worker\'s late answer is dropped, nothing stored, one refund', async () => {
    await start({ latency: { imageMs: [150, 150], videoMs: [10, 10] } });
    const id = await generate('gpt-image-2');
    const running = deliver(nextSent());
    while ((await stored(id)).status !== 'running') await new Promise((r) => setTimeout(r, 5));
    expect((await cancel(id)).body).toMatchObject({ status: 'cancelled', refund: { credits: 5 } });
    await running;
    expect(await job(id)).toMatchObject({ status: 'cancelled' });
    expect((await job(id)).outputs).toBeUndefined();
    expect(await refunds(id)).toHaveLength(1);
  });

  test('a running video: stopped at the provider, refunded; its next poll finds it finished', async () => {
    await start();
    const id = await generate('seedance-2.0', { simulate: 'timeout' });
    await deliver(nextSent());
    expect((await cancel(id)).body).toMatchObject({ status: 'cancelled', refund: { credits: 40 } });
    // One poll (had it completed?), the cancel committed, then the provider asked to stop.
    expect([models.calls.poll, models.calls.cancel]).toEqual([1, 1]);
    await deliver(nextSent());
    expect(models.calls.poll).toBe(1);
    expect(await refunds(id)).toHaveLength(1);
  });

  test('a running video whose provider cannot be reached any more (its key gone): cancelled and refunded on our side, not a 500', async () => {
    await start();
    const { ModelProviderError } = await import('../../lambdas/domain/model-clients');
    const id = await generate('veo-3.1', { simulate: 'timeout' });
    await deliver(nextSent());
    const deps = t.service.deps as { models: typeof t.service.deps.models };
    deps.models = { route: () => Promise.reject(new ModelProviderError('ours', 'provider_not_configured', 'no key')) };
    expect((await cancel(id)).body).toMatchObject({ status: 'cancelled', refund: { credits: 60 } });
    expect(models.calls.cancel).toBe(0);
  });

  test('a video the provider already completed: 409, not refunded; the worker delivers it', async () => {
    await start({ latency: { imageMs: [5, 5], videoMs: [10, 10] } });
    const id = await generate('veo-3.1');
    await deliver(nextSent());
    t.clock.advance(1);
    const answer = await cancel(id);
    expect([answer.status, answer.body.error.code]).toEqual([409, 'generation_finished']);
    await deliver(nextSent());
    expect(await job(id)).toMatchObject({ status: 'succeeded', outputs: [{ contentType: 'video/webm' }] });
    expect(await refunds(id)).toHaveLength(0);
  });

  test('who may cancel: who asked, an admin or the owner; not another member, not a stranger', async () => {
    await start();
    const { addMember, setPlan } = await import('../support/fixtures');
    await setPlan(t, owner, 'TEAM');
    const alice = await addMember(t, owner, 'alice');
    const bob = await addMember(t, owner, 'bob');
    const admin = await addMember(t, owner, 'ada', { role: 'admin' });
    await addCredits(t, await token(), 500);
    const post = async (as: string) => (await t.call('POST', '/v1/generations', { token: as, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'x' } }, headers: { 'idempotency-key': newIdempotencyKey() } })).body.id as string;
    const alicesJob = await post(alice);
    const another = await post(alice);

    expect((await cancel(alicesJob, bob)).body.error.code).toBe('forbidden');
    expect((await cancel(alicesJob, await t.token('stranger', { account_id: owner }))).body.error.code).toBe('not_a_member');
    expect((await cancel(alicesJob, alice)).status).toBe(200);
    expect((await cancel(another, admin)).status).toBe(200);
    expect((await cancel('gen_00000000000000000000000000')).body.error.code).toBe('generation_not_found');
  });
});

describe('params are checked before the debit', () => {
  test('a prompt is required, and an option the model does not offer is a 400 that costs nothing', async () => {
    await start();
    const before = (await t.call('GET', '/v1/balance', { token: await token() })).body.available;
    const post = (body: unknown) => t.call('POST', '/v1/generations', { token: '', body, headers: { 'idempotency-key': newIdempotencyKey() } });
    const asOwner = async (body: unknown) => t.call('POST', '/v1/generations', { token: await token(), body, headers: { 'idempotency-key': newIdempotencyKey() } });
    expect((await post({ model: 'veo-3.1', count: 1, params: {} })).status).toBe(401);
    const cases: Array<[unknown, RegExp]> = [
      [{ model: 'veo-3.1', count: 1, params: {} }, /prompt/],
      [{ model: 'veo-3.1', count: 1, params: { prompt: '   ' } }, /prompt/],
      [{ model: 'veo-3.1', count: 1, params: { prompt: 'x', aspectRatio: '1:1' } }, /16:9, 9:16/],
      [{ model: 'veo-3.1', count: 1, params: { prompt: 'x', durationSeconds: 5 } }, /4, 6, 8 seconds/],
      [{ model: 'nano-banana-2', count: 1, params: { prompt: 'x', resolution: '1080p' } }, /takes no resolution/],
      [{ model: 'gpt-image-2', count: 1, params: { prompt: 'x', seed: 7 } }, /takes no seed/],
      [{ model: 'gpt-image-2', count: 1, params: { prompt: 'x', referenceImages: ['gen_00000000000000000000000000/0'] } }, /no reference images/],
      [{ model: 'nano-banana-2', count: 1, params: { prompt: 'x', referenceImages: ['gen_00000000000000000000000000/0'] } }, /not an image output of this wallet/],
      [{ model: 'nano-banana-2', count: 1, params: { prompt: 'x', style: 'vivid' } }, /style/],
    ];
    for (const [body, message] of cases) {
      const answer = await asOwner(body);
      expect([answer.status, answer.body.error.code]).toEqual([400, 'invalid_request']);
      expect(JSON.stringify(answer.body.error)).toMatch(message);
    }
    expect((await t.call('GET', '/v1/balance', { token: await token() })).body.available).toBe(before);
  });

  test('an earlier image output of the wallet is a valid reference; another wallet\'s is not', async () => {
    await start();
    const id = await generate('nano-banana-2');
    await deliver(nextSent());
    expect((await stored(id)).status).toBe('succeeded');
    const withReference = (as: string) => t.call('POST', '/v1/generations', { token: as, body: { model: 'nano-banana-pro', count: 1, params: { prompt: 'the same banana, at night', referenceImages: [`${id}/0`] } }, headers: { 'idempotency-key': newIdempotencyKey() } });
    const accepted = await withReference(await token());
    expect(accepted.status).toBe(202);
    expect((await withReference(await t.token('someone-else'))).status).toBe(400);

    // The worker hands the model the stored bytes of the reference.
    await deliver(nextSent());
    const stored0 = await fetch((await job(id)).outputs[0].url);
    const bytes = Buffer.from(await stored0.arrayBuffer());
    expect(models.requests.at(-1)).toMatchObject({ prompt: 'the same banana, at night', referenceImages: [{ contentType: 'image/png', base64: bytes.toString('base64') }] });
    expect(await job(accepted.body.id)).toMatchObject({ status: 'succeeded' });
  });

  test('a video from a first frame: the reference reaches the submit; a reference deleted since fails the job as the user\'s, refunded', async () => {
    await start();
    const { setPlan } = await import('../support/fixtures');
    await setPlan(t, owner, 'PRO');
    await addCredits(t, await token(), 200);
    const image = await generate('nano-banana-2');
    await deliver(nextSent());
    const video = await generate('seedance-2.0', { referenceImages: [`${image}/0`] });
    await deliver(nextSent());
    expect(models.requests.at(-1)).toMatchObject({ referenceImage: { contentType: 'image/png' } });

    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    const second = await generate('veo-3.1', { referenceImages: [`${image}/0`] });
    await t.s3.client.send(new DeleteObjectCommand({ Bucket: t.s3.bucket, Key: (await stored(image)).outputs![0]!.key }));
    sent.splice(0, sent.findIndex((m) => m.message.jobId === second));
    await deliver(nextSent());
    expect(await job(second)).toMatchObject({ status: 'failed', error: { code: 'refused', message: expect.stringMatching(/no longer available/) }, refund: { credits: 60 } });
    expect((await stored(video)).status).toBe('running');
  });
});
