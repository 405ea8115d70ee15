/**
 * What the service knows of one provider payment: created when what it paid for lands (a top-up's
 * credits, a subscription period's or an upgrade's grant, the PAYG usage an invoice settled), in the
 * same transaction; the dedupe of every event that reports the same payment. Then it tracks how much
 * of it was taken back by refunds and by a dispute.
 */
export type PaymentKind = 'topup' | 'subscription' | 'payg';

export interface PaymentRecord {
  readonly paymentId: string;
  readonly accountId: string;
  /**
   * What the payment bought (absent on records written before invoices had payments: top-ups).
   * Not `kind`: that is the stored item's own type attribute.
   * topup: credits in the top-up bucket; subscription: a grant into `bucketId`; payg: usage it settled.
   */
  readonly paidFor?: PaymentKind;
  /** The bucket a subscription payment granted into (its credits are taken back from there first). */
  readonly bucketId?: string;
  /** The provider's invoice this payment paid (subscription and PAYG payments). */
  readonly providerInvoiceId?: string;
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
  /**
   * Credits of this payment's take-backs that became a debt (they were spent before they were
   * taken back), less those a restoration gave back. A restoration after the credited bucket
   * expired gives back only this as spendable value (credit.ts restorePayment). Absent when unknown:
   * records taken back before it was kept.
   */
  readonly owedCredits?: number;
  readonly creditedAt: string;
  readonly updatedAt: string;
  /** Set by the store: each change writes the next (1 when created); the guard on updates. */
  readonly version: number;
}

export function paymentKindOf(payment: PaymentRecord): PaymentKind {
  return payment.paidFor ?? 'topup';
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
