import type { Account } from '../domain/account';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

/** The account's payment-provider customer: created on first need and stored on the account. */
export async function ensureCustomer(deps: UseCaseDeps, account: Account): Promise<string> {
  if (account.customerId) return account.customerId;
  const customerId = await deps.payments.ensureCustomer(account.id);
  return withOptimisticRetry(async () => {
    const current = await deps.store.loadAccount(account.id);
    if (!current) throw new Error(`account ${account.id} vanished`);
    if (current.customerId) return done(current.customerId);
    const outcome = await deps.store.commit({ before: current, after: { ...current, version: current.version + 1, customerId }, entries: [], at: deps.clock.now().toISOString() });
    return outcome.kind === 'committed' ? done(customerId) : retry(outcome.kind);
  });
}
