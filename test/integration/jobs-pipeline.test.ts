/**
 * The jobs pipeline end to end: the real API, SQS emulator queues with a DLQ, Lambda-like pollers
 * running the real worker and DLQ consumer, and DynamoDB Local. Every scenario ends with the money
 * invariants checked.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { toRecord } from '../../bin/local/sqs-poller';
import { MAX_ATTEMPTS } from '../../lambdas/domain/job-steps';
import { CountingModels } from '../support/counting-models';
import type { CountingMetrics } from '../../lambdas/adapters/metrics/counting-metrics';
import { addCredits, newIdempotencyKey, setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService, TestServiceOptions } from '../support/test-service';
import { TEST_JOB_TIMINGS, startTestService } from '../support/test-service';

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

test('a job runs once and succeeds: its outputs are stored and served by short-lived links; its concurrency slot frees', async () => {
  let models: CountingModels | undefined;
  await start({ models: (clock) => (models = new CountingModels(clock)) });
  const token = await t.token('happy');

  const accepted = await generate(token, { model: 'nano-banana-2', count: 2, params: { prompt: 'a test image' } });
  await t.settle();

  const done = await job(token, accepted.body.id);
  expect(done).toMatchObject({ status: 'succeeded', credits: 16, prompt: 'a test image' });
  expect(done.outputs.map((o: { id: string; contentType: string }) => [o.id, o.contentType])).toEqual([
    [`${accepted.body.id}/0`, 'image/png'],
    [`${accepted.body.id}/1`, 'image/png'],
  ]);
  for (const output of done.outputs) {
    const fetched = await fetch(output.url);
    const bytes = Buffer.from(await fetched.arrayBuffer());
    expect([fetched.status, bytes.subarray(1, 4).toString('latin1'), bytes.length]).toEqual([200, 'PNG', output.sizeBytes]);
  }
  expect(models!.calls.image).toBe(1);
  expect(counted()).toEqual({ calls: 1, failures: 0, refunded: 0 });
  expect(await available(token)).toBe(84);
  expect((await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } })).status).toBe(202);
});

test('a model error fails the job and refunds exactly the buckets it was charged from', async () => {
  await start();
  const token = await t.token('refunded');
  await setPlan(t, 'refunded', 'PRO');
  await addCredits(t, token, 50);

  const accepted = await generate(token, { model: 'nano-banana-pro', count: 8, params: { prompt: 'a test image', simulate: 'fail' } });
  await t.settle();

  expect(accepted.body.charges).toEqual([
    { bucketId: expect.stringMatching(/^sub:/), bucketType: 'subscription', amount: 100 },
    { bucketId: 'coupon', bucketType: 'coupon', amount: 20 },
  ]);
  const failed = await job(token, accepted.body.id);
  expect(failed).toMatchObject({ status: 'failed', error: { code: 'refused' }, refund: { credits: 120 } });
  expect(counted()).toEqual({ calls: 1, failures: 1, refunded: 1 });
  expect(await available(token)).toBe(150);
  const entries = await refunds(token);
  expect(entries.map((e: { bucketType: string; amount: number; reference: string }) => [e.bucketType, e.amount, e.reference])).toEqual([
    ['coupon', 20, accepted.body.id],
    ['subscription', 100, accepted.body.id],
  ]);
});

test('a model that never answers: retried (it takes idempotency keys) up to the attempt limit, then failed and refunded', async () => {
  await start();
  const token = await t.token('slow');
  const accepted = await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image', simulate: 'timeout' } });
  await t.settle();
  expect(await job(token, accepted.body.id)).toMatchObject({ status: 'failed', error: { code: 'timeout' }, refund: { credits: 5 } });
  expect(counted()).toEqual({ calls: MAX_ATTEMPTS, failures: MAX_ATTEMPTS, refunded: 1 });
  expect(await available(token)).toBe(100);
});

test('a worker that crashes on every attempt: the message goes to the DLQ and the job is refunded once', async () => {
  await start();
  const token = await t.token('crashy');
  const accepted = await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image', simulate: 'crash' } });
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
  let models: CountingModels | undefined;
  await start({ models: (clock) => (models = new CountingModels(clock, { crashFirst: 1 })) });
  const token = await t.token('recovers');
  const accepted = await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } });
  await t.settle();
  expect(await job(token, accepted.body.id)).toMatchObject({ status: 'succeeded' });
  expect(models!.calls.image).toBe(2);
  expect(await refunds(token)).toHaveLength(0);
  expect(await available(token)).toBe(95);
});

describe('duplicate deliveries (the worker called directly with the same message)', () => {
  const eventFor = (accountId: string, jobId: string, copies: number): SQSEvent => ({
    Records: Array.from({ length: copies }, (_, i) => toRecord({ MessageId: `dup-${i}`, ReceiptHandle: `rh-${i}`, Body: JSON.stringify({ accountId, jobId }) }, 'arn:aws:sqs:us-east-1:000000000000:jobs')),
  });
  const context = {} as Parameters<TestService['service']['queueHandlers']['jobs']>[1];

  test('the same message five times, concurrently and again after: one run, one success', async () => {
    let models: CountingModels | undefined;
    await start({ models: (clock) => (models = new CountingModels(clock)), pollers: false });
    const token = await t.token('dupes');
    const accepted = await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } });

    const [first, second] = await Promise.all([t.service.queueHandlers.jobs(eventFor('dupes', accepted.body.id, 5), context), t.service.queueHandlers.jobs(eventFor('dupes', accepted.body.id, 1), context)]);
    const later = await t.service.queueHandlers.jobs(eventFor('dupes', accepted.body.id, 2), context);

    expect([first, second, later]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(models!.calls.image).toBe(1);
    expect(await job(token, accepted.body.id)).toMatchObject({ status: 'succeeded' });
    await purge(t.sqs, t.queues.queueUrl);
  });

  test('a failing job delivered three times concurrently, and then to the DLQ consumer: one refund', async () => {
    await start({ pollers: false });
    const token = await t.token('dupe-fail');
    const accepted = await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image', simulate: 'fail' } });

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

    const accepted = await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } });
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
    for (let i = 0; i < 3; i += 1) accepted.push(await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }));
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
    const accepted = await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } });

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
  for (let i = 0; i < 3; i += 1) ids.push((await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } })).body.id);

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
  const response = await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image', simulate: 'fail' } });
  expect(response.status).toBe(400);
  expect(response.body.error.code).toBe('invalid_request');
  expect(await available(token)).toBe(100);
});

/** Tests that drive the worker by hand leave their own messages behind: clear them before settling. */
async function purge(sqs: SQSClient, queueUrl: string) {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
}
