import fc from 'fast-check';
import type { PaygTerms } from '../../../lambdas/domain/allocate-debit';
import { debitWallet } from '../../../lambdas/domain/allocate-debit';
import { grantSubscriptionCredits } from '../../../lambdas/domain/credit';
import { refundCharges } from '../../../lambdas/domain/refund';
import { DAY_MS, NOW, NOW_MS, balanceOf, capacity, entriesFor, frozen, iso, walletArb } from './arbitraries';

describe('refundCharges', () => {
  test('refunding a debit right after it restores every bucket balance exactly', () => {
    fc.assert(
      fc.property(walletArb, fc.boolean(), fc.nat(), ({ buckets, paygLimitCredits }, enabled, seed) => {
        // prepare
        const payg: PaygTerms = { enabled, limitCredits: paygLimitCredits };
        const max = capacity(buckets, NOW, payg);
        fc.pre(max > 0);
        const { charges, change } = debitWallet(buckets, { costCredits: 1 + (seed % max), reference: 'job', now: NOW, payg });

        // act
        const refund = refundCharges(frozen(change.buckets), { charges, reference: 'job:refund', now: NOW, paygLimitCredits });

        // assert
        for (const b of refund.buckets) expect(b.balance).toBe(balanceOf(buckets, b.id) ?? 0);
        expect(refund.buckets.map((b) => b.id)).toEqual(change.buckets.map((b) => b.id));
        expect(refund.entries.map((e) => [e.type, e.bucketId, e.amount])).toEqual(charges.map((c) => ['refund', c.bucketId, c.amount]));
        expect(refund.entries.every((e) => e.reference === 'job:refund')).toBe(true);
      }),
    );
  });

  test('a refund into a bucket that expired meanwhile records refund then expire and leaves it at 0', () => {
    fc.assert(
      fc.property(walletArb, fc.nat(), fc.integer({ min: 0, max: 45 * DAY_MS }), ({ buckets, paygLimitCredits }, seed, laterMs) => {
        // prepare: debit now, refund later (maybe after some buckets expired; no expiry job ran)
        const payg: PaygTerms = { enabled: true, limitCredits: paygLimitCredits };
        const max = capacity(buckets, NOW, payg);
        fc.pre(max > 0);
        const { charges, change } = debitWallet(buckets, { costCredits: 1 + (seed % max), reference: 'job', now: NOW, payg });
        const refundAt = new Date(NOW_MS + laterMs);

        // act
        const refund = refundCharges(change.buckets, { charges, reference: 'job:refund', now: refundAt, paygLimitCredits });

        // assert
        for (const charge of charges) {
          const bucket = change.buckets.find((b) => b.id === charge.bucketId)!;
          const afterRefund = bucket.balance + charge.amount;
          const expired = bucket.expiresAt !== null && Date.parse(bucket.expiresAt) <= refundAt.getTime();
          const expected = expired
            ? [['refund', charge.amount, afterRefund], ['expire', -afterRefund, 0]]
            : [['refund', charge.amount, afterRefund]];
          expect(entriesFor(refund.entries, bucket.id).map((e) => [e.type, e.amount, e.balanceAfter])).toEqual(expected);
          expect(balanceOf(refund.buckets, bucket.id)).toBe(expired ? 0 : afterRefund);
        }
        const charged = new Set(charges.map((c) => c.bucketId));
        for (const b of refund.buckets.filter((x) => !charged.has(x.id))) expect(b.balance).toBe(balanceOf(change.buckets, b.id));
      }),
    );
  });

  test('example: 30 credits spent from a grant that expires before the job fails', () => {
    // prepare
    const granted = grantSubscriptionCredits([], { periodStart: iso(NOW_MS - DAY_MS), periodEnd: iso(NOW_MS + 1000), amountCredits: 100, now: NOW });
    const { charges, change } = debitWallet(granted.buckets, { costCredits: 30, reference: 'job', now: NOW, payg: { enabled: false, limitCredits: 0 } });

    // act: the job fails exactly when the grant expires
    const refund = refundCharges(change.buckets, { charges, reference: 'job:refund', now: new Date(NOW_MS + 1000), paygLimitCredits: 0 });

    // assert
    const bucketId = `sub:${iso(NOW_MS - DAY_MS)}`;
    expect(refund.entries.map((e) => [e.type, e.amount, e.balanceAfter, e.reference])).toEqual([
      ['refund', 30, 100, 'job:refund'],
      ['expire', -100, 0, bucketId],
    ]);
    expect(refund.buckets).toEqual([expect.objectContaining({ id: bucketId, balance: 0 })]);
  });

  test('refuses to refund into a bucket the wallet does not have', () => {
    const charges = [{ bucketId: 'missing', bucketType: 'topup' as const, amount: 5 }];

    expect(() => refundCharges([], { charges, reference: 'r', now: NOW, paygLimitCredits: 0 })).toThrow(/unknown bucket missing/);
  });
});
