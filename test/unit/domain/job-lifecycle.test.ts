import fc from 'fast-check';
import type { Account } from '../../../lambdas/domain/account';
import { openAccount } from '../../../lambdas/domain/account';
import type { PaygTerms } from '../../../lambdas/domain/allocate-debit';
import { debitWallet } from '../../../lambdas/domain/allocate-debit';
import type { GenerationJob, GenerationStatus } from '../../../lambdas/domain/generation';
import type { JobFailure, JobTimings } from '../../../lambdas/domain/job-lifecycle';
import { failJob, firstDueAt, isFinished, reapDecision, settleJobOnAccount, startJob, succeedJob } from '../../../lambdas/domain/job-lifecycle';
import { creditNonExpiring, takeBackPayment } from '../../../lambdas/domain/credit';
import { availableCredits, debtCredits } from '../../../lambdas/domain/wallet';
import { DAY_MS, HOUR_MS, NOW, NOW_MS, balancesOf, capacity, iso, jobFixture, replayLedger, walletArb } from './arbitraries';

const FAILURE: JobFailure = { code: 'model_error', message: 'boom' };

const timingsArb: fc.Arbitrary<JobTimings> = fc.record({
  leaseSeconds: fc.integer({ min: 1, max: 3600 }),
  requeueAfterSeconds: fc.integer({ min: 1, max: 900 }),
  maxAgeSeconds: fc.integer({ min: 60, max: 2 * 86_400 }),
  pollIntervalSeconds: fc.integer({ min: 0, max: 900 }),
});

/** Offsets from NOW that make the instant of NOW itself (and 1 ms either side) likely. */
const offsetArb = fc.oneof(fc.constantFrom(-1, 0, 1), fc.integer({ min: -2 * HOUR_MS, max: 2 * HOUR_MS }));

const storedOutputArb = fc.record({ key: fc.string({ minLength: 1 }), contentType: fc.constantFrom('image/png', 'video/mp4'), sizeBytes: fc.nat() });

const statusArb = fc.constantFrom<GenerationStatus>('queued', 'running', 'succeeded', 'failed');

const job = jobFixture;

const jobArb: fc.Arbitrary<GenerationJob> = fc
  .record({
    status: statusArb,
    version: fc.integer({ min: 1, max: 50 }),
    attempts: fc.integer({ min: 0, max: 5 }),
    ageMs: fc.integer({ min: 0, max: 3 * DAY_MS }),
    lease: fc.option(offsetArb),
    due: fc.option(offsetArb),
  })
  .map(({ status, version, attempts, ageMs, lease, due }) =>
    job({ status, version, attempts, createdAt: iso(NOW_MS - ageMs), leaseUntil: lease === null ? null : iso(NOW_MS + lease), dueAt: due === null ? null : iso(NOW_MS + due) }),
  );

const liveLease = (j: GenerationJob, nowMs: number) => j.leaseUntil !== null && Date.parse(j.leaseUntil) > nowMs;

describe('startJob', () => {
  test('claims a queued job: running, version+1, attempts+1, lease (and due time) set from now, nothing else changed', () => {
    fc.assert(
      fc.property(jobArb, timingsArb, (sample, timings) => {
        // prepare
        const queued = Object.freeze({ ...sample, status: 'queued' as const });

        // act
        const decision = startJob(queued, NOW, timings);

        // assert
        const leaseUntil = iso(NOW_MS + timings.leaseSeconds * 1000);
        expect(decision).toEqual({
          kind: 'start',
          job: { ...queued, status: 'running', version: queued.version + 1, attempts: queued.attempts + 1, leaseUntil, dueAt: leaseUntil, updatedAt: iso(NOW_MS) },
        });
      }),
    );
  });

  test('a running job under a live lease is refused as leased; a lapsed (or missing) lease is taken over', () => {
    fc.assert(
      fc.property(jobArb, timingsArb, (sample, timings) => {
        // prepare
        const running = { ...sample, status: 'running' as const };

        // act
        const decision = startJob(running, NOW, timings);

        // assert
        if (liveLease(running, NOW_MS)) {
          expect(decision).toEqual({ kind: 'leased', until: running.leaseUntil });
        } else {
          expect(decision.kind).toBe('start');
          const started = (decision as Extract<typeof decision, { kind: 'start' }>).job;
          expect(started).toMatchObject({ status: 'running', version: running.version + 1, attempts: running.attempts + 1, leaseUntil: iso(NOW_MS + timings.leaseSeconds * 1000) });
          expect(Date.parse(started.leaseUntil!)).toBeGreaterThan(NOW_MS);
        }
      }),
    );
  });

  test('a lease ending exactly now has lapsed; one ending 1 ms later has not', () => {
    const timings: JobTimings = { leaseSeconds: 60, requeueAfterSeconds: 60, maxAgeSeconds: 600, pollIntervalSeconds: 15 };

    const lapsed = startJob(job({ status: 'running', leaseUntil: iso(NOW_MS) }), NOW, timings);
    const live = startJob(job({ status: 'running', leaseUntil: iso(NOW_MS + 1) }), NOW, timings);

    expect(lapsed.kind).toBe('start');
    expect(live).toEqual({ kind: 'leased', until: iso(NOW_MS + 1) });
  });

  test('a succeeded or failed job is finished: a duplicate message does nothing', () => {
    fc.assert(
      fc.property(jobArb, timingsArb, fc.constantFrom<GenerationStatus>('succeeded', 'failed'), (sample, timings, status) => {
        expect(startJob({ ...sample, status }, NOW, timings)).toEqual({ kind: 'finished' });
      }),
    );
  });
});

