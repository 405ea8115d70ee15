import type { CouponCode } from './coupon-code';
import { CouponExhaustedError, CouponExpiredError } from './errors';

export interface Coupon {
  readonly code: CouponCode;
  readonly campaign: string;
  readonly credits: number;
  readonly maxRedemptions: number;
  readonly redemptions: number;
  /** ISO instant after which the code can no longer be redeemed; null = no deadline. */
  readonly redeemBy: string | null;
  readonly createdAt: string;
}

/**
 * Distinct codes an account may look up per hour without redeeming them (unknown, expired, used
 * up), against guessing. A slot is taken before the lookup and given back when the code turns out
 * redeemable, so the limit bounds the real lookups of wrong codes even under concurrency.
 */
export const MAX_FAILED_COUPON_ATTEMPTS_PER_HOUR = 10;

export function assertRedeemable(coupon: Coupon, now: Date): void {
  if (coupon.redeemBy !== null && Date.parse(coupon.redeemBy) <= now.getTime()) throw new CouponExpiredError();
  if (coupon.redemptions >= coupon.maxRedemptions) throw new CouponExhaustedError();
}
