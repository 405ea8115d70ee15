import fc from 'fast-check';
import type { GenerationJob, ProviderOperation } from '../../../lambdas/domain/generation';
import type { JobTimings } from '../../../lambdas/domain/job-lifecycle';
import type { RunningModel } from '../../../lambdas/domain/job-steps';
import { LOST_CALL, MAX_ATTEMPTS, PAST_DEADLINE, decideOnFault, nextStep, recordSubmitted, releaseForRetry, retryDelaySeconds, scheduleNextPoll } from '../../../lambdas/domain/job-steps';
import { ModelProviderError } from '../../../lambdas/domain/model-clients';
import { NOW, NOW_MS, iso, jobFixture } from './arbitraries';

const TIMINGS: JobTimings = { leaseSeconds: 120, requeueAfterSeconds: 180, maxAgeSeconds: 3600, pollIntervalSeconds: 15 };
const IMAGE: RunningModel = { kind: 'image', acceptsIdempotencyKey: false };
const VIDEO: RunningModel = { kind: 'video', maxRunSeconds: 900, acceptsIdempotencyKey: false };
const KEYED_VIDEO: RunningModel = { ...VIDEO, acceptsIdempotencyKey: true };
const REF = { accountId: 'acc_1', jobId: 'gen_1' };

/** A queued Veo job, version 3, due in a minute. */
const job = (overrides: Partial<GenerationJob> = {}): GenerationJob =>
  jobFixture({ id: 'gen_1', model: 'veo-3.1', count: 1, credits: 60, charges: [{ bucketId: 'topup', bucketType: 'topup', amount: 60 }], version: 3, dueAt: iso(NOW_MS + 60_000), ...overrides });

const operation = (overrides: Partial<ProviderOperation> = {}): ProviderOperation => ({ id: 'op-1', submitKey: 'gen_1-1', submittedAt: iso(NOW_MS - 30_000), pollAt: iso(NOW_MS - 1), deadlineAt: iso(NOW_MS + 600_000), polls: 2, ...overrides });
const followed = (overrides: Partial<ProviderOperation> = {}) => job({ status: 'running', attempts: 1, operation: operation(overrides) });

