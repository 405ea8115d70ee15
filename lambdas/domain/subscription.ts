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
  /** The provider payment that paid it (refunds and disputes name it); null when nothing was charged. */
  readonly paymentId: string | null;
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
 * A subscription was created or changed. No change here grants credits or raises limits: an
 * upgrade takes effect when its prorated invoice is paid (`grantPaidUpgrade`), a period when its
 * invoice is paid (`grantPaidPeriod`). A downgrade waits for the renewal (the provider bills the
 * lower price from the next period, with no proration), and the same plan again cancels it.
 */
export function applySubscriptionChange(account: Account, facts: SubscriptionFacts): { account: Account; change: WalletChange } | null {
  if (isStale(account, facts)) return null;
  const inForce = ['active', 'trialing', 'past_due'].includes(facts.status);
  const known = account.subscription.subscriptionId;
  // Another subscription than the one this account follows: a replaced (abandoned) one reporting
  // its end, or a new one starting while the old one is incomplete. Only a new one in force takes over.
  if (known !== null && known !== facts.subscriptionId && (!inForce || account.plan !== 'FREE')) return null;
  if (!inForce && account.plan === 'FREE') {
    // Not paid (yet): remember the subscription, but the FREE plan, its status and grants go on.
    return { account: { ...account, subscription: { ...account.subscription, subscriptionId: facts.subscriptionId, lastEventAt: facts.eventCreatedAt } }, change: NO_CHANGE(account) };
  }
  const base: Account = {
    ...account,
    status: facts.status === 'active' || facts.status === 'trialing' ? 'active' : facts.status === 'canceled' ? 'canceled' : 'past_due',
    cancelAtPeriodEnd: facts.cancelAtPeriodEnd,
    // A late event about an earlier paid period never moves the period back (a FREE period is the
    // account's own, replaced by the subscription's, which may start a few milliseconds before it).
    currentPeriod: account.plan === 'FREE' || facts.periodStart >= account.currentPeriod.start ? { start: facts.periodStart, end: facts.periodEnd } : account.currentPeriod,
    // Paid periods are granted when their invoice is paid, never by the clock.
    nextGrantAt: null,
    subscription: { ...account.subscription, subscriptionId: facts.subscriptionId, lastEventAt: facts.eventCreatedAt },
  };
  // A paid plan that is no longer paid (unpaid, incomplete_expired, canceled): the plan stays until the provider ends it.
  if (!inForce) return { account: base, change: NO_CHANGE(account) };
  // The first paid plan: the subscription is in force only once its first invoice is paid.
  if (account.plan === 'FREE') return { account: { ...base, plan: facts.plan, subscription: { ...base.subscription, pendingPlan: null } }, change: NO_CHANGE(account) };
  const current = PLANS[account.plan].monthlyCredits;
  const next = PLANS[facts.plan].monthlyCredits;
  if (facts.plan === account.plan) return { account: { ...base, subscription: { ...base.subscription, pendingPlan: null } }, change: NO_CHANGE(account) };
  const renewed = facts.periodStart >= account.currentPeriod.end;
  if (next < current && renewed) return { account: { ...base, plan: facts.plan, subscription: { ...base.subscription, pendingPlan: null } }, change: NO_CHANGE(account) };
  if (next < current) return { account: { ...base, subscription: { ...base.subscription, pendingPlan: facts.plan } }, change: NO_CHANGE(account) };
  // An upgrade the provider reports (its invoice was paid): the paid invoice applies it.
  return { account: base, change: NO_CHANGE(account) };
}

/** Credits an upgrade's prorated invoice bought: the monthly difference for the time it covers. */
export function upgradeCredits(input: { from: PaidPlanId; to: PaidPlanId; coveredFrom: string; periodStart: string; periodEnd: string; amountPaidCents: number }): number {
  const start = Date.parse(input.periodStart);
  const end = Date.parse(input.periodEnd);
  const creditsDiff = PLANS[input.to].monthlyCredits - PLANS[input.from].monthlyCredits;
  const priceDiff = PLANS[input.to].priceCents - PLANS[input.from].priceCents;
  if (creditsDiff <= 0 || priceDiff <= 0 || end <= start) return 0;
  const coveredMs = Math.min(Math.max(end - Date.parse(input.coveredFrom), 0), end - start);
  // Integer arithmetic: a float fraction can land just below a whole number and lose a credit.
  const prorated = Math.floor((creditsDiff * coveredMs) / (end - start));
  // Never more than the money paid buys at the plans' own rate (a partly paid or reduced invoice).
  const bought = Math.floor((input.amountPaidCents * creditsDiff) / priceDiff);
  return Math.max(Math.min(prorated, bought), 0);
}

