/**
 * The jobs pipeline end to end: the real API, SQS emulator queues with a DLQ, Lambda-like pollers
 * running the real worker and DLQ consumer, and DynamoDB Local. Every scenario ends with the money
 * invariants checked.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { toRecord } from '../../bin/local/sqs-poller';
import { SimulatedProvider, TEST_LATENCY } from '../../lambdas/adapters/simulated-provider';
import type { GenerationJob } from '../../lambdas/domain/generation';
import type { GenerationProvider } from '../../lambdas/domain/ports';
import type { CountingMetrics } from '../../lambdas/adapters/metrics/counting-metrics';
import { addCredits, newIdempotencyKey, setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService, TestServiceOptions } from '../support/test-service';
import { TEST_JOB_TIMINGS, startTestService } from '../support/test-service';

/** The simulated provider, counting calls and optionally crashing the first N of them. */
class CountingProvider implements GenerationProvider {
  calls = 0;
  constructor(private readonly crashFirst = 0) {}
  private readonly inner = new SimulatedProvider(TEST_LATENCY);
  async generate(job: GenerationJob) {
    this.calls += 1;
    if (this.calls <= this.crashFirst) throw new Error('worker crashed mid-job');
    return this.inner.generate(job);
  }
}

let t: TestService;
async function start(options: TestServiceOptions = {}) {
  t = await startTestService(options);
  return t;
}
afterEach(async () => {
  await t.settle();
  await expectMoneyInvariants(t);
  await t.stop();
});

const generate = async (token: string, body: unknown) => t.call('POST', '/v1/generations', { token, body, headers: { 'idempotency-key': newIdempotencyKey() } });
const job = async (token: string, id: string) => (await t.call('GET', `/v1/generations/${id}`, { token })).body;
const available = async (token: string) => (await t.call('GET', '/v1/balance', { token })).body.available as number;
/** What the worker counted for the alarms (provider calls, failures, refunds). */
const counted = () => {
  const metrics = t.service.deps.metrics as CountingMetrics;
  return { calls: metrics.get('provider_call'), failures: metrics.get('provider_failure'), refunded: metrics.get('generation_refunded') };
};
const refunds = async (token: string) => (await t.call('GET', '/v1/ledger?limit=100', { token })).body.entries.filter((e: { type: string }) => e.type === 'refund');

test('a job runs once and succeeds; its concurrency slot frees', async () => {
  const provider = new CountingProvider();
  await start({ provider });
  const token = await t.token('happy');

  const accepted = await generate(token, { model: 'nano-banana-2', count: 2 });
  await t.settle();

  expect(await job(token, accepted.body.id)).toMatchObject({ status: 'succeeded', credits: 16, outputs: [expect.stringContaining(accepted.body.id), expect.any(String)] });
  expect(provider.calls).toBe(1);
  expect(counted()).toEqual({ calls: 1, failures: 0, refunded: 0 });
  expect(await available(token)).toBe(84);
  expect((await generate(token, { model: 'gpt-image-2', count: 1 })).status).toBe(202);
});

test('a model error fails the job and refunds exactly the buckets it was charged from', async () => {
  await start();
  const token = await t.token('refunded');
  await setPlan(t, 'refunded', 'PRO');
  await addCredits(t, token, 50);

  const accepted = await generate(token, { model: 'seedance-2.0', count: 3, params: { simulate: 'fail' } });
  await t.settle();

  expect(accepted.body.charges).toEqual([
    { bucketId: expect.stringMatching(/^sub:/), bucketType: 'subscription', amount: 100 },
    { bucketId: 'coupon', bucketType: 'coupon', amount: 20 },
  ]);
  const failed = await job(token, accepted.body.id);
  expect(failed).toMatchObject({ status: 'failed', error: { code: 'model_error' }, refund: { credits: 120 } });
  expect(counted()).toEqual({ calls: 1, failures: 1, refunded: 1 });
  expect(await available(token)).toBe(150);
  const entries = await refunds(token);
  expect(entries.map((e: { bucketType: string; amount: number; reference: string }) => [e.bucketType, e.amount, e.reference])).toEqual([
    ['coupon', 20, accepted.body.id],
    ['subscription', 100, accepted.body.id],
  ]);
});

test('a model timeout fails the job and refunds it', async () => {
  await start();
  const token = await t.token('slow');
  const accepted = await generate(token, { model: 'gpt-image-2', count: 1, params: { simulate: 'timeout' } });
  await t.settle();
  expect(await job(token, accepted.body.id)).toMatchObject({ status: 'failed', error: { code: 'timeout' }, refund: { credits: 5 } });
  expect(counted()).toEqual({ calls: 1, failures: 1, refunded: 1 });
  expect(await available(token)).toBe(100);
});

