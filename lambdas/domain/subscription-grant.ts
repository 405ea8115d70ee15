import type { Account } from './account';
import { PLANS } from './catalog';
import { periodContaining } from './billing-period';
import { grantSubscriptionCredits, subscriptionBucketId } from './credit';
import type { WalletChange } from './wallet';

/**
 * The grant due for an account at `now`: the period that holds `now` gets the plan's monthly
 * credits once. Periods missed entirely (nobody ran the job) are not granted late: their credits
 * would already have expired. Returns null when nothing is due.
 */
export function dueSubscriptionGrant(account: Account, now: Date): { account: Account; change: WalletChange } | null {
  if (account.nextGrantAt === null || Date.parse(account.nextGrantAt) > now.getTime()) return null;
  // Paid plans are granted when their invoice is paid, not by the clock.
  if (account.plan !== 'FREE') return null;
  const period = periodContaining(new Date(account.periodAnchor), now);
  if (account.buckets.some((b) => b.id === subscriptionBucketId(period.start))) {
    return { account: { ...account, currentPeriod: period, nextGrantAt: period.end }, change: { buckets: account.buckets, entries: [] } };
  }
  const change = grantSubscriptionCredits(account.buckets, {
    periodStart: period.start,
    periodEnd: period.end,
    amountCredits: PLANS[account.plan].monthlyCredits,
    now,
  });
  return { account: { ...account, currentPeriod: period, nextGrantAt: period.end, buckets: change.buckets }, change };
}