export interface PaidUpgrade {
  readonly subscriptionId: string;
  readonly invoiceId: string;
  readonly from: PaidPlanId;
  readonly to: PaidPlanId;
  /** From when the invoice's proration covers the new plan (the change's instant). */
  readonly coveredFrom: string;
  /** The end of the period the proration covers. */
  readonly periodEnd: string;
  readonly amountPaidCents: number;
}

/**
 * An upgrade's prorated invoice was paid: the new plan's limits apply, and the credits it bought are
 * granted into a bucket of their own (named by the invoice: once per paid invoice), expiring with
 * the period. An invoice for a period that is over buys no credits (they would have expired).
 */
export function grantPaidUpgrade(account: Account, upgrade: PaidUpgrade, now: Date): { account: Account; change: WalletChange; bucketId: string | null; credits: number } | null {
  const bucketId = `${subscriptionBucketId(account.currentPeriod.start)}:upgrade:${upgrade.invoiceId}`;
  if (account.buckets.some((b) => b.id === bucketId)) return null;
  const samePeriod = upgrade.periodEnd === account.currentPeriod.end && Date.parse(upgrade.periodEnd) > now.getTime();
  const credits = samePeriod ? upgradeCredits({ ...upgrade, periodStart: account.currentPeriod.start, periodEnd: account.currentPeriod.end }) : 0;
  const raises = samePeriod && PLANS[upgrade.to].monthlyCredits > PLANS[account.plan].monthlyCredits;
  const change =
    credits > 0
      ? grantSubscriptionCredits(account.buckets, { periodStart: account.currentPeriod.start, periodEnd: account.currentPeriod.end, amountCredits: credits, now, bucketId, reference: `upgrade:${upgrade.to}:${upgrade.invoiceId}` })
      : NO_CHANGE(account);
  return {
    account: {
      ...account,
        ...(raises ? { plan: upgrade.to, status: 'active' as const, subscription: { ...account.subscription, pendingPlan: null } } : {}),
      buckets: change.buckets,
    },
    change,
    bucketId: credits > 0 ? bucketId : null,
    credits,
  };
}

/**
 * A period's invoice was paid: grant its credits once, for the plan the invoice paid for (a pending
 * downgrade takes effect now). The plan is the invoice's when the provider says which; else the
 * plan in force (or the pending one at a renewal).
 */
export function grantPaidPeriod(account: Account, period: { subscriptionId: string; start: string; end: string; plan: PaidPlanId | null }, now: Date): { account: Account; change: WalletChange } | null {
  if (account.buckets.some((b) => b.id === subscriptionBucketId(period.start))) return null;
  const renewal = period.start >= account.currentPeriod.end;
  const plan = period.plan ?? (account.subscription.pendingPlan && renewal ? account.subscription.pendingPlan : account.plan);
  if (plan === 'FREE') return null;
  const change = grantSubscriptionCredits(account.buckets, { periodStart: period.start, periodEnd: period.end, amountCredits: PLANS[plan].monthlyCredits, now });
  return {
    account: {
      ...account,
        plan: planInForceAfterPaidPeriod(account, period.start, plan),
      currentPeriod: period.start >= account.currentPeriod.start ? { start: period.start, end: period.end } : account.currentPeriod,
      subscription: { ...account.subscription, pendingPlan: plan === account.subscription.pendingPlan ? null : account.subscription.pendingPlan },
      buckets: change.buckets,
    },
    change,
  };
}
/**
 * The plan in force once a period's invoice is paid: a renewal's plan is the invoice's; an invoice
 * for an earlier period changes nothing now; within the current period the higher of the two stays
 * (an upgrade paid before the period's own invoice arrived is not undone by it).
 */
function planInForceAfterPaidPeriod(account: Account, periodStart: string, invoicePlan: PaidPlanId): PlanId {
  if (periodStart >= account.currentPeriod.end || account.plan === 'FREE') return invoicePlan;
  if (periodStart < account.currentPeriod.start) return account.plan;
  return PLANS[invoicePlan].monthlyCredits > PLANS[account.plan].monthlyCredits ? invoicePlan : account.plan;
}

/** The subscription ended (cancelled at period end): back to FREE, with a FREE month from now. */
export function endSubscription(account: Account, facts: { eventCreatedAt: string }, now: Date): { account: Account; change: WalletChange } | null {
  if (isStale(account, facts) || account.plan === 'FREE') return null;
  const period = periodContaining(now, now);
  const change = grantSubscriptionCredits(account.buckets, { periodStart: period.start, periodEnd: period.end, amountCredits: PLANS.FREE.monthlyCredits, now });
  return {
    account: {
      ...account,
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