test('a worker that crashes on every attempt: the message goes to the DLQ and the job is refunded once', async () => {
  await start();
  const token = await t.token('crashy');
  const accepted = await generate(token, { model: 'gpt-image-2', count: 1, params: { simulate: 'crash' } });
  await t.settle();
  expect(await job(token, accepted.body.id)).toMatchObject({ status: 'failed', error: { code: 'worker_crashed' }, refund: { credits: 5 } });
  expect(await refunds(token)).toHaveLength(1);
  // Every delivery's crash is a failed call; the DLQ consumer's refund is counted once.
  const { calls, failures, refunded } = counted();
  expect(calls).toBeGreaterThanOrEqual(2);
  expect([failures, refunded]).toEqual([calls, 1]);
  expect(await available(token)).toBe(100);
});

test('a worker crash mid-job, then success on redelivery: one success, no refund', async () => {
  const provider = new CountingProvider(1);
  await start({ provider });
  const token = await t.token('recovers');
  const accepted = await generate(token, { model: 'gpt-image-2', count: 1 });
  await t.settle();
  expect(await job(token, accepted.body.id)).toMatchObject({ status: 'succeeded' });
  expect(provider.calls).toBe(2);
  expect(await refunds(token)).toHaveLength(0);
  expect(await available(token)).toBe(95);
});

