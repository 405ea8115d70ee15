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

/** Failed redemption attempts allowed per account per hour, against guessing codes. */
export const MAX_FAILED_COUPON_ATTEMPTS_PER_HOUR = 10;

export function assertRedeemable(coupon: Coupon, now: Date): void {
  if (coupon.redeemBy !== null && Date.parse(coupon.redeemBy) <= now.getTime()) throw new CouponExpiredError();
  if (coupon.redemptions >= coupon.maxRedemptions) throw new CouponExhaustedError();
}
