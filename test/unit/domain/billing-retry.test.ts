import fc from 'fast-check';
import type { BillingRetry } from '../../../lambdas/domain/billing-retry';
import { BILLING_RETRY_POLICY, billingRetryDelaySeconds, inBillingBackoff, nextBillingRetry } from '../../../lambdas/domain/billing-retry';
import { NOW, NOW_MS, iso } from './arbitraries';

describe('billingRetryDelaySeconds', () => {
  test('5 minutes after the first failure, doubling, capped at 4 hours', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => billingRetryDelaySeconds(n) / 60)).toEqual([5, 10, 20, 40, 80, 160, 240, 240, 240]);
  });

  test('never below the first wait or above the cap, never decreasing, a finite whole number for any count', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 1e9 }), fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 0, max: 86_400 }), (failures, first, extra) => {
        const policy = { firstDelaySeconds: first, maxDelaySeconds: first + extra };

        const delay = billingRetryDelaySeconds(failures, policy);

        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(policy.firstDelaySeconds);
        expect(delay).toBeLessThanOrEqual(policy.maxDelaySeconds);
        expect(billingRetryDelaySeconds(failures + 1, policy)).toBeGreaterThanOrEqual(delay);
      }),
    );
  });
});

describe('nextBillingRetry', () => {
  test('counts one more failure and retries the doubled wait after now', () => {
    fc.assert(
      fc.property(fc.option(fc.nat(100), { nil: undefined }), (previousFailures) => {
        const previous: BillingRetry | undefined = previousFailures === undefined ? undefined : { failures: previousFailures, retryAt: iso(NOW_MS - 1000) };

        const next = nextBillingRetry(previous, NOW);

        const failures = (previousFailures ?? 0) + 1;
        expect(next).toEqual({ failures, retryAt: iso(NOW_MS + billingRetryDelaySeconds(failures, BILLING_RETRY_POLICY) * 1000) });
        expect(inBillingBackoff(next, NOW)).toBe(true);
        expect(inBillingBackoff(next, new Date(Date.parse(next.retryAt)))).toBe(false); // due again at the retry time itself
      }),
    );
  });

  test('no retry state (an account stored before it existed, or after a success) is never in backoff', () => {
    expect(inBillingBackoff(undefined, NOW)).toBe(false);
    expect(nextBillingRetry(undefined, NOW)).toEqual({ failures: 1, retryAt: iso(NOW_MS + 300_000) });
  });
});
