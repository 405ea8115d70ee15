import fc from 'fast-check';
import type { PaygTerms } from '../../../lambdas/domain/allocate-debit';
import { allocateDebit, debitWallet } from '../../../lambdas/domain/allocate-debit';
import { InsufficientCreditsError } from '../../../lambdas/domain/errors';
import type { Bucket } from '../../../lambdas/domain/wallet';
import { PAYG_BUCKET_ID, compareDrainOrder } from '../../../lambdas/domain/wallet';
import { NOW, NOW_MS, balanceOf, capacity, expectedSpendable, frozen, iso, paygHeadroom, sumBalances, walletArb } from './arbitraries';

const paygArb = fc.boolean();
const seedArb = fc.integer({ min: 0, max: 1_000_000 });

describe('allocateDebit', () => {
  test('charges follow the drain order; a later bucket is charged only once every earlier one is emptied', () => {
    fc.assert(
      fc.property(walletArb, paygArb, seedArb, ({ buckets, paygLimitCredits }, enabled, seed) => {
        // prepare
        const payg: PaygTerms = { enabled, limitCredits: paygLimitCredits };
        const max = capacity(buckets, NOW, payg);
        fc.pre(max > 0);
        const cost = 1 + (seed % max);
        const spendable = expectedSpendable(buckets, NOW);

        // act
        const charges = allocateDebit(frozen(buckets), cost, NOW, payg);

        // assert
        const bucketCharges = charges.filter((c) => c.bucketId !== PAYG_BUCKET_ID);
        expect(bucketCharges.map((c) => c.bucketId)).toEqual(spendable.slice(0, bucketCharges.length).map((b) => b.id));
        bucketCharges.forEach((charge, i) => {
          const bucket = spendable[i]!;
          expect(charge.bucketType).toBe(bucket.type);
          expect(charge.amount).toBeGreaterThan(0);
          const isLast = i === bucketCharges.length - 1;
          if (!isLast) expect(charge.amount).toBe(bucket.balance);
          else expect(charge.amount).toBeLessThanOrEqual(bucket.balance);
        });
        const paygCharge = charges.find((c) => c.bucketId === PAYG_BUCKET_ID);
        if (paygCharge) {
          expect(charges.at(-1)).toBe(paygCharge);
          expect(bucketCharges.reduce((s, c) => s + c.amount, 0)).toBe(sumBalances(spendable));
          expect(paygCharge.amount).toBeLessThanOrEqual(paygHeadroom(buckets, payg));
        }
        expect(charges.reduce((sum, c) => sum + c.amount, 0)).toBe(cost);
      }),
    );
  });

  test('never charges an expired bucket, from the exact instant of its expiry', () => {
    fc.assert(
      fc.property(walletArb, ({ buckets }) => {
        for (const expiring of buckets.filter((b) => b.expiresAt !== null && b.type !== 'payg' && b.balance > 0)) {
          // prepare: the clock stands exactly on this bucket's expiry
          const now = new Date(expiring.expiresAt!);
          const all = sumBalances(expectedSpendable(buckets, now));
          if (all === 0) continue;

          // act: take everything that is spendable
          const charges = allocateDebit(buckets, all, now, { enabled: false, limitCredits: 0 });

          // assert
          expect(charges.map((c) => c.bucketId)).not.toContain(expiring.id);
          for (const c of charges) {
            const bucket = buckets.find((b) => b.id === c.bucketId)!;
            expect(bucket.expiresAt === null || Date.parse(bucket.expiresAt) > now.getTime()).toBe(true);
          }
        }
      }),
    );
  });

  test('a bucket expiring 1 ms from now is charged, one expiring now is not', () => {
    const bucket = (id: string, expiresMs: number): Bucket => ({ id, type: 'subscription', balance: 10, expiresAt: iso(expiresMs), createdAt: iso(NOW_MS - 1) });
    const buckets = [bucket('expired-now', NOW_MS), bucket('live', NOW_MS + 1)];

    const charges = allocateDebit(buckets, 10, NOW, { enabled: false, limitCredits: 0 });

    expect(charges).toEqual([{ bucketId: 'live', bucketType: 'subscription', amount: 10 }]);
  });

  test('drains subscription (soonest expiry first), then coupon, then top-up, then PAYG', () => {
    const at = (type: Bucket['type'], id: string, balance: number, expiresAt: string | null): Bucket => ({ id, type, balance, expiresAt, createdAt: iso(NOW_MS - 1) });
    const buckets = [
      at('topup', 'topup', 5, null),
      at('subscription', 'sub-late', 5, iso(NOW_MS + 2000)),
      at('coupon', 'coupon', 5, null),
      at('subscription', 'sub-soon', 5, iso(NOW_MS + 1000)),
    ];

    const charges = allocateDebit(buckets, 23, NOW, { enabled: true, limitCredits: 10 });

    expect(charges.map((c) => [c.bucketId, c.amount])).toEqual([['sub-soon', 5], ['sub-late', 5], ['coupon', 5], ['topup', 5], [PAYG_BUCKET_ID, 3]]);
    expect([...buckets].sort(compareDrainOrder).map((b) => b.id)).toEqual(['sub-soon', 'sub-late', 'coupon', 'topup']);
  });

  test('all or nothing: a cost above what is available throws InsufficientCreditsError and debitWallet changes nothing', () => {
    fc.assert(
      fc.property(walletArb, paygArb, fc.integer({ min: 1, max: 1000 }), ({ buckets, paygLimitCredits }, enabled, excess) => {
        // prepare
        const payg: PaygTerms = { enabled, limitCredits: paygLimitCredits };
        const cost = capacity(buckets, NOW, payg) + excess;
        const wallet = frozen(buckets);
        const before = structuredClone(buckets);

        // act
        const attempt = () => allocateDebit(wallet, cost, NOW, payg);
        const debit = () => debitWallet(wallet, { costCredits: cost, reference: 'job', now: NOW, payg });

        // assert
        const available = sumBalances(expectedSpendable(buckets, NOW));
        for (const act of [attempt, debit]) {
          let caught: unknown;
          try {
            act();
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(InsufficientCreditsError);
          const error = caught as InsufficientCreditsError;
          expect(error.code).toBe('insufficient_credits');
          expect([error.requiredCredits, error.availableCredits]).toEqual([cost, available]);
          expect(error.details).toEqual({ required: cost, available });
        }
        expect(wallet).toEqual(before);
      }),
    );
  });

  test.each([0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('refuses a cost of %p', (cost) => {
    expect(() => allocateDebit([], cost, NOW, { enabled: true, limitCredits: 100 })).toThrow(/positive integer/);
  });
});

describe('debitWallet', () => {
  test('posts one debit entry per charge with exact balances, opening a PAYG bucket when it is needed', () => {
    fc.assert(
      fc.property(walletArb, paygArb, seedArb, ({ buckets, paygLimitCredits }, enabled, seed) => {
        // prepare
        const payg: PaygTerms = { enabled, limitCredits: paygLimitCredits };
        const max = capacity(buckets, NOW, payg);
        fc.pre(max > 0);
        const cost = 1 + (seed % max);

        // act
        const { charges, change } = debitWallet(frozen(buckets), { costCredits: cost, reference: 'job-1', now: NOW, payg });

        // assert
        expect(change.entries).toEqual(
          charges.map((c) => ({
            type: 'debit',
            amount: -c.amount,
            bucketId: c.bucketId,
            bucketType: c.bucketType,
            balanceAfter: (balanceOf(buckets, c.bucketId) ?? 0) - c.amount,
            reference: 'job-1',
          })),
        );
        const opensPayg = charges.some((c) => c.bucketId === PAYG_BUCKET_ID) && balanceOf(buckets, PAYG_BUCKET_ID) === undefined;
        expect(change.buckets).toHaveLength(buckets.length + (opensPayg ? 1 : 0));
        for (const b of change.buckets) {
          const charged = charges.find((c) => c.bucketId === b.id)?.amount ?? 0;
          expect(b.balance).toBe((balanceOf(buckets, b.id) ?? 0) - charged);
          expect(b.balance).toBeGreaterThanOrEqual(b.type === 'payg' ? -paygLimitCredits : 0);
        }
        expect(sumBalances(change.buckets)).toBe(sumBalances(buckets) - cost);
      }),
    );
  });
});
