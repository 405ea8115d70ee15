/**
 * Issues a batch of coupon codes for a campaign (admin). All codes of a batch are created in one
 * transaction; a clash with an existing code (astronomically rare) regenerates the whole batch.
 */
import type { Coupon } from '../domain/coupon';
import { generateCouponCode } from '../domain/coupon-code';
import { DomainError } from '../domain/errors';
import type { UseCaseDeps } from './context';

export const MAX_COUPONS_PER_BATCH = 100;

export interface CreateCouponsInput {
  readonly campaign: string;
  readonly credits: number;
  readonly count: number;
  readonly maxRedemptions: number;
  readonly redeemBy: string | null;
}

export async function createCoupons(deps: UseCaseDeps, input: CreateCouponsInput): Promise<{ campaign: string; credits: number; codes: string[] }> {
  const campaign = input.campaign.trim().toUpperCase();
  if (input.redeemBy !== null && Date.parse(input.redeemBy) <= deps.clock.now().getTime()) {
    throw new DomainError('invalid_request', 'redeemBy must be in the future.', { issues: [{ path: 'body.redeemBy', message: 'in the past' }] });
  }
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const createdAt = deps.clock.now().toISOString();
    const codes = new Set<string>();
    while (codes.size < input.count) codes.add(generateCouponCode(campaign, deps.randomBytes));
    const coupons: Coupon[] = [...codes].map((code) => ({
      code: code as Coupon['code'],
      campaign,
      credits: input.credits,
      maxRedemptions: input.maxRedemptions,
      redemptions: 0,
      redeemBy: input.redeemBy,
      createdAt,
    }));
    if (await deps.store.createCoupons(coupons)) return { campaign, credits: input.credits, codes: [...codes] };
  }
  throw new Error('could not find unused coupon codes after 3 batches');
}