describe('nextStep', () => {
  test('a queued video is claimed with a submission whose key names the attempt, and a deadline no later than the job\'s maximum age', () => {
    const step = nextStep(job(), REF, NOW, TIMINGS, VIDEO);
    expect(step).toEqual({
      kind: 'start',
      job: expect.objectContaining({ status: 'running', attempts: 1, version: 4, leaseUntil: iso(NOW_MS + 120_000), dueAt: iso(NOW_MS + 120_000), operation: { id: null, submitKey: 'gen_1-1', submittedAt: NOW.toISOString(), pollAt: null, deadlineAt: iso(NOW_MS + 900_000), polls: 0 } }),
    });
    const old = nextStep(job({ createdAt: iso(NOW_MS - 3_500_000) }), REF, NOW, TIMINGS, VIDEO);
    expect(old.kind === 'start' && old.job.operation?.deadlineAt).toBe(iso(NOW_MS + 100_000));
  });

  test('a queued image is claimed without an operation', () => {
    const step = nextStep(job({ model: 'gpt-image-2' }), REF, NOW, TIMINGS, IMAGE);
    expect(step.kind === 'start' && [step.job.status, step.job.operation]).toEqual(['running', undefined]);
  });

  test('finished jobs and live leases are left alone, whatever the message', () => {
    for (const status of ['succeeded', 'failed', 'cancelled'] as const) expect(nextStep(job({ status }), REF, NOW, TIMINGS, VIDEO)).toEqual({ kind: 'finished' });
    const leased = iso(NOW_MS + 1);
    expect(nextStep(followed({}), REF, NOW, TIMINGS, VIDEO)).toMatchObject({ kind: 'poll' });
    expect(nextStep({ ...followed(), leaseUntil: leased }, { ...REF, poll: 2 }, NOW, TIMINGS, VIDEO)).toEqual({ kind: 'leased', until: leased });
  });

  test('a call in flight when its worker died is made again only with a key the provider honours', () => {
    const lapsed = iso(NOW_MS - 1);
    const submitting = job({ status: 'running', attempts: 1, leaseUntil: lapsed, operation: operation({ id: null, pollAt: null, polls: 0 }) });
    expect(nextStep(submitting, REF, NOW, TIMINGS, VIDEO)).toEqual({ kind: 'fail', failure: LOST_CALL });
    const again = nextStep(submitting, REF, NOW, TIMINGS, KEYED_VIDEO);
    // The same key and deadline: the provider answers with the operation it started.
    expect(again.kind === 'start' && again.job.operation).toMatchObject({ id: null, submitKey: 'gen_1-1', deadlineAt: submitting.operation!.deadlineAt });
    const imageCall = job({ model: 'gpt-image-2', status: 'running', attempts: 1, leaseUntil: lapsed });
    expect(nextStep(imageCall, REF, NOW, TIMINGS, IMAGE)).toEqual({ kind: 'fail', failure: LOST_CALL });
    expect(nextStep(imageCall, REF, NOW, TIMINGS, { ...IMAGE, acceptsIdempotencyKey: true })).toMatchObject({ kind: 'start', job: { attempts: 2 } });
  });

  test('polls: the current message polls (claiming a lease); a stale one, or the reaper\'s before the poll is due, is dropped', () => {
    expect(nextStep(followed(), { ...REF, poll: 2 }, NOW, TIMINGS, VIDEO)).toMatchObject({ kind: 'poll', job: { version: 4, leaseUntil: iso(NOW_MS + 120_000) } });
    expect(nextStep(followed(), { ...REF, poll: 1 }, NOW, TIMINGS, VIDEO)).toEqual({ kind: 'stale' });
    const notYet = followed({ pollAt: iso(NOW_MS + 5_000) });
    expect(nextStep(notYet, REF, NOW, TIMINGS, VIDEO)).toEqual({ kind: 'stale' });
    // The scheduled message itself is never dropped for arriving a little early (clocks differ).
    expect(nextStep(notYet, { ...REF, poll: 2 }, NOW, TIMINGS, VIDEO)).toMatchObject({ kind: 'poll' });
  });

  test('a retried submission whose deadline passed while it waited is not submitted again', () => {
    const waited = job({ status: 'queued', attempts: 1, operation: operation({ id: null, pollAt: null, polls: 0, deadlineAt: iso(NOW_MS - 1) }) });
    expect(nextStep(waited, REF, NOW, TIMINGS, KEYED_VIDEO)).toEqual({ kind: 'fail', failure: PAST_DEADLINE });
    expect(nextStep({ ...waited, operation: { ...waited.operation!, deadlineAt: iso(NOW_MS + 1) } }, REF, NOW, TIMINGS, KEYED_VIDEO)).toMatchObject({ kind: 'start' });
  });

  test('past the deadline the job fails, whatever message wakes it', () => {
    const late = followed({ deadlineAt: iso(NOW_MS) });
    expect(nextStep(late, { ...REF, poll: 2 }, NOW, TIMINGS, VIDEO)).toEqual({ kind: 'fail', failure: PAST_DEADLINE });
    expect(nextStep(late, REF, NOW, TIMINGS, VIDEO)).toEqual({ kind: 'fail', failure: PAST_DEADLINE });
  });

  test('any job and message: at most one step writes, and a written step bumps the version by one and holds a lease', () => {
    const arb = fc.record({
      status: fc.constantFrom<GenerationJob['status']>('queued', 'running', 'succeeded', 'failed', 'cancelled'),
      lease: fc.option(fc.integer({ min: -200_000, max: 200_000 })),
      op: fc.option(fc.record({ id: fc.option(fc.constant('op')), polls: fc.nat(5), pollIn: fc.integer({ min: -60_000, max: 60_000 }), deadlineIn: fc.integer({ min: -60_000, max: 900_000 }) })),
      poll: fc.option(fc.nat(5), { nil: undefined }),
      keyed: fc.boolean(),
      kind: fc.constantFrom<'image' | 'video'>('image', 'video'),
    });
    fc.assert(
      fc.property(arb, ({ status, lease, op, poll, keyed, kind }) => {
        const sample = job({
          status,
          leaseUntil: lease === null ? null : iso(NOW_MS + lease),
          // Only a running job has an operation (a retry drops it, a finish keeps it).
          ...(op && status !== 'queued' ? { operation: operation({ id: op.id, polls: op.polls, pollAt: iso(NOW_MS + op.pollIn), deadlineAt: iso(NOW_MS + op.deadlineIn) }) } : {}),
        });
        const step = nextStep(sample, { ...REF, ...(poll === undefined ? {} : { poll }) }, NOW, TIMINGS, { kind, maxRunSeconds: 900, acceptsIdempotencyKey: keyed });
        if (step.kind === 'start' || step.kind === 'poll') {
          expect(step.job.version).toBe(sample.version + 1);
          expect(step.job.status).toBe('running');
          expect(Date.parse(step.job.leaseUntil!)).toBeGreaterThan(NOW_MS);
          expect(['queued', 'running']).toContain(sample.status);
        }
        if (['succeeded', 'failed', 'cancelled'].includes(status)) expect(step).toEqual({ kind: 'finished' });
      }),
    );
  });
});

