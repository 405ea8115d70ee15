/**
 * Scheduled: writes `expire` entries for buckets whose expiry has passed. It reads only accounts
 * the sparse expiry index says are due, so its cost follows the work due, not the account count.
 * (Expired credits are unspendable from the instant of expiry whether or not this has run.)
 */
import { expireBuckets } from '../domain/expiry';
import type { UseCaseDeps } from './context';
import { log } from '../shared/logger';
import { JOB_UNIT_RESERVE_MS, whileTimeLeft } from '../shared/time-budget';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export interface ExpiryRunResult {
  readonly accounts: number;
  readonly entries: number;
  readonly expiredCredits: number;
}

export async function expireDueCredits(deps: UseCaseDeps): Promise<ExpiryRunResult> {
  let accounts = 0;
  let entries = 0;
  let expiredCredits = 0;
  for await (const accountId of whileTimeLeft(deps.store.dueAccountIds('expiry', deps.clock.now()), JOB_UNIT_RESERVE_MS.ledger, (done) => log().warn('stopped before the function deadline; the rest stays due for the next run', { job: 'expire-credits', done }))) {
    const written = await expireAccount(deps, accountId);
    accounts += 1;
    entries += written.length;
    expiredCredits -= written.reduce((sum, amount) => sum + amount, 0);
  }
  return { accounts, entries, expiredCredits };
}

async function expireAccount(deps: UseCaseDeps, accountId: string): Promise<number[]> {
  return withOptimisticRetry(async () => {
    const account = await deps.store.loadAccount(accountId);
    const now = deps.clock.now();
    if (!account) return done([]);
    const change = expireBuckets(account.buckets, now);
    if (change.entries.length === 0) return done([]);
    const outcome = await deps.store.commit({
      before: account,
      after: { ...account, buckets: change.buckets },
      entries: change.entries,
      at: now.toISOString(),
    });
    return outcome.kind === 'committed' ? done(change.entries.map((e) => e.amount)) : retry(outcome.kind);
  });
}
