/**
 * A top-up: credits bought with a one-off payment (by the owner, or by auto-refill with the saved
 * card). Credited once, when the provider reports the payment succeeded; taken back once if the
 * payment is refunded or disputed, and restored if the dispute is won.
 */
import type { PlanId } from './catalog';
import { PLANS, TOPUP_CENTS_PER_CREDIT } from './catalog';
import { DomainError } from './errors';
import type { PaymentPurpose } from './payment-gateway';

export type TopupStatus = 'pending' | 'succeeded' | 'failed' | 'refunded' | 'disputed';

export interface Topup {
  readonly id: string;
  readonly accountId: string;
  readonly purpose: PaymentPurpose;
  readonly credits: number;
  readonly amountCents: number;
  readonly currency: 'usd';
  readonly status: TopupStatus;
  readonly paymentId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function assertTopupWithinPlan(plan: PlanId, credits: number): void {
  const { minTopupCredits, maxTopupCredits } = PLANS[plan];
  if (credits < minTopupCredits || credits > maxTopupCredits) {
    throw new DomainError('invalid_request', `Top-ups on your plan are ${minTopupCredits} to ${maxTopupCredits} credits.`, {
      issues: [{ path: 'body.credits', message: `between ${minTopupCredits} and ${maxTopupCredits}` }],
    });
  }
}

/** What a payment must have received for these credits. */
export function expectedAmountCents(credits: number): number {
  return credits * TOPUP_CENTS_PER_CREDIT;
}

/** The payment facts a webhook event carries for a top-up, read from the metadata we set. */
export interface PaymentFacts {
  readonly paymentId: string;
  readonly accountId: string;
  readonly topupId: string | null;
  readonly credits: number;
  readonly purpose: PaymentPurpose;
  readonly amountReceivedCents: number;
}
