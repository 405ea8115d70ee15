/**
 * An account: the wallet that every member of a team spends from, its plan and its billing period.
 * Opening one grants the FREE plan's first month at once.
 */
import type { AutoRefillState } from './auto-refill';
import { AUTO_REFILL_OFF } from './auto-refill';
import type { PlanId } from './catalog';
import type { PaygState } from './payg';
import { NO_PAYG } from './payg';
import type { SubscriptionState } from './subscription';
import { NO_SUBSCRIPTION } from './subscription';
import { PLANS } from './catalog';
import type { BillingPeriod } from './billing-period';
import { periodContaining } from './billing-period';
import { grantSubscriptionCredits } from './credit';
import type { Bucket, WalletChange } from './wallet';
import type { Team } from './team';

export type SubscriptionStatus = 'active' | 'past_due' | 'canceled';

export interface Account {
  readonly id: string;
  /**
   * Set by the store alone: each commit writes `before.version + 1` (a new account is at 1); domain
   * functions and use cases return the next state with it untouched. The guard that makes each
   * change exact under concurrency.
   */
  readonly version: number;
  readonly plan: PlanId;
  readonly status: SubscriptionStatus;
  readonly createdAt: string;
  /** Billing periods are whole months from this instant. */
  readonly periodAnchor: string;
  readonly currentPeriod: BillingPeriod;
  readonly cancelAtPeriodEnd: boolean;
  /** When the next period's grant falls due; null when nothing is due (e.g. a paid plan awaiting payment). */
  readonly nextGrantAt: string | null;
  readonly buckets: readonly Bucket[];
  readonly paygEnabled: boolean;
  /** Generation jobs queued or running, counted against the plan's concurrency limit. */
  readonly activeJobs: number;
  /** The payment provider's customer, created on the first payment. */
  readonly customerId: string | null;
  readonly autoRefill: AutoRefillState;
  readonly subscription: SubscriptionState;
  readonly payg: PaygState;
  /** Members, pending invites and spending counters (team.ts); absent until someone spends or joins. */
  readonly team?: Team;
}

/** A new account on the FREE plan with its first monthly grant. */
export function openAccount(accountId: string, now: Date): { account: Account; change: WalletChange } {
  const anchor = now.toISOString();
  const period = periodContaining(now, now);
  const change = grantSubscriptionCredits([], { periodStart: period.start, periodEnd: period.end, amountCredits: PLANS.FREE.monthlyCredits, now });
  const account: Account = {
    id: accountId,
    version: 1,
    plan: 'FREE',
    status: 'active',
    createdAt: anchor,
    periodAnchor: anchor,
    currentPeriod: period,
    cancelAtPeriodEnd: false,
    nextGrantAt: period.end,
    buckets: change.buckets,
    paygEnabled: false,
    activeJobs: 0,
    customerId: null,
    autoRefill: AUTO_REFILL_OFF,
    subscription: NO_SUBSCRIPTION,
    payg: NO_PAYG,
  };
  return { account, change };
}

export function paygTermsOf(account: Account): { enabled: boolean; limitCredits: number } {
  const limitCredits = PLANS[account.plan].paygLimitCredits;
  return { enabled: account.paygEnabled && limitCredits > 0, limitCredits };
}
