import type { Account } from '../domain/account';
import type { UseCaseDeps } from './context';
import { updateAccount } from './update-account';

/** The account's payment-provider customer: created on first need and stored on the account. */
export async function ensureCustomer(deps: UseCaseDeps, account: Account): Promise<string> {
  if (account.customerId) return account.customerId;
  const customerId = await deps.payments.ensureCustomer(account.id);
  // A concurrent first payment may have stored one already: the stored one wins.
  const saved = await updateAccount(deps, account.id, (current) => (current.customerId ? null : { customerId }));
  return saved?.customerId ?? customerId;
}
