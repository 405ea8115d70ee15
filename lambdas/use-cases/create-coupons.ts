/**
 * Issues a batch of coupon codes for a campaign (admin). All codes of a batch are created in one
 * transaction; a clash with an existing code (astronomically rare) regenerates the whole batch. A
 * transient failure of that transaction (a conflict, throttling: nothing written) is retried like
 * every other write; after too many, the answer is 409 write_conflict and no code exists.
 */
import type { Coupon } from '../domain/coupon';
import { generateCouponCode } from '../domain/coupon-code';
import { DomainError } from '../domain/errors';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export const MAX_COUPONS_PER_BATCH = 100;
/** Batches regenerated because a code already existed, before giving up. */
const MAX_CODE_CLASHES = 3;

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
  let clashes = 0;
  return withOptimisticRetry(async () => {
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
    const outcome = await deps.store.createCoupons(coupons);
    if (outcome === 'created') return done({ campaign, credits: input.credits, codes: [...codes] });
    if (outcome === 'retry') return retry('store_busy');
    clashes += 1;
    if (clashes >= MAX_CODE_CLASHES) throw new Error(`could not find unused coupon codes after ${MAX_CODE_CLASHES} batches`);
    return retry('coupon_code_exists');
  });
}
