/**
 * Paid plans, as the payment provider reports them. The provider owns billing (prices, proration,
 * renewal); the account follows its events: plan, status and period from subscription events
 * (older events than the last applied are ignored, as events arrive in any order), each paid
 * period's credits from its paid invoice, once per (account, period).
 */
import type { Account } from './account';
import type { PlanId } from './catalog';
import { PLANS } from './catalog';
import { periodContaining } from './billing-period';
import { grantSubscriptionCredits, subscriptionBucketId } from './credit';
import type { WalletChange } from './wallet';

export type PaidPlanId = Exclude<PlanId, 'FREE'>;

export interface SubscriptionFacts {
  readonly subscriptionId: string;
  readonly accountId: string;
  readonly plan: PaidPlanId;
  readonly status: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly cancelAtPeriodEnd: boolean;
  /** When the provider created the event: orders events that arrive out of order. */
  readonly eventCreatedAt: string;
}

export interface SubscriptionState {
  readonly subscriptionId: string | null;
  /** A downgrade waits for the renewal: the plan in force until then stays. */
  readonly pendingPlan: PlanId | null;
  readonly lastEventAt: string | null;
}

/** A paid subscription invoice, as the billing page lists it. */
export interface SubscriptionInvoice {
  readonly kind: 'subscription';
  readonly id: string;
  readonly accountId: string;
  readonly credits: number;
  readonly amountCents: number;
  readonly status: 'paid';
  readonly providerInvoiceId: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const NO_SUBSCRIPTION: SubscriptionState = { subscriptionId: null, pendingPlan: null, lastEventAt: null };

const NO_CHANGE = (account: Account): WalletChange => ({ buckets: account.buckets, entries: [] });

function isStale(account: Account, facts: { eventCreatedAt: string }): boolean {
  return account.subscription.lastEventAt !== null && facts.eventCreatedAt < account.subscription.lastEventAt;
}

/**
 * A subscription was created or changed. An upgrade takes effect at once and grants the prorated
 * difference for the rest of the period (expiring with it); a downgrade waits for the renewal.
 */
export function applySubscriptionChange(account: Account, facts: SubscriptionFacts, now: Date): { account: Account; change: WalletChange } | null {
  if (isStale(account, facts)) return null;
  const inForce = ['active', 'trialing', 'past_due'].includes(facts.status);
  if (!inForce && account.plan === 'FREE') {
    // Not paid (yet): remember the subscription, but the FREE plan, its status and grants go on.
    return { account: { ...account, version: account.version + 1, subscription: { ...account.subscription, subscriptionId: facts.subscriptionId, lastEventAt: facts.eventCreatedAt } }, change: NO_CHANGE(account) };
  }
  const base: Account = {
    ...account,
    version: account.version + 1,
    status: facts.status === 'active' || facts.status === 'trialing' ? 'active' : facts.status === 'canceled' ? 'canceled' : 'past_due',
    cancelAtPeriodEnd: facts.cancelAtPeriodEnd,
    currentPeriod: { start: facts.periodStart, end: facts.periodEnd },
    // Paid periods are granted when their invoice is paid, never by the clock.
    nextGrantAt: null,
    subscription: { ...account.subscription, subscriptionId: facts.subscriptionId, lastEventAt: facts.eventCreatedAt },
  };
  // A paid plan that is no longer paid (unpaid, incomplete_expired, canceled): the plan stays until the provider ends it.
  if (!inForce) return { account: base, change: NO_CHANGE(account) };
  const current = PLANS[account.plan].monthlyCredits;
  const next = PLANS[facts.plan].monthlyCredits;
  if (facts.plan === account.plan || account.plan === 'FREE' || account.subscription.subscriptionId === null) {
    return { account: { ...base, plan: facts.plan, subscription: { ...base.subscription, pendingPlan: null } }, change: NO_CHANGE(account) };
  }
  const renewed = facts.periodStart >= account.currentPeriod.end;
  if (next < current && renewed) return { account: { ...base, plan: facts.plan, subscription: { ...base.subscription, pendingPlan: null } }, change: NO_CHANGE(account) };
  if (next < current) return { account: { ...base, subscription: { ...base.subscription, pendingPlan: facts.plan } }, change: NO_CHANGE(account) };
  const change = proratedUpgradeGrant(account, facts, now);
  return { account: { ...base, plan: facts.plan, buckets: change.buckets, subscription: { ...base.subscription, pendingPlan: null } }, change };
}

function proratedUpgradeGrant(account: Account, facts: SubscriptionFacts, now: Date): WalletChange {
  const start = Date.parse(facts.periodStart);
  const end = Date.parse(facts.periodEnd);
  const remainingMs = Math.min(Math.max(end - now.getTime(), 0), end - start);
  // Integer arithmetic: a float fraction can land just below a whole number and lose a credit.
  const credits = Math.floor(((PLANS[facts.plan].monthlyCredits - PLANS[account.plan].monthlyCredits) * remainingMs) / (end - start));
  const bucketId = `${subscriptionBucketId(facts.periodStart)}:${facts.plan}`;
  if (credits <= 0 || account.buckets.some((b) => b.id === bucketId)) return NO_CHANGE(account);
  return grantSubscriptionCredits(account.buckets, { periodStart: facts.periodStart, periodEnd: facts.periodEnd, amountCredits: credits, now, bucketId, reference: `upgrade:${facts.plan}:${facts.periodStart}` });
}

/** A period's invoice was paid: grant its credits once (a pending downgrade takes effect now). */
export function grantPaidPeriod(account: Account, period: { subscriptionId: string; start: string; end: string }, now: Date): { account: Account; change: WalletChange } | null {
  if (account.buckets.some((b) => b.id === subscriptionBucketId(period.start))) return null;
  const plan = account.subscription.pendingPlan && period.start >= account.currentPeriod.end ? account.subscription.pendingPlan : account.plan;
  if (plan === 'FREE') return null;
  const change = grantSubscriptionCredits(account.buckets, { periodStart: period.start, periodEnd: period.end, amountCredits: PLANS[plan].monthlyCredits, now });
  return {
    account: {
      ...account,
      version: account.version + 1,
      plan,
      currentPeriod: period.start >= account.currentPeriod.start ? { start: period.start, end: period.end } : account.currentPeriod,
      subscription: { ...account.subscription, pendingPlan: plan === account.subscription.pendingPlan ? null : account.subscription.pendingPlan },
      buckets: change.buckets,
    },
    change,
  };
}

/** The subscription ended (cancelled at period end): back to FREE, with a FREE month from now. */
export function endSubscription(account: Account, facts: { eventCreatedAt: string }, now: Date): { account: Account; change: WalletChange } | null {
  if (isStale(account, facts) || account.plan === 'FREE') return null;
  const period = periodContaining(now, now);
  const change = grantSubscriptionCredits(account.buckets, { periodStart: period.start, periodEnd: period.end, amountCredits: PLANS.FREE.monthlyCredits, now });
  return {
    account: {
      ...account,
      version: account.version + 1,
      plan: 'FREE',
      status: 'active',
      cancelAtPeriodEnd: false,
      periodAnchor: now.toISOString(),
      currentPeriod: period,
      nextGrantAt: period.end,
      subscription: { subscriptionId: null, pendingPlan: null, lastEventAt: facts.eventCreatedAt },
      buckets: change.buckets,
    },
    change,
  };
}