describe('duplicate deliveries (the worker called directly with the same message)', () => {
  const eventFor = (accountId: string, jobId: string, copies: number): SQSEvent => ({
    Records: Array.from({ length: copies }, (_, i) => toRecord({ MessageId: `dup-${i}`, ReceiptHandle: `rh-${i}`, Body: JSON.stringify({ accountId, jobId }) }, 'arn:aws:sqs:us-east-1:000000000000:jobs')),
  });
  const context = {} as Parameters<TestService['service']['queueHandlers']['jobs']>[1];

  test('the same message five times, concurrently and again after: one run, one success', async () => {
    const provider = new CountingProvider();
    await start({ provider, pollers: false });
    const token = await t.token('dupes');
    const accepted = await generate(token, { model: 'gpt-image-2', count: 1 });

    const [first, second] = await Promise.all([t.service.queueHandlers.jobs(eventFor('dupes', accepted.body.id, 5), context), t.service.queueHandlers.jobs(eventFor('dupes', accepted.body.id, 1), context)]);
    const later = await t.service.queueHandlers.jobs(eventFor('dupes', accepted.body.id, 2), context);

    expect([first, second, later]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(provider.calls).toBe(1);
    expect(await job(token, accepted.body.id)).toMatchObject({ status: 'succeeded' });
    await purge(t.sqs, t.queues.queueUrl);
  });

  test('a failing job delivered three times concurrently, and then to the DLQ consumer: one refund', async () => {
    await start({ pollers: false });
    const token = await t.token('dupe-fail');
    const accepted = await generate(token, { model: 'gpt-image-2', count: 1, params: { simulate: 'fail' } });

    await Promise.all([1, 2, 3].map(() => t.service.queueHandlers.jobs(eventFor('dupe-fail', accepted.body.id, 1), context)));
    await t.service.queueHandlers.jobsDeadLetter(eventFor('dupe-fail', accepted.body.id, 2), context);

    expect(await refunds(token)).toHaveLength(1);
    expect(await available(token)).toBe(100);
    await purge(t.sqs, t.queues.queueUrl);
  });

  test('a malformed message is dropped, not retried forever', async () => {
    await start({ pollers: false });
    const event = eventFor('x', 'gen_00000000000000000000000000', 1);
    event.Records[0]!.body = '{"accountId": 42}';
    expect(await t.service.queueHandlers.jobs(event, context)).toEqual({ batchItemFailures: [] });
  });
});

describe('the stuck-job reaper', () => {
  const failingSends = (count: { left: number }) => (sqs: SQSClient) =>
    new Proxy(sqs, {
      get: (target, prop, receiver) =>
        prop === 'send'
          ? async (command: { constructor: { name: string } }) => {
              if (command.constructor.name === 'SendMessageCommand' && count.left > 0) {
                count.left -= 1;
                throw Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
              }
              return (target.send as (c: unknown) => Promise<unknown>)(command);
            }
          : Reflect.get(target, prop, receiver),
    });

  test('a send that fails after the debit: the job stays queued, the reaper re-enqueues it, it succeeds', async () => {
    await start({ sqs: failingSends({ left: 1 }) });
    const token = await t.token('lost-message');

    const accepted = await generate(token, { model: 'gpt-image-2', count: 1 });
    await t.settle();
    expect(accepted.status).toBe(202);
    expect(await job(token, accepted.body.id)).toMatchObject({ status: 'queued' });
    expect(await t.service.jobs['reap-stuck-jobs']!()).toEqual({ due: 0, requeued: 0, refunded: 0, sendFailures: 0 });

    t.clock.advance(TEST_JOB_TIMINGS.requeueAfterSeconds + 1);
    expect(await t.service.jobs['reap-stuck-jobs']!()).toEqual({ due: 1, requeued: 1, refunded: 0, sendFailures: 0 });
    await t.settle();

    expect(await job(await t.token('lost-message'), accepted.body.id)).toMatchObject({ status: 'succeeded' });
    expect(await t.service.jobs['reap-stuck-jobs']!()).toEqual({ due: 0, requeued: 0, refunded: 0, sendFailures: 0 });
  });

  test('one re-enqueue send that fails does not stop the run: the others go out, the failed one is due again and re-sent next run', async () => {
    const sendsToFail = { left: 3 };
    await start({ sqs: failingSends(sendsToFail) });
    const token = await t.token('flaky-queue');
    await setPlan(t, 'flaky-queue', 'TEAM');
    const accepted = [];
    for (let i = 0; i < 3; i += 1) accepted.push(await generate(token, { model: 'gpt-image-2', count: 1 }));
    expect(accepted.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(sendsToFail.left).toBe(0);

    t.clock.advance(TEST_JOB_TIMINGS.requeueAfterSeconds + 1);
    sendsToFail.left = 1;
    const firstRun = await t.service.jobs['reap-stuck-jobs']!();
    const secondRun = await t.service.jobs['reap-stuck-jobs']!();
    await t.settle();

    expect(firstRun).toEqual({ due: 3, requeued: 2, refunded: 0, sendFailures: 1 });
    expect(secondRun).toEqual({ due: 1, requeued: 1, refunded: 0, sendFailures: 0 });
    const fresh = await t.token('flaky-queue');
    for (const a of accepted) expect(await job(fresh, a.body.id)).toMatchObject({ status: 'succeeded' });
    expect(await t.service.jobs['reap-stuck-jobs']!()).toEqual({ due: 0, requeued: 0, refunded: 0, sendFailures: 0 });
  });

  test('a job that never ran within the maximum age is failed and refunded once', async () => {
    await start({ sqs: failingSends({ left: 100 }) });
    const token = await t.token('abandoned');
    const accepted = await generate(token, { model: 'gpt-image-2', count: 1 });

    t.clock.advance(TEST_JOB_TIMINGS.maxAgeSeconds + 1);
    const runs = await Promise.all([t.service.jobs['reap-stuck-jobs']!(), t.service.jobs['reap-stuck-jobs']!()]);

    expect((runs as Array<{ refunded: number }>).reduce((sum, r) => sum + r.refunded, 0)).toBe(1);
    const fresh = await t.token('abandoned');
    expect(await job(fresh, accepted.body.id)).toMatchObject({ status: 'failed', error: { code: 'expired' }, refund: { credits: 5 } });
    expect(await refunds(fresh)).toHaveLength(1);
  });
});

test('GET /v1/generations lists the account’s jobs newest first, with a cursor', async () => {
  await start({ pollers: false });
  const token = await t.token('lister');
  await setPlan(t, 'lister', 'TEAM');
  const ids: string[] = [];
  for (let i = 0; i < 3; i += 1) ids.push((await generate(token, { model: 'gpt-image-2', count: 1 })).body.id);

  const first = await t.call('GET', '/v1/generations?limit=2', { token });
  const second = await t.call('GET', `/v1/generations?limit=2&cursor=${first.body.nextCursor}`, { token });
  const stranger = await t.call('GET', '/v1/generations', { token: await t.token('someone-else') });

  expect(first.body.generations.map((g: { id: string }) => g.id)).toEqual([ids[2], ids[1]]);
  expect(second.body.generations.map((g: { id: string }) => g.id)).toEqual([ids[0]]);
  expect(stranger.body).toEqual({ generations: [], nextCursor: null });
  await purge(t.sqs, t.queues.queueUrl);
});

test('params.simulate is refused outside local mode', async () => {
  await start({ localMode: false, pollers: false });
  const token = await t.token('prod-user');
  const response = await generate(token, { model: 'gpt-image-2', count: 1, params: { simulate: 'fail' } });
  expect(response.status).toBe(400);
  expect(response.body.error.code).toBe('invalid_request');
  expect(await available(token)).toBe(100);
});

/** Tests that drive the worker by hand leave their own messages behind: clear them before settling. */
async function purge(sqs: SQSClient, queueUrl: string) {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
}
