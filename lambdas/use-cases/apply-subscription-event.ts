/**
 * Subscription events from the payment provider, each applied once: the account change, any
 * credits it grants, the payment that paid for them and the event record commit together. A paid
 * period is granted once per (account, period), a paid upgrade once per invoice, however many
 * events report them.
 */
import type { Account } from '../domain/account';
import { DomainError } from '../domain/errors';
import type { PaymentRecord } from '../domain/payment-record';
import type { ProviderEvent } from '../domain/provider-event';
import type { SubscriptionInvoice } from '../domain/subscription';
import { applySubscriptionChange, endSubscription, grantPaidPeriod, grantPaidUpgrade } from '../domain/subscription';
import type { WalletChange } from '../domain/wallet';
import { subscriptionBucketId } from '../domain/credit';
import { log } from '../shared/logger';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

type SubscriptionEvent = Extract<ProviderEvent, { kind: 'subscription_changed' | 'subscription_ended' | 'period_paid' | 'upgrade_paid' }>;
type PaidInvoiceEvent = Extract<SubscriptionEvent, { kind: 'period_paid' | 'upgrade_paid' }>;

interface Decision {
  readonly account: Account;
  readonly change: WalletChange;
  /** What a paid invoice bought: recorded with its payment, so a refund or dispute can take it back. */
  readonly paid?: { readonly credits: number; readonly bucketId: string | null; readonly periodStart: string; readonly periodEnd: string };
}

export async function applySubscriptionEvent(deps: UseCaseDeps, event: SubscriptionEvent): Promise<string> {
  const accountId = event.kind === 'subscription_changed' ? event.facts.accountId : event.accountId;
  // The invoice's payment, asked of the provider once per delivery: it is recorded with the grant.
  const paymentId = isPaidInvoice(event) ? await paymentOf(deps, event) : null;
  return withOptimisticRetry(async () => {
    const account = await deps.store.loadAccount(accountId);
    if (!account) throw new DomainError('event_not_ready', `No account ${accountId} yet.`);
    const now = deps.clock.now();
    const decided = decide(account, event, now);
    if (!decided) return done('unchanged');
    const at = now.toISOString();
    const paid = isPaidInvoice(event) && decided.paid ? { event, paid: decided.paid } : null;
    const outcome = await deps.store.commit({
      before: account,
      after: decided.account,
      entries: decided.change.entries,
      at,
      providerEventId: event.eventId,
      ...(event.kind === 'period_paid' ? { grantedPeriodStart: event.periodStart } : {}),
      ...(paid ? { subscriptionInvoice: invoiceOf(paid.event, paid.paid, paymentId, at) } : {}),
      ...(paid && paymentId ? { payment: { before: null, after: paymentRecordOf(paid.event, paid.paid, paymentId, at) } } : {}),
    });
    if (outcome.kind === 'committed') return done('applied');
    if (outcome.kind === 'already_applied') return done('already_applied');
    return retry(outcome.kind);
  });
}

function isPaidInvoice(event: SubscriptionEvent): event is PaidInvoiceEvent {
  return event.kind === 'period_paid' || event.kind === 'upgrade_paid';
}

const invoiceIdOf = (event: PaidInvoiceEvent) => (event.kind === 'period_paid' ? event.invoiceId : event.upgrade.invoiceId);
const amountPaidOf = (event: PaidInvoiceEvent) => (event.kind === 'period_paid' ? event.amountPaidCents : event.upgrade.amountPaidCents);

async function paymentOf(deps: UseCaseDeps, event: PaidInvoiceEvent): Promise<string | null> {
  if (amountPaidOf(event) <= 0) return null;
  const paymentId = await deps.payments.invoicePaymentId(invoiceIdOf(event)).catch((error: unknown) => {
    throw new DomainError('event_not_ready', `The invoice's payment could not be read from the provider; retry later.`, undefined, { cause: error });
  });
  // Charged, yet the provider names no payment: grant what was paid for, but its refunds cannot be matched: a person must look.
  if (!paymentId) log().error('a paid invoice has no visible payment; recorded without one', { invoiceId: invoiceIdOf(event) });
  return paymentId;
}

function invoiceOf(event: PaidInvoiceEvent, paid: NonNullable<Decision['paid']>, paymentId: string | null, at: string): SubscriptionInvoice {
  const invoiceId = invoiceIdOf(event);
  return { kind: 'subscription', id: invoiceId, accountId: event.accountId, credits: paid.credits, amountCents: amountPaidOf(event), status: 'paid', providerInvoiceId: invoiceId, paymentId, periodStart: paid.periodStart, periodEnd: paid.periodEnd, createdAt: at, updatedAt: at };
}

function paymentRecordOf(event: PaidInvoiceEvent, paid: NonNullable<Decision['paid']>, paymentId: string, at: string): PaymentRecord {
  return {
    paymentId,
    accountId: event.accountId,
    paidFor: 'subscription',
    ...(paid.bucketId ? { bucketId: paid.bucketId } : {}),
    providerInvoiceId: invoiceIdOf(event),
    topupId: null,
    credits: paid.credits,
    amountCents: amountPaidOf(event),
    refundedCredits: 0,
    disputedCredits: 0,
    creditedAt: at,
    updatedAt: at,
    version: 1,
  };
}

function decide(account: Account, event: SubscriptionEvent, now: Date): Decision | null {
  switch (event.kind) {
    case 'subscription_changed':
      return applySubscriptionChange(account, event.facts);
    case 'subscription_ended':
      return account.subscription.subscriptionId === event.subscriptionId ? endSubscription(account, event, now) : null;
    case 'period_paid': {
      // Events come in any order: an invoice paid before we saw its subscription is retried later.
      // Likewise an invoice paid before its subscription turned active (the plan is still FREE).
      const granted = account.buckets.some((b) => b.id === subscriptionBucketId(event.periodStart));
      if (!granted && (account.subscription.subscriptionId !== event.subscriptionId || account.plan === 'FREE')) {
        throw new DomainError('event_not_ready', `Subscription ${event.subscriptionId} is not known on this account yet.`);
      }
      const decided = grantPaidPeriod(account, { subscriptionId: event.subscriptionId, start: event.periodStart, end: event.periodEnd, plan: event.plan }, now);
      if (!decided) return null;
      const credits = decided.change.entries.filter((e) => e.type === 'grant').reduce((sum, e) => sum + e.amount, 0);
      return { ...decided, paid: { credits, bucketId: subscriptionBucketId(event.periodStart), periodStart: event.periodStart, periodEnd: event.periodEnd } };
    }
    case 'upgrade_paid': {
      const { upgrade } = event;
      if (account.subscription.subscriptionId === null) throw new DomainError('event_not_ready', `Subscription ${upgrade.subscriptionId} is not known on this account yet.`);
      if (account.subscription.subscriptionId !== upgrade.subscriptionId) {
        log().error('an upgrade invoice was paid for a subscription this account does not follow; nothing granted', { invoiceId: upgrade.invoiceId, subscriptionId: upgrade.subscriptionId });
        return null;
      }
      // The account has not yet followed the subscription into the period this upgrade is for: retried later.
      if (account.plan === 'FREE' || upgrade.periodEnd > account.currentPeriod.end) throw new DomainError('event_not_ready', `Upgrade invoice ${upgrade.invoiceId} is for a period this account has not reached yet.`);
      const decided = grantPaidUpgrade(account, upgrade, now);
      if (!decided) return null;
      return { account: decided.account, change: decided.change, paid: { credits: decided.credits, bucketId: decided.bucketId, periodStart: upgrade.coveredFrom, periodEnd: upgrade.periodEnd } };
    }
  }
}
