/** An auto-refill whose start fails with an error keeps its lock until a retry time that doubles. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { Account } from '../../../lambdas/domain/account';
import { openAccount } from '../../../lambdas/domain/account';
import type { AutoRefillState } from '../../../lambdas/domain/auto-refill';
import { AUTO_REFILL_OFF, DEFAULT_AUTO_REFILL_POLICY, decideAutoRefill, finishAutoRefill, needsAutoRefill, noteAutoRefillFailure } from '../../../lambdas/domain/auto-refill';
import { billingRetryDelaySeconds } from '../../../lambdas/domain/billing-retry';
import { TOPUP_BUCKET_ID } from '../../../lambdas/domain/wallet';
import { DAY_MS, NOW, NOW_MS, iso } from './arbitraries';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const inFlight = { topupId: 'top_a', credits: 500, startedAt: iso(NOW_MS), leaseUntil: iso(NOW_MS + 900_000) };

/** Below its threshold (10 of 100) with a refill of `top_a` in flight. */
function account(refill: Partial<AutoRefillState> = {}): Account {
  return {
    ...openAccount('acc_1', new Date(NOW_MS - DAY_MS)).account,
    version: 3,
    buckets: [{ id: TOPUP_BUCKET_ID, type: 'topup', balance: 10, expiresAt: null, createdAt: iso(NOW_MS - DAY_MS) }],
    autoRefill: { ...AUTO_REFILL_OFF, enabled: true, thresholdCredits: 100, refillCredits: 500, monthlyCapCredits: 2000, month: '2026-03', monthCredits: 500, sequence: 1, lastStartedAt: iso(NOW_MS), inFlight, ...refill },
  };
}

describe('noteAutoRefillFailure', () => {
  test('holds the lock until the retry time (the lease the sweep and the debit path read), counting the failure', () => {
    fc.assert(
      fc.property(fc.nat(20), (previous) => {
        const before = account(previous > 0 ? { retry: { failures: previous, retryAt: iso(NOW_MS - 1) } } : {});

        const after = noteAutoRefillFailure(before, 'top_a', NOW)!;

        const retryAt = iso(NOW_MS + billingRetryDelaySeconds(previous + 1) * 1000);
        expect(after).toEqual({ ...before, version: before.version, autoRefill: { ...before.autoRefill, inFlight: { ...inFlight, leaseUntil: retryAt }, retry: { failures: previous + 1, retryAt } } });
        expect(needsAutoRefill(after, NOW)).toBe(false);
        // Not before the retry time; at it, the same top-up again (the same payment), nothing counted twice.
        expect(decideAutoRefill(after, new Date(Date.parse(retryAt) - 1), DEFAULT_AUTO_REFILL_POLICY, sha256)).toEqual({ kind: 'skip', reason: 'in_flight' });
        const retried = decideAutoRefill(after, new Date(Date.parse(retryAt)), DEFAULT_AUTO_REFILL_POLICY, sha256);
        expect(retried).toMatchObject({ kind: 'start', topupId: 'top_a', credits: 500 });
        if (retried.kind === 'start') expect(retried.account.autoRefill).toMatchObject({ monthCredits: 500, sequence: 1, retry: { failures: previous + 1 } });
      }),
    );
  });

  test('a refill no longer in flight (finished meanwhile, or another one) is left alone', () => {
    expect(noteAutoRefillFailure(account({ inFlight: null }), 'top_a', NOW)).toBeNull();
    expect(noteAutoRefillFailure(account(), 'top_b', NOW)).toBeNull();
  });

  test('finishing the refill, whatever its outcome, forgets the failures', () => {
    for (const outcome of ['succeeded', 'declined', 'authentication_required'] as const) {
      const failed = noteAutoRefillFailure(noteAutoRefillFailure(account(), 'top_a', NOW)!, 'top_a', NOW)!;

      const finished = finishAutoRefill(failed, 'top_a', outcome)!;

      expect('retry' in finished.autoRefill).toBe(false);
      expect(finished.autoRefill.inFlight).toBeNull();
    }
  });

  test('a state stored before the retry field existed counts from 1', () => {
    const stored = JSON.parse(JSON.stringify(account())) as Account;
    expect(noteAutoRefillFailure(stored, 'top_a', NOW)!.autoRefill.retry).toEqual({ failures: 1, retryAt: iso(NOW_MS + 300_000) });
  });
});

describe('noteAutoRefillFailure before the lock was recorded (topupId null)', () => {
  test('with no refill in flight: the failure is counted in the same backoff, and no refill starts (nor does a debit ask for one) before the retry time', () => {
    fc.assert(
      fc.property(fc.nat(20), (previous) => {
        const before = account({ inFlight: null, lastStartedAt: null, ...(previous > 0 ? { retry: { failures: previous, retryAt: iso(NOW_MS - 1) } } : {}) });

        const after = noteAutoRefillFailure(before, null, NOW)!;

        const retryAt = iso(NOW_MS + billingRetryDelaySeconds(previous + 1) * 1000);
        expect(after).toEqual({ ...before, version: before.version, autoRefill: { ...before.autoRefill, inFlight: null, retry: { failures: previous + 1, retryAt } } });
        expect(needsAutoRefill(after, NOW)).toBe(false);
        expect(decideAutoRefill(after, new Date(Date.parse(retryAt) - 1), DEFAULT_AUTO_REFILL_POLICY, sha256)).toEqual({ kind: 'skip', reason: 'backoff' });
        // At the retry time a refill starts, still counting the failures (a later failure doubles the wait again).
        expect(needsAutoRefill(after, new Date(Date.parse(retryAt)))).toBe(true);
        const started = decideAutoRefill(after, new Date(Date.parse(retryAt)), DEFAULT_AUTO_REFILL_POLICY, sha256);
        expect(started).toMatchObject({ kind: 'start', credits: 500 });
        if (started.kind === 'start') {
          expect(started.account.autoRefill.retry).toEqual({ failures: previous + 1, retryAt });
          const failedAgain = noteAutoRefillFailure(started.account, started.topupId, new Date(Date.parse(retryAt)))!;
          expect(failedAgain.autoRefill.retry?.failures).toBe(previous + 2);
          expect('retry' in finishAutoRefill(failedAgain, started.topupId, 'succeeded')!.autoRefill).toBe(false);
        }
      }),
    );
  });

  test('with a refill in flight: its lock is held at least until the retry time, a longer lease is never shortened', () => {
    const lapsed = account({ inFlight: { ...inFlight, leaseUntil: iso(NOW_MS - 1) } });
    expect(noteAutoRefillFailure(lapsed, null, NOW)!.autoRefill).toMatchObject({ inFlight: { topupId: 'top_a', leaseUntil: iso(NOW_MS + 300_000) }, retry: { failures: 1 } });
    const held = account(); // leased for 15 minutes, longer than the first wait
    expect(noteAutoRefillFailure(held, null, NOW)!.autoRefill).toMatchObject({ inFlight, retry: { failures: 1, retryAt: iso(NOW_MS + 300_000) } });
  });

  test('auto-refill switched off with nothing in flight: nothing to hold back', () => {
    expect(noteAutoRefillFailure(account({ enabled: false, inFlight: null }), null, NOW)).toBeNull();
  });
});
