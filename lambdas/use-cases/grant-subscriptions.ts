/**
 * Scheduled: grants each due account its period's credits, once per (account, period). Due accounts
 * come from the sparse grant index; the grant, the account's next due time and a per-period marker
 * commit together, so duplicate or overlapping runs grant nothing twice.
 */
import { dueSubscriptionGrant } from '../domain/subscription-grant';
import type { UseCaseDeps } from './context';
import { log } from '../shared/logger';
import { JOB_UNIT_RESERVE_MS, whileTimeLeft } from '../shared/time-budget';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export interface GrantRunResult {
  readonly accounts: number;
  readonly granted: number;
  readonly grantedCredits: number;
}

export async function grantDueSubscriptions(deps: UseCaseDeps): Promise<GrantRunResult> {
  let accounts = 0;
  let granted = 0;
  let grantedCredits = 0;
  for await (const accountId of whileTimeLeft(deps.store.dueAccountIds('grant', deps.clock.now()), JOB_UNIT_RESERVE_MS.ledger, (done) => log().warn('stopped before the function deadline; the rest stays due for the next run', { job: 'subscription-grants', done }))) {
    accounts += 1;
    const credits = await grantAccount(deps, accountId);
    if (credits > 0) {
      granted += 1;
      grantedCredits += credits;
    }
  }
  return { accounts, granted, grantedCredits };
}

async function grantAccount(deps: UseCaseDeps, accountId: string): Promise<number> {
  return withOptimisticRetry(async () => {
    const account = await deps.store.loadAccount(accountId);
    const now = deps.clock.now();
    const due = account ? dueSubscriptionGrant(account, now) : null;
    if (!account || !due) return done(0);
    const outcome = await deps.store.commit({
      before: account,
      after: due.account,
      entries: due.change.entries,
      at: now.toISOString(),
      ...(due.change.entries.length > 0 ? { grantedPeriodStart: due.account.currentPeriod.start } : {}),
    });
    if (outcome.kind !== 'committed') return retry(outcome.kind);
    return done(due.change.entries.reduce((sum, e) => sum + e.amount, 0));
  });
}