describe('succeedJob and failJob', () => {
  test('only a running job can succeed: outputs kept, lease and due time cleared, version+1', () => {
    fc.assert(
      fc.property(jobArb, fc.array(storedOutputArb, { maxLength: 4 }), (sample, outputs) => {
        // act
        const attempt = () => succeedJob(Object.freeze(sample), outputs, NOW);

        // assert
        if (sample.status !== 'running') {
          expect(attempt).toThrow(/only a running job can succeed/);
          return;
        }
        expect(attempt()).toEqual({ ...sample, status: 'succeeded', outputs, leaseUntil: null, dueAt: null, version: sample.version + 1, updatedAt: iso(NOW_MS) });
      }),
    );
  });

  test('a queued or running job fails with a refund of exactly its credits; a finished one cannot fail again', () => {
    fc.assert(
      fc.property(jobArb, fc.integer({ min: 1, max: 10_000 }), (sample, credits) => {
        // prepare
        const unfinished = Object.freeze({ ...sample, credits });

        // act
        const attempt = () => failJob(unfinished, FAILURE, NOW);

        // assert
        if (isFinished(unfinished)) {
          expect(attempt).toThrow(/already finished/);
          return;
        }
        const failed = attempt();
        expect(failed).toEqual({ ...unfinished, status: 'failed', error: FAILURE, refund: { credits, at: iso(NOW_MS) }, leaseUntil: null, dueAt: null, version: unfinished.version + 1, updatedAt: iso(NOW_MS) });
        expect(() => failJob(failed, FAILURE, NOW)).toThrow(/already finished/);
        expect(() => succeedJob(failed, [], NOW)).toThrow(/only a running job/);
      }),
    );
  });
});

