import fc from 'fast-check';
import { expireBuckets, nextExpiryAt } from '../../../lambdas/domain/expiry';
import type { Bucket } from '../../../lambdas/domain/wallet';
import { DAY_MS, NOW, NOW_MS, balanceOf, frozen, iso, walletArb } from './arbitraries';

const isExpiredAt = (b: Bucket, ms: number): boolean => b.expiresAt !== null && Date.parse(b.expiresAt) <= ms;
const clockArb = fc.oneof(fc.constant(0), fc.integer({ min: -5 * DAY_MS, max: 5 * DAY_MS })).map((d) => new Date(NOW_MS + d));

describe('expireBuckets', () => {
  test('zeroes exactly the expired buckets that hold credits, one expire entry each', () => {
    fc.assert(
      fc.property(walletArb, clockArb, ({ buckets }, now) => {
        // prepare
        const due = buckets.filter((b) => b.type !== 'payg' && b.balance > 0 && isExpiredAt(b, now.getTime()));

        // act
        const change = expireBuckets(frozen(buckets), now);

        // assert
        expect(change.entries).toEqual(
          due.map((b) => ({ type: 'expire', amount: -b.balance, bucketId: b.id, bucketType: b.type, balanceAfter: 0, reference: b.id })),
        );
        expect(change.buckets).toHaveLength(buckets.length);
        for (const b of change.buckets) {
          expect(b.balance).toBe(due.some((d) => d.id === b.id) ? 0 : balanceOf(buckets, b.id));
        }
      }),
    );
  });

  test('expires a bucket from the exact instant of its expiry, not a millisecond before', () => {
    const bucket: Bucket = { id: 'sub:1', type: 'subscription', balance: 7, expiresAt: iso(NOW_MS), createdAt: iso(NOW_MS - DAY_MS) };

    const before = expireBuckets([bucket], new Date(NOW_MS - 1));
    const at = expireBuckets([bucket], NOW);

    expect(before.entries).toEqual([]);
    expect(at.entries.map((e) => [e.type, e.amount, e.balanceAfter])).toEqual([['expire', -7, 0]]);
  });

  test('is idempotent: a second run at the same instant changes nothing', () => {
    fc.assert(
      fc.property(walletArb, clockArb, ({ buckets }, now) => {
        const first = expireBuckets(buckets, now);

        const second = expireBuckets(first.buckets, now);

        expect(second.entries).toEqual([]);
        expect(second.buckets).toEqual(first.buckets);
      }),
    );
  });
});

describe('nextExpiryAt', () => {
  test('is the earliest expiry among buckets that still hold credits', () => {
    fc.assert(
      fc.property(walletArb, ({ buckets }) => {
        // prepare
        const instants = buckets.filter((b) => b.balance > 0 && b.expiresAt !== null).map((b) => Date.parse(b.expiresAt!));

        // act
        const next = nextExpiryAt(buckets);

        // assert
        expect(next).toBe(instants.length === 0 ? null : iso(Math.min(...instants)));
      }),
    );
  });

  test('after an expiry run, the next expiry is in the future (or there is none)', () => {
    fc.assert(
      fc.property(walletArb, clockArb, ({ buckets }, now) => {
        const next = nextExpiryAt(expireBuckets(buckets, now).buckets);

        expect(next === null || Date.parse(next) > now.getTime()).toBe(true);
      }),
    );
  });
});