describe('after a call', () => {
  test('a recorded submit waits for its first poll; each poll schedules the next, due for the reaper once overdue', () => {
    const claimed = nextStep(job(), REF, NOW, TIMINGS, VIDEO);
    if (claimed.kind !== 'start') throw new Error('not started');
    const recorded = recordSubmitted(claimed.job, 'op-9', NOW, TIMINGS);
    expect(recorded).toMatchObject({ version: claimed.job.version + 1, leaseUntil: null, dueAt: iso(NOW_MS + 195_000), operation: { id: 'op-9', pollAt: iso(NOW_MS + 15_000), polls: 0 } });
    const polled = scheduleNextPoll(recorded, new Date(NOW_MS + 15_000), TIMINGS);
    expect(polled).toMatchObject({ version: recorded.version + 1, operation: { polls: 1, pollAt: iso(NOW_MS + 30_000) } });
    expect(() => scheduleNextPoll(claimed.job, NOW, TIMINGS)).toThrow(/no operation/);
  });

  test('a retried job goes back to the queue, due after its delay; a submit that may have run keeps its key, an ended operation does not', () => {
    const ended = releaseForRetry(followed(), 20, NOW, TIMINGS, { keepSubmitKey: false });
    expect(ended).toMatchObject({ status: 'queued', leaseUntil: null, dueAt: iso(NOW_MS + 200_000), version: 4 });
    expect(ended.operation).toBeUndefined();
    const again = nextStep(ended, REF, NOW, TIMINGS, KEYED_VIDEO);
    expect(again.kind === 'start' && again.job.operation?.submitKey).toBe('gen_1-2');

    const submitting = job({ status: 'running', attempts: 1, operation: operation({ id: null, pollAt: null, polls: 0 }) });
    const kept = releaseForRetry(submitting, 20, NOW, TIMINGS, { keepSubmitKey: true });
    expect(kept).toMatchObject({ status: 'queued', operation: { id: null, submitKey: 'gen_1-1', deadlineAt: submitting.operation!.deadlineAt } });
    const resubmit = nextStep(kept, REF, NOW, TIMINGS, KEYED_VIDEO);
    expect(resubmit.kind === 'start' && resubmit.job.operation).toMatchObject({ submitKey: 'gen_1-1', deadlineAt: submitting.operation!.deadlineAt });
  });
});

describe('decideOnFault', () => {
  const running = job({ status: 'running', attempts: 1 });
  test('the user\'s fault fails with their words; ours fails without our details', () => {
    expect(decideOnFault(running, new ModelProviderError('user', 'SAFETY', 'Blocked by the safety filters.'), VIDEO, {})).toEqual({ kind: 'fail', failure: { code: 'refused', message: 'Blocked by the safety filters.' } });
    const ours = decideOnFault(running, new ModelProviderError('ours', 'http_401', 'API key sk-123 not valid'), VIDEO, {});
    expect(ours).toMatchObject({ kind: 'fail', failure: { code: 'provider_error' } });
    expect(JSON.stringify(ours)).not.toMatch(/sk-123/);
  });

  test('a call that may have run is retried only with a key; one known not to have run is retried until the attempt limit', () => {
    const timeout = new ModelProviderError('transient', 'timeout', 'no answer');
    expect(decideOnFault(running, timeout, VIDEO, {})).toMatchObject({ kind: 'fail', failure: { code: 'timeout' } });
    expect(decideOnFault(running, timeout, KEYED_VIDEO, {})).toEqual({ kind: 'retry', delaySeconds: 5 });
    for (const code of ['lost_answer', 'partly_run']) expect(decideOnFault(running, new ModelProviderError('transient', code, 'may have run'), VIDEO, {})).toMatchObject({ kind: 'fail' });
    const busy = new ModelProviderError('transient', 'http_429', 'slow down', 42_000);
    expect(decideOnFault(running, busy, VIDEO, {})).toEqual({ kind: 'retry', delaySeconds: 42 });
    expect(decideOnFault({ ...running, attempts: MAX_ATTEMPTS }, busy, VIDEO, {})).toMatchObject({ kind: 'fail', failure: { code: 'provider_unavailable' } });
  });

  test('retry delays double from the base, at most 5 minutes unless the provider asks for longer, at most SQS\'s 15', () => {
    expect([1, 2, 3, 4, 10].map((a) => retryDelaySeconds(a, 5))).toEqual([5, 10, 20, 40, 300]);
    expect(retryDelaySeconds(1, 0)).toBe(0);
    expect(retryDelaySeconds(1, 5, 600_000)).toBe(600);
    expect(retryDelaySeconds(1, 5, 3_600_000)).toBe(900);
  });
});
