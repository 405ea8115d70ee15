/**
 * Money going back out: a refund or a dispute takes a payment's credits back, and a dispute that is
 * won restores them. Each event sets how much of the payment should be taken back; the difference to
 * what already is gets applied once (guarded by the payment record as read and the event record).
 * The same rules for every kind of payment: a top-up's credits leave the top-up bucket, a
 * subscription payment's leave the bucket it granted, a PAYG payment reopens the usage it settled
 * as a debt; whatever was already spent becomes a debt the next credits pay first.
 */
import type { Account } from '../domain/account';
import { restorePayment, takeBackPayment } from '../domain/credit';
import { DomainError } from '../domain/errors';
import type { PaymentRecord } from '../domain/payment-record';
import { paymentKindOf, refundedCreditsFor, takenBackCredits } from '../domain/payment-record';
import type { TopupStatus } from '../domain/topup';
import type { WalletChange } from '../domain/wallet';
import { log } from '../shared/logger';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export type Reversal =
  | { readonly kind: 'refunded'; readonly amountRefundedCents: number }
  | { readonly kind: 'dispute_opened' }
  | { readonly kind: 'dispute_won' }
  | { readonly kind: 'dispute_lost' };

export type ReversalResult = 'adjusted' | 'unchanged' | 'already_applied' | 'unknown_payment';

/**
 * How long a reversal of a payment we have no record of is answered 503 (Stripe retries it): the
 * payment's own event may still be on its way (Stripe does not order events, and retries ours
 * after an outage). Past this, the payment is not one of ours: acknowledged and logged, never
 * retried for Stripe's three days.
 */
export const UNKNOWN_PAYMENT_RETRY_HOURS = 24;

export async function reversePayment(deps: UseCaseDeps, event: { eventId: string; eventCreatedAt: string; paymentId: string }, reversal: Reversal): Promise<ReversalResult> {
  const { paymentId, eventId } = event;
  return withOptimisticRetry(async () => {
    const known = await deps.store.getPayment(paymentId);
    if (!known) return done(unknownPayment(deps, event));
    const { account, topup, payment } = await deps.store.loadForPayment(known.accountId, known.topupId, paymentId);
    if (!account || !payment) throw new Error(`payment ${paymentId} lost its account`);

    const next = nextPaymentState(payment, reversal);
    const delta = takenBackCredits(next) - takenBackCredits(payment);
    if (delta === 0 && next.refundedCredits === payment.refundedCredits && next.disputedCredits === payment.disputedCredits && next.disputeStatus === payment.disputeStatus) return done('unchanged' as const);

    const now = deps.clock.now();
    const at = now.toISOString();
    const { owedCredits, ...change } = walletChangeOf(account, payment, delta, now);
    const status: TopupStatus = next.disputedCredits > 0 ? 'disputed' : next.refundedCredits > 0 ? 'refunded' : 'succeeded';
    const outcome = await deps.store.commit({
      before: account,
      after: { ...account, buckets: change.buckets, status: standingAfter(account, payment, next) },
      entries: change.entries,
      at,
      providerEventId: eventId,
      payment: { before: payment, after: { ...next, ...(owedCredits === undefined ? {} : { owedCredits }), updatedAt: at } },
      ...(topup ? { topup: { ...topup, status, updatedAt: at } } : {}),
    });
    if (outcome.kind === 'committed') return done('adjusted' as const);
    if (outcome.kind === 'already_applied') return done('already_applied' as const);
    return retry(outcome.kind);
  });
}

function unknownPayment(deps: UseCaseDeps, event: { eventId: string; eventCreatedAt: string; paymentId: string }): 'unknown_payment' {
  const ageMs = deps.clock.now().getTime() - Date.parse(event.eventCreatedAt);
  if (ageMs < UNKNOWN_PAYMENT_RETRY_HOURS * 3600_000) throw new DomainError('event_not_ready', `Payment ${event.paymentId} is not recorded yet; retry later.`);
  log().warn('a reversal names a payment this service never recorded; acknowledged', { eventId: event.eventId, paymentId: event.paymentId });
  return 'unknown_payment';
}

/**
 * Where the credits go: out of the bucket the payment credited (a PAYG payment credited none), or
 * back into it; and the payment's `owedCredits` after it (undefined: unknown, left as it is).
 * Credits that expired unused are not owed when taken back, and a won dispute after the bucket
 * expired gives back as spendable only what the take-back made a debt (credit.ts).
 */
function walletChangeOf(account: Account, payment: PaymentRecord, delta: number, now: Date): WalletChange & { owedCredits: number | undefined } {
  const kind = paymentKindOf(payment);
  const bucketId = kind === 'topup' ? undefined : kind === 'payg' ? null : (payment.bucketId ?? null);
  // Known from the first take-back on; a record taken back before it was kept stays unknown.
  const owedBefore = payment.owedCredits ?? (takenBackCredits(payment) === 0 ? 0 : undefined);
  if (delta > 0) {
    const { owedCredits, ...change } = takeBackPayment(account.buckets, { credits: delta, reference: payment.paymentId, now, from: bucketId });
    return { ...change, owedCredits: owedBefore === undefined ? undefined : owedBefore + owedCredits };
  }
  if (delta < 0) {
    const { owedRestored, ...change } = restorePayment(account.buckets, { credits: -delta, reference: payment.paymentId, now, into: bucketId, ...(owedBefore === undefined ? {} : { owed: owedBefore }) });
    return { ...change, owedCredits: owedBefore === undefined ? undefined : owedBefore - owedRestored };
  }
  return { buckets: account.buckets, entries: [], owedCredits: owedBefore };
}

/**
 * A subscription payment taken back leaves the subscription not in good standing (`past_due`, as
 * Stripe calls an unpaid subscription) until the money is restored or the provider reports its
 * status again; other payments do not change the subscription.
 */
function standingAfter(account: Account, payment: PaymentRecord, next: PaymentRecord): Account['status'] {
  if (paymentKindOf(payment) !== 'subscription' || account.plan === 'FREE' || account.status === 'canceled') return account.status;
  if (takenBackCredits(next) > 0 || next.refundedCredits > 0 || next.disputeStatus === 'open' || next.disputeStatus === 'lost') return 'past_due';
  return payment.disputeStatus === 'open' ? 'active' : account.status;
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