describe('reapDecision', () => {
  /** Oracle: the rule restated. */
  function expectedReap(j: GenerationJob, nowMs: number, t: JobTimings): 'none' | 'requeue' | 'fail' {
    if (j.status === 'succeeded' || j.status === 'failed') return 'none';
    if (nowMs - Date.parse(j.createdAt) >= t.maxAgeSeconds * 1000) return 'fail';
    if (j.status === 'running' && liveLease(j, nowMs)) return 'none';
    if (j.dueAt !== null && Date.parse(j.dueAt) > nowMs) return 'none';
    return 'requeue';
  }

  test('fails a job older than maxAge (even while leased), requeues one past its due time or lease, else does nothing', () => {
    fc.assert(
      fc.property(jobArb, timingsArb, (sample, timings) => {
        // act
        const decision = reapDecision(Object.freeze(sample), NOW, timings);

        // assert
        const expected = expectedReap(sample, NOW_MS, timings);
        expect(decision.kind).toBe(expected);
        if (decision.kind === 'fail') expect(decision.failure.code).toBe('expired');
        if (decision.kind === 'requeue') {
          expect(decision.job).toEqual({ ...sample, dueAt: iso(NOW_MS + timings.requeueAfterSeconds * 1000), version: sample.version + 1, updatedAt: iso(NOW_MS) });
        }
      }),
    );
  });

  test('examples: each branch at its boundary', () => {
    const t: JobTimings = { leaseSeconds: 60, requeueAfterSeconds: 30, maxAgeSeconds: 3600, pollIntervalSeconds: 15 };
    const young = iso(NOW_MS - 60_000);

    // exactly maxAge old, still under a live lease: failed
    expect(reapDecision(job({ status: 'running', createdAt: iso(NOW_MS - 3600_000), leaseUntil: iso(NOW_MS + 60_000) }), NOW, t).kind).toBe('fail');
    // 1 ms younger than maxAge, still leased: left alone
    expect(reapDecision(job({ status: 'running', createdAt: iso(NOW_MS - 3600_000 + 1), leaseUntil: iso(NOW_MS + 60_000), dueAt: iso(NOW_MS + 60_000) }), NOW, t).kind).toBe('none');
    // queued, due exactly now: requeued
    expect(reapDecision(job({ status: 'queued', createdAt: young, dueAt: iso(NOW_MS) }), NOW, t).kind).toBe('requeue');
    // queued, due in 1 ms: left alone
    expect(reapDecision(job({ status: 'queued', createdAt: young, dueAt: iso(NOW_MS + 1) }), NOW, t).kind).toBe('none');
    // running, lease (and due time) lapsed exactly now: requeued
    expect(reapDecision(job({ status: 'running', createdAt: young, leaseUntil: iso(NOW_MS), dueAt: iso(NOW_MS) }), NOW, t).kind).toBe('requeue');
    // finished jobs are never reaped, however old
    expect(reapDecision(job({ status: 'failed', createdAt: iso(0), dueAt: null }), NOW, t)).toEqual({ kind: 'none' });
  });

  test('over a worker-less timeline, a job is requeued every time it falls due and failed once it reaches maxAge', () => {
    fc.assert(
      fc.property(timingsArb, fc.array(fc.integer({ min: 0, max: 2 * HOUR_MS }), { minLength: 1, maxLength: 30 }), (timings, steps) => {
        // prepare: accepted at NOW, its message lost, nobody ever starts it
        let current = job({ createdAt: iso(NOW_MS), dueAt: firstDueAt(NOW, timings), attempts: 0 });
        let nowMs = NOW_MS;
        let failed = false;

        for (const step of steps) {
          nowMs += step;
          // act
          const decision = reapDecision(current, new Date(nowMs), timings);

          // assert
          const tooOld = nowMs - NOW_MS >= timings.maxAgeSeconds * 1000;
          const due = Date.parse(current.dueAt!) <= nowMs;
          expect(decision.kind).toBe(failed ? 'none' : tooOld ? 'fail' : due ? 'requeue' : 'none');
          if (decision.kind === 'requeue') current = decision.job;
          if (decision.kind === 'fail') {
            current = failJob(current, decision.failure, new Date(nowMs));
            failed = true;
          }
        }
      }),
    );
  });
});

describe('firstDueAt', () => {
  test('is requeueAfterSeconds after acceptance', () => {
    fc.assert(
      fc.property(timingsArb, fc.integer({ min: 0, max: 100 * DAY_MS }), (timings, at) => {
        expect(firstDueAt(new Date(at), timings)).toBe(iso(at + timings.requeueAfterSeconds * 1000));
      }),
    );
  });
});

