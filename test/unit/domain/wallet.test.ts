import fc from 'fast-check';
import type { Bucket } from '../../../lambdas/domain/wallet';
import { availableCredits, compareDrainOrder, paygUsed, post, spendableBuckets, visibleBuckets, withBucket } from '../../../lambdas/domain/wallet';
import { NOW, NOW_MS, expectedSpendable, iso, sumBalances, walletArb } from './arbitraries';

const sign = (n: number): number => Math.sign(n);

describe('compareDrainOrder', () => {
  test('is a total order: antisymmetric, transitive, and only equal for the same bucket id', () => {
    fc.assert(
      fc.property(walletArb, ({ buckets }) => {
        for (const a of buckets) {
          for (const b of buckets) {
            expect(sign(compareDrainOrder(a, b)) + sign(compareDrainOrder(b, a))).toBe(0);
            expect(compareDrainOrder(a, b) === 0).toBe(a.id === b.id);
            for (const c of buckets) {
              if (compareDrainOrder(a, b) < 0 && compareDrainOrder(b, c) < 0) expect(compareDrainOrder(a, c)).toBeLessThan(0);
            }
          }
        }
      }),
    );
  });

  test('the sorted order does not depend on storage order', () => {
    fc.assert(
      fc.property(walletArb, fc.nat(), ({ buckets }, seed) => {
        const rotated = [...buckets.slice(seed % (buckets.length || 1)), ...buckets.slice(0, seed % (buckets.length || 1))];

        expect([...rotated].reverse().sort(compareDrainOrder)).toEqual([...buckets].sort(compareDrainOrder));
      }),
    );
  });

  test('ranks subscription < coupon < top-up < PAYG, then soonest expiry, never-expiring last', () => {
    const b = (id: string, type: Bucket['type'], expiresAt: string | null): Bucket => ({ id, type, balance: 1, expiresAt, createdAt: iso(NOW_MS) });
    const buckets = [b('p', 'payg', null), b('t', 'topup', null), b('s-never', 'subscription', null), b('c', 'coupon', iso(NOW_MS)), b('s2', 'subscription', iso(NOW_MS + 2)), b('s1', 'subscription', iso(NOW_MS + 1))];

    expect([...buckets].sort(compareDrainOrder).map((x) => x.id)).toEqual(['s1', 's2', 's-never', 'c', 't', 'p']);
  });
});

describe('spendable and visible buckets', () => {
  test('spendable = unexpired non-PAYG buckets with credits, in drain order; available is their sum', () => {
    fc.assert(
      fc.property(walletArb, ({ buckets }) => {
        expect(spendableBuckets(buckets, NOW)).toEqual(expectedSpendable(buckets, NOW));
        expect(availableCredits(buckets, NOW)).toBe(sumBalances(expectedSpendable(buckets, NOW)));
      }),
    );
  });

  test('visible buckets hide PAYG and expired buckets, keep empty ones', () => {
    fc.assert(
      fc.property(walletArb, ({ buckets }) => {
        const visible = visibleBuckets(buckets, NOW);

        const expected = buckets.filter((b) => b.type !== 'payg' && (b.expiresAt === null || Date.parse(b.expiresAt) > NOW_MS));
        expect(visible).toEqual([...expected].sort(compareDrainOrder));
      }),
    );
  });

  test('paygUsed is minus the PAYG balance, 0 without a PAYG bucket', () => {
    expect(paygUsed([])).toBe(0);
    expect(paygUsed([{ id: 'payg', type: 'payg', balance: -42, expiresAt: null, createdAt: iso(NOW_MS) }])).toBe(42);
  });
});

describe('post', () => {
  const topup: Bucket = { id: 'topup', type: 'topup', balance: 10, expiresAt: null, createdAt: iso(NOW_MS) };
  const payg: Bucket = { id: 'payg', type: 'payg', balance: -5, expiresAt: null, createdAt: iso(NOW_MS) };

  test('applies postings in order with exact balances after each', () => {
    const change = post([topup], [{ type: 'debit', bucketId: 'topup', amount: -4, reference: 'a' }, { type: 'refund', bucketId: 'topup', amount: 4, reference: 'b' }], { paygLimitCredits: 0 });

    expect(change.entries.map((e) => e.balanceAfter)).toEqual([6, 10]);
    expect(change.buckets).toEqual([topup]);
  });

  test('refuses to take a bucket below its floor: 0, or minus the PAYG limit', () => {
    expect(() => post([topup], [{ type: 'debit', bucketId: 'topup', amount: -11, reference: 'a' }], { paygLimitCredits: 100 })).toThrow(/below 0/);
    expect(post([payg], [{ type: 'debit', bucketId: 'payg', amount: -5, reference: 'a' }], { paygLimitCredits: 10 }).buckets[0]!.balance).toBe(-10);
    expect(() => post([payg], [{ type: 'debit', bucketId: 'payg', amount: -6, reference: 'a' }], { paygLimitCredits: 10 })).toThrow(/below -10/);
  });

  test.each([0, 1.5, Number.NaN])('refuses a posting amount of %p', (amount) => {
    expect(() => post([topup], [{ type: 'adjustment', bucketId: 'topup', amount, reference: 'a' }], { paygLimitCredits: 0 })).toThrow(/non-zero integer/);
  });

  test('refuses a posting to an unknown bucket', () => {
    expect(() => post([], [{ type: 'topup', bucketId: 'topup', amount: 1, reference: 'a' }], { paygLimitCredits: 0 })).toThrow(/unknown bucket/);
  });

  test('withBucket adds a zero-balance bucket once and never replaces an existing one', () => {
    const added = withBucket([], { id: 'topup', type: 'topup', expiresAt: null, createdAt: iso(NOW_MS) });
    const again = withBucket([topup], { id: 'topup', type: 'topup', expiresAt: null, createdAt: iso(NOW_MS + 1) });

    expect(added).toEqual([{ ...topup, balance: 0 }]);
    expect(again).toEqual([topup]);
  });
});
