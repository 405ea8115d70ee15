import { forEachDueAccount } from './billing-failures';
import type { UseCaseDeps } from './context';
import type { AutoRefillResult } from './start-auto-refill';
import { startAutoRefill } from './start-auto-refill';

/**
 * Scheduled (every 5 minutes in AWS): the backstop for refills the debit path could not ask for,
 * and for refills whose lease lapsed. Reads only due accounts from the sparse refill index. Each
 * account on its own: one that fails is counted in `failures` (startAutoRefill has already held its
 * refill back until its retry time, whether the failure came before or after its lock) and the
 * sweep goes on with the next.
 */
export async function sweepAutoRefills(deps: UseCaseDeps): Promise<{ due: number; results: Partial<Record<AutoRefillResult, number>>; failures: number }> {
  const results: Partial<Record<AutoRefillResult, number>> = {};
  const { due, failures } = await forEachDueAccount('auto-refill', deps.store.dueAccountIds('refill', deps.clock.now()), async (accountId) => {
    const result = await startAutoRefill(deps, accountId);
    results[result] = (results[result] ?? 0) + 1;
  });
  return { due, results, failures };
}
