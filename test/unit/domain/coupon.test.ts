import fc from 'fast-check';
import type { Coupon } from '../../../lambdas/domain/coupon';
import { assertRedeemable } from '../../../lambdas/domain/coupon';
import type { CouponCode } from '../../../lambdas/domain/coupon-code';
import { CouponExhaustedError, CouponExpiredError } from '../../../lambdas/domain/errors';
import { NOW, NOW_MS, iso } from './arbitraries';

const coupon = (overrides: Partial<Coupon> = {}): Coupon => ({
  code: 'LAUNCH-ABCD-EFGH' as CouponCode,
  campaign: 'LAUNCH',
  credits: 50,
  maxRedemptions: 10,
  redemptions: 0,
  redeemBy: null,
  createdAt: iso(NOW_MS - 1000),
  ...overrides,
});

function outcome(c: Coupon, now: Date): string {
  try {
    assertRedeemable(c, now);
    return 'ok';
  } catch (error) {
    if (error instanceof CouponExpiredError) return 'expired';
    if (error instanceof CouponExhaustedError) return 'exhausted';
    throw error;
  }
}

describe('assertRedeemable', () => {
  test('expired from the redeemBy instant on, exhausted once redemptions reach the maximum', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: -1000, max: 1000 })),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 25 }),
        (redeemByOffset, maxRedemptions, redemptions) => {
          // prepare
          const c = coupon({ redeemBy: redeemByOffset === null ? null : iso(NOW_MS + redeemByOffset), maxRedemptions, redemptions });

          // act
          const result = outcome(c, NOW);

          // assert
          const expired = redeemByOffset !== null && redeemByOffset <= 0;
          expect(result).toBe(expired ? 'expired' : redemptions >= maxRedemptions ? 'exhausted' : 'ok');
        },
      ),
    );
  });

  test('boundaries: 1 ms before redeemBy is fine, at redeemBy it is expired; max-1 redemptions is fine', () => {
    expect(outcome(coupon({ redeemBy: iso(NOW_MS + 1) }), NOW)).toBe('ok');
    expect(outcome(coupon({ redeemBy: iso(NOW_MS) }), NOW)).toBe('expired');
    expect(outcome(coupon({ redemptions: 9 }), NOW)).toBe('ok');
    expect(outcome(coupon({ redemptions: 10 }), NOW)).toBe('exhausted');
  });

  test('errors carry their stable codes', () => {
    expect(() => assertRedeemable(coupon({ redeemBy: iso(NOW_MS) }), NOW)).toThrow(expect.objectContaining({ code: 'coupon_expired', name: 'CouponExpiredError' }));
    expect(() => assertRedeemable(coupon({ redemptions: 10 }), NOW)).toThrow(expect.objectContaining({ code: 'coupon_exhausted', name: 'CouponExhaustedError' }));
  });
});
