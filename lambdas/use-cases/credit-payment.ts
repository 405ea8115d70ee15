/**
 * A payment succeeded: credit its top-up, exactly once. Stripe reports one payment through several
 * events (payment_intent.succeeded, checkout.session.completed, …) and redelivers each; the payment
 * record (keyed by the payment id) and the event record are written in the same transaction as the
 * credit, so whichever arrives first credits and every other one finds it done.
 */
import { DomainError } from '../domain/errors';
import { finishAutoRefill } from '../domain/auto-refill';
import { creditNonExpiring } from '../domain/credit';
import type { PaymentRecord } from '../domain/payment-record';
import type { PaymentFacts } from '../domain/topup';
import { expectedAmountCents } from '../domain/topup';
import { log } from '../shared/logger';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export type CreditPaymentResult = 'credited' | 'already_credited' | 'amount_mismatch';

export async function creditPayment(deps: UseCaseDeps, facts: PaymentFacts, eventId: string): Promise<CreditPaymentResult> {
  if (facts.amountReceivedCents !== expectedAmountCents(facts.credits)) {
    // Money arrived that does not match what we priced: never credit a guess; a person must look.
    log().error('payment amount does not match its credits; not credited', { paymentId: facts.paymentId, credits: facts.credits, amountReceivedCents: facts.amountReceivedCents });
    return 'amount_mismatch';
  }
  return withOptimisticRetry(async () => {
    const { account, topup, payment } = await deps.store.loadForPayment(facts.accountId, facts.topupId, facts.paymentId);
    if (payment) return done('already_credited' as const);
    if (!account) throw new DomainError('event_not_ready', `No account ${facts.accountId} for payment ${facts.paymentId}.`);
    const now = deps.clock.now();
    const at = now.toISOString();
    const change = creditNonExpiring(account.buckets, { kind: 'topup', amountCredits: facts.credits, reference: facts.paymentId, now });
    const record: PaymentRecord = {
      paymentId: facts.paymentId,
      accountId: account.id,
      topupId: facts.topupId,
      credits: facts.credits,
      amountCents: facts.amountReceivedCents,
      refundedCredits: 0,
      disputedCredits: 0,
      creditedAt: at,
      updatedAt: at,
      version: 1,
    };
    // An auto-refill's credit also releases its refill lock, in the same write.
    const credited = { ...account, buckets: change.buckets };
    const released = facts.purpose === 'auto_refill' && facts.topupId ? finishAutoRefill(credited, facts.topupId, 'succeeded') : null;
    const outcome = await deps.store.commit({
      before: account,
      after: released ?? credited,
      entries: change.entries,
      at,
      providerEventId: eventId,
      payment: { before: null, after: record },
      ...(topup ? { topup: { ...topup, status: 'succeeded' as const, paymentId: facts.paymentId, updatedAt: at } } : {}),
    });
    if (outcome.kind === 'committed') return done('credited' as const);
    if (outcome.kind === 'already_applied') return done('already_credited' as const);
    return retry(outcome.kind);
  });
}
