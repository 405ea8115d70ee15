import type { Account } from '../domain/account';
import { openAccount } from '../domain/account';
import { NotAMemberError } from '../domain/errors';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

/**
 * Returns the caller's account, opening it on the first authenticated request (FREE plan with its
 * first monthly grant). Concurrent first requests race on one conditional put: one account, one grant.
 */
export async function getOrOpenAccount(deps: UseCaseDeps, accountId: string): Promise<Account> {
  const existing = await deps.store.loadAccount(accountId);
  return existing ?? openMissingAccount(deps, accountId);
}

export async function openMissingAccount(deps: UseCaseDeps, accountId: string): Promise<Account> {
  return withOptimisticRetry(async () => {
    const now = deps.clock.now();
    const { account, change } = openAccount(accountId, now);
    const outcome = await deps.store.commit({ before: null, after: account, entries: change.entries, at: now.toISOString(), grantedPeriodStart: account.currentPeriod.start });
    if (outcome.kind === 'committed') return done(account);
    // Someone else opened it first: theirs is the account.
    const winner = await deps.store.loadAccount(accountId);
    return winner ? done(winner) : retry('account_not_visible_yet');
  });
}

/** The wallet the caller selected: their own is opened on first use; anyone else's must exist (else not_a_member). */
export async function selectedWallet(deps: UseCaseDeps, caller: { readonly userId: string; readonly accountId: string }): Promise<Account> {
  if (caller.accountId === caller.userId) return getOrOpenAccount(deps, caller.accountId);
  const account = await deps.store.loadAccount(caller.accountId);
  if (!account) throw new NotAMemberError();
  return account;
}