describe('settleJobOnAccount', () => {
  function accountWith(buckets: Account['buckets'], activeJobs: number): Account {
    // BEGINNER's PAYG limit (500) covers every limit walletArb draws (0, 50, 500).
    return { ...openAccount('acc_1', NOW).account, plan: 'BEGINNER', paygEnabled: true, version: 7, buckets, activeJobs };
  }

  const settleArb = fc.record({ wallet: walletArb, payg: fc.boolean(), seed: fc.nat(), activeJobs: fc.integer({ min: 0, max: 4 }), laterMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 45 * DAY_MS })) });

  test('a failed job frees one slot (never below 0) and gives back exactly its charges; the ledger explains every balance', () => {
    fc.assert(
      fc.property(settleArb, ({ wallet: { buckets, paygLimitCredits }, payg: enabled, seed, activeJobs, laterMs }) => {
        // prepare: the job's debit, then the job fails at NOW (+ laterMs)
        const payg: PaygTerms = { enabled, limitCredits: paygLimitCredits };
        const max = capacity(buckets, NOW, payg);
        fc.pre(max > 0);
        const cost = 1 + (seed % max);
        const debit = debitWallet(buckets, { costCredits: cost, reference: 'job_1', now: NOW, payg });
        const account = accountWith(debit.change.buckets, activeJobs);
        const failedAt = new Date(NOW_MS + laterMs);
        const running = job({ status: 'running', credits: cost, charges: debit.charges, leaseUntil: iso(NOW_MS + 1000) });
        const failed = failJob(running, FAILURE, failedAt);

        // act
        const settled = settleJobOnAccount(Object.freeze(account), failed, failedAt);

        // assert
        expect(settled.account.activeJobs).toBe(Math.max(activeJobs - 1, 0));
        expect(settled.account.version).toBe(account.version);
        const refunds = settled.entries.filter((e) => e.type === 'refund');
        expect(refunds.map((e) => [e.bucketId, e.amount, e.reference])).toEqual(debit.charges.map((c) => [c.bucketId, c.amount, 'job_1']));
        expect(refunds.reduce((s, e) => s + e.amount, 0)).toBe(failed.refund!.credits);
        expect(settled.entries.every((e) => e.type === 'refund' || e.type === 'expire')).toBe(true);
        // the ledger, from the wallet before the debit, explains the wallet after the refund
        const ledger = replayLedger(buckets, [...debit.change.entries, ...settled.entries]);
        expect(ledger.mismatches).toEqual([]);
        expect(ledger.balances).toEqual(balancesOf(settled.account.buckets));
        if (laterMs === 0) {
          // refunded at once: every bucket is back where it was before the debit (a new PAYG bucket at 0)
          for (const b of settled.account.buckets) expect(b.balance).toBe(buckets.find((x) => x.id === b.id)?.balance ?? 0);
        }
      }),
    );
  });

  test('a succeeded job frees one slot and changes no bucket; an unfinished job cannot be settled', () => {
    fc.assert(
      fc.property(walletArb, fc.integer({ min: 0, max: 4 }), fc.constantFrom<GenerationStatus>('queued', 'running'), ({ buckets }, activeJobs, unfinished) => {
        // prepare
        const account = accountWith(buckets, activeJobs);
        const succeeded = succeedJob(job({ status: 'running' }), [{ key: 'outputs/acc_1/job_1/0.png', contentType: 'image/png', sizeBytes: 68 }], NOW);

        // act
        const settled = settleJobOnAccount(account, succeeded, NOW);

        // assert
        expect(settled.entries).toEqual([]);
        expect(settled.account).toEqual({ ...account, version: account.version, activeJobs: Math.max(activeJobs - 1, 0) });
        expect(() => settleJobOnAccount(account, job({ status: unfinished }), NOW)).toThrow(/has not finished/);
      }),
    );
  });
});

describe('regressions', () => {
  test('a failed job refunded after its payment was taken back pays the debt first: taken-back credits never come back spendable', () => {
    // prepare: 100 top-up credits spent by a job; then the payment is refunded (debt 100)
    const opened = openAccount('acc_1', new Date(NOW_MS - DAY_MS)).account;
    const withTopup = { ...opened, buckets: creditNonExpiring(opened.buckets.map((b) => ({ ...b, balance: 0 })), { kind: 'topup', amountCredits: 100, reference: 'pi_1', now: NOW }).buckets };
    const debited = debitWallet(withTopup.buckets, { costCredits: 100, reference: 'gen_1', now: NOW, payg: { enabled: false, limitCredits: 0 } });
    const reversed = takeBackPayment(debited.change.buckets, { credits: 100, reference: 'pi_1', now: NOW });
    const account: Account = { ...withTopup, buckets: reversed.buckets, activeJobs: 1 };
    const failed = failJob(job({ status: 'running', charges: debited.charges, credits: 100 }), FAILURE, NOW);

    // act
    const settled = settleJobOnAccount(account, failed, NOW);

    // assert
    expect(availableCredits(settled.account.buckets, NOW)).toBe(0);
    expect(debtCredits(settled.account.buckets)).toBe(0);
    expect(settled.entries.map((e) => [e.type, e.bucketId, e.amount])).toEqual([
      ['refund', 'topup', 100],
      ['adjustment', 'topup', -100],
      ['adjustment', 'debt', 100],
    ]);
  });
});
