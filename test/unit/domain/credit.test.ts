import fc from 'fast-check';
import { creditNonExpiring, grantSubscriptionCredits, subscriptionBucketId } from '../../../lambdas/domain/credit';
import { COUPON_BUCKET_ID, TOPUP_BUCKET_ID } from '../../../lambdas/domain/wallet';
import { DAY_MS, NOW, NOW_MS, iso } from './arbitraries';

describe('grantSubscriptionCredits', () => {
  test('credits a bucket of its own expiring at the period end, and refuses the same period twice', () => {
    // prepare
    const period = { periodStart: iso(NOW_MS), periodEnd: iso(NOW_MS + 30 * DAY_MS), amountCredits: 1200, now: NOW };

    // act
    const change = grantSubscriptionCredits([], period);

    // assert
    expect(change.buckets).toEqual([{ id: subscriptionBucketId(period.periodStart), type: 'subscription', balance: 1200, expiresAt: period.periodEnd, createdAt: iso(NOW_MS) }]);
    expect(change.entries).toEqual([expect.objectContaining({ type: 'grant', amount: 1200, balanceAfter: 1200, reference: `period:${period.periodStart}` })]);
    expect(() => grantSubscriptionCredits(change.buckets, period)).toThrow(/already granted/);
  });
});

describe('creditNonExpiring', () => {
  test('coupons and top-ups accumulate in one never-expiring bucket each', () => {
    const creditArb = fc.record({ kind: fc.constantFrom('coupon' as const, 'topup' as const), amount: fc.integer({ min: 1, max: 10_000 }) });
    fc.assert(
      fc.property(fc.array(creditArb, { maxLength: 20 }), (credits) => {
        // act
        let buckets = grantSubscriptionCredits([], { periodStart: iso(NOW_MS), periodEnd: iso(NOW_MS + DAY_MS), amountCredits: 5, now: NOW }).buckets;
        for (const [i, c] of credits.entries()) {
          const change = creditNonExpiring(buckets, { kind: c.kind, amountCredits: c.amount, reference: `pay-${i}`, now: new Date(NOW_MS + i) });
          expect(change.entries).toEqual([expect.objectContaining({ type: c.kind, amount: c.amount, bucketType: c.kind, reference: `pay-${i}` })]);
          buckets = change.buckets;
        }

        // assert
        for (const kind of ['coupon', 'topup'] as const) {
          const id = kind === 'coupon' ? COUPON_BUCKET_ID : TOPUP_BUCKET_ID;
          const mine = credits.filter((c) => c.kind === kind);
          const bucket = buckets.filter((b) => b.type === kind);
          expect(bucket).toEqual(mine.length === 0 ? [] : [expect.objectContaining({ id, balance: mine.reduce((s, c) => s + c.amount, 0), expiresAt: null })]);
        }
      }),
    );
  });
});
