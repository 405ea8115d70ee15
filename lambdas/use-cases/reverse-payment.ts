/**
 * Money going back out: a refund or a dispute takes a payment's credits back, and a dispute that is
 * won restores them. Each event sets how much of the payment should be taken back; the difference to
 * what already is gets applied once (guarded by the payment record as read and the event record).
 */
import { restorePayment, takeBackPayment } from '../domain/credit';
import { DomainError } from '../domain/errors';
import type { PaymentRecord } from '../domain/payment-record';
import { refundedCreditsFor, takenBackCredits } from '../domain/payment-record';
import type { TopupStatus } from '../domain/topup';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export type Reversal =
  | { readonly kind: 'refunded'; readonly amountRefundedCents: number }
  | { readonly kind: 'dispute_opened' }
  | { readonly kind: 'dispute_won' }
  | { readonly kind: 'dispute_lost' };

export type ReversalResult = 'adjusted' | 'unchanged' | 'already_applied';

export async function reversePayment(deps: UseCaseDeps, paymentId: string, reversal: Reversal, eventId: string): Promise<ReversalResult> {
  return withOptimisticRetry(async () => {
    const known = await deps.store.getPayment(paymentId);
    // Events arrive in any order: a refund may come before the payment's credit. Stripe retries a
    // 5xx, and by then the credit has landed.
    if (!known) throw new DomainError('event_not_ready', `Payment ${paymentId} has not been credited yet; retry later.`);
    const { account, topup, payment } = await deps.store.loadForPayment(known.accountId, known.topupId, paymentId);
    if (!account || !payment) throw new Error(`payment ${paymentId} lost its account`);

    const next = nextPaymentState(payment, reversal);
    const delta = takenBackCredits(next) - takenBackCredits(payment);
    if (delta === 0 && next.refundedCredits === payment.refundedCredits && next.disputedCredits === payment.disputedCredits && next.disputeStatus === payment.disputeStatus) return done('unchanged' as const);

    const now = deps.clock.now();
    const at = now.toISOString();
    const change =
      delta > 0
        ? takeBackPayment(account.buckets, { credits: delta, reference: paymentId, now })
        : delta < 0
          ? restorePayment(account.buckets, { credits: -delta, reference: paymentId, now })
          : { buckets: account.buckets, entries: [] };
    const status: TopupStatus = next.disputedCredits > 0 ? 'disputed' : next.refundedCredits > 0 ? 'refunded' : 'succeeded';
    const outcome = await deps.store.commit({
      before: account,
      after: { ...account, version: account.version + 1, buckets: change.buckets },
      entries: change.entries,
      at,
      providerEventId: eventId,
      payment: { before: payment, after: { ...next, updatedAt: at, version: payment.version + 1 } },
      ...(topup ? { topup: { ...topup, status, updatedAt: at } } : {}),
    });
    if (outcome.kind === 'committed') return done('adjusted' as const);
    if (outcome.kind === 'already_applied') return done('already_applied' as const);
    return retry(outcome.kind);
  });
}

function nextPaymentState(payment: PaymentRecord, reversal: Reversal): PaymentRecord {
  switch (reversal.kind) {
    case 'refunded':
      // Refund events carry the running total refunded; never give back credits for a lower total.
      return { ...payment, refundedCredits: Math.max(payment.refundedCredits, refundedCreditsFor(payment, reversal.amountRefundedCents)) };
    case 'dispute_opened':
      // Events arrive in any order: a dispute already closed (won or lost) is not reopened by its late `created` event.
      if (payment.disputeStatus === 'won' || payment.disputeStatus === 'lost') return payment;
      return { ...payment, disputedCredits: payment.credits - payment.refundedCredits, disputeStatus: 'open' };
    case 'dispute_lost':
      return { ...payment, disputedCredits: payment.credits - payment.refundedCredits, disputeStatus: 'lost' };
    case 'dispute_won':
      return { ...payment, disputedCredits: 0, disputeStatus: 'won' };
  }
}
