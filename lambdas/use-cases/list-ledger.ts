import type { LedgerPage } from '../domain/credit-store';
import type { UseCaseDeps } from './context';
import { getOrOpenAccount } from './open-account';

/** Newest entries first; the cursor is opaque to callers. */
export async function listLedger(deps: UseCaseDeps, input: { accountId: string; limit: number; cursor: string | null }): Promise<LedgerPage> {
  await getOrOpenAccount(deps, input.accountId);
  return deps.store.listLedger(input.accountId, input.limit, input.cursor);
}
