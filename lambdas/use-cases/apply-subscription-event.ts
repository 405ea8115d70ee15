/**
 * Subscription events from the payment provider, each applied once: the account change, any
 * credits it grants and the event record commit together. A paid period is granted once per
 * (account, period) however many events report it.
 */
import type { Account } from '../domain/account';
import { DomainError } from '../domain/errors';
import type { ProviderEvent } from '../domain/provider-event';
import type { SubscriptionInvoice } from '../domain/subscription';
import { applySubscriptionChange, endSubscription, grantPaidPeriod } from '../domain/subscription';
import type { WalletChange } from '../domain/wallet';
import { subscriptionBucketId } from '../domain/credit';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

type SubscriptionEvent = Extract<ProviderEvent, { kind: 'subscription_changed' | 'subscription_ended' | 'period_paid' }>;

export async function applySubscriptionEvent(deps: UseCaseDeps, event: SubscriptionEvent): Promise<string> {
  const accountId = event.kind === 'subscription_changed' ? event.facts.accountId : event.accountId;
  return withOptimisticRetry(async () => {
    const account = await deps.store.loadAccount(accountId);
    if (!account) throw new DomainError('event_not_ready', `No account ${accountId} yet.`);
    const now = deps.clock.now();
    const decided = decide(account, event, now);
    if (!decided) return done('unchanged');
    const outcome = await deps.store.commit({
      before: account,
      after: decided.account,
      entries: decided.change.entries,
      at: now.toISOString(),
      providerEventId: event.eventId,
      ...(event.kind === 'period_paid' ? { grantedPeriodStart: event.periodStart, subscriptionInvoice: invoiceOf(event, decided.change, now) } : {}),
    });
    if (outcome.kind === 'committed') return done('applied');
    if (outcome.kind === 'already_applied') return done('already_applied');
    return retry(outcome.kind);
  });
}

function invoiceOf(event: Extract<SubscriptionEvent, { kind: 'period_paid' }>, change: WalletChange, now: Date): SubscriptionInvoice {
  const at = now.toISOString();
  const credits = change.entries.filter((e) => e.type === 'grant').reduce((sum, e) => sum + e.amount, 0);
  return { kind: 'subscription', id: event.invoiceId, accountId: event.accountId, credits, amountCents: event.amountPaidCents, status: 'paid', providerInvoiceId: event.invoiceId, periodStart: event.periodStart, periodEnd: event.periodEnd, createdAt: at, updatedAt: at };
}

function decide(account: Account, event: SubscriptionEvent, now: Date): { account: Account; change: WalletChange } | null {
  switch (event.kind) {
    case 'subscription_changed':
      return applySubscriptionChange(account, event.facts, now);
    case 'subscription_ended':
      return account.subscription.subscriptionId === event.subscriptionId ? endSubscription(account, event, now) : null;
    case 'period_paid': {
      // Events come in any order: an invoice paid before we saw its subscription is retried later.
      // Likewise an invoice paid before its subscription turned active (the plan is still FREE).
      const granted = account.buckets.some((b) => b.id === subscriptionBucketId(event.periodStart));
      if (!granted && (account.subscription.subscriptionId !== event.subscriptionId || account.plan === 'FREE')) {
        throw new DomainError('event_not_ready', `Subscription ${event.subscriptionId} is not known on this account yet.`);
      }
      return grantPaidPeriod(account, { subscriptionId: event.subscriptionId, start: event.periodStart, end: event.periodEnd }, now);
    }
  }
}
