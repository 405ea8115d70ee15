/**
 * What the service knows of one provider payment for a top-up: created when its credits land
 * (the dedupe of every event that reports the same payment), then tracking how much of it was
 * taken back by refunds and by an open dispute.
 */
export interface PaymentRecord {
  readonly paymentId: string;
  readonly accountId: string;
  readonly topupId: string | null;
  readonly credits: number;
  readonly amountCents: number;
  /** Credits taken back because the payment was (partly) refunded. */
  readonly refundedCredits: number;
  /** Credits held back by an open or lost dispute. */
  readonly disputedCredits: number;
  /**
   * Where the payment's dispute stands, once one was reported (absent before: records written
   * before this field read as no dispute). A closed dispute (won or lost) is final: Stripe does not
   * order its events, and a `charge.dispute.created` that arrives after its `charge.dispute.closed`
   * must not take the credits back again.
   */
  readonly disputeStatus?: 'open' | 'won' | 'lost';
  readonly creditedAt: string;
  readonly updatedAt: string;
  /** Bumped by every change; the guard on updates. */
  readonly version: number;
}

/** Credits currently taken back from this payment. */
export function takenBackCredits(payment: PaymentRecord): number {
  return Math.min(payment.credits, payment.refundedCredits + payment.disputedCredits);
}

/** The credits a refund of `amountRefundedCents` out of the payment takes back (whole credits, rounded down). */
export function refundedCreditsFor(payment: PaymentRecord, amountRefundedCents: number): number {
  if (payment.amountCents <= 0) return 0;
  return Math.min(payment.credits, Math.floor((payment.credits * amountRefundedCents) / payment.amountCents));
}
