import type { Account } from '../domain/account';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

/**
 * Applies a change that moves no credits (settings, provider ids, locks) to an account: decided
 * from a fresh read, committed under the account's version, retried when it loses a race.
 * `change` returns the fields to set, or null when there is nothing to do.
 */
export async function updateAccount(deps: UseCaseDeps, accountId: string, change: (account: Account) => Partial<Omit<Account, 'id' | 'version'>> | null): Promise<Account | null> {
  return withOptimisticRetry(async () => {
    const current = await deps.store.loadAccount(accountId);
    if (!current) throw new Error(`account ${accountId} not found`);
    const fields = change(current);
    if (fields === null) return done(current);
    const after: Account = { ...current, ...fields };
    const outcome = await deps.store.commit({ before: current, after, entries: [], at: deps.clock.now().toISOString() });
    return outcome.kind === 'committed' ? done({ ...after, version: outcome.version }) : retry(outcome.kind);
  });
}
