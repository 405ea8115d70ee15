import type { UseCaseDeps } from './context';
import type { AutoRefillResult } from './start-auto-refill';
import { startAutoRefill } from './start-auto-refill';

/**
 * Scheduled (every 5 minutes in AWS): the backstop for refills the debit path could not ask for,
 * and for refills whose lease lapsed. Reads only due accounts from the sparse refill index.
 */
export async function sweepAutoRefills(deps: UseCaseDeps): Promise<{ due: number; results: Partial<Record<AutoRefillResult, number>> }> {
  let due = 0;
  const results: Partial<Record<AutoRefillResult, number>> = {};
  for await (const accountId of deps.store.dueAccountIds('refill', deps.clock.now())) {
    due += 1;
    const result = await startAutoRefill(deps, accountId);
    results[result] = (results[result] ?? 0) + 1;
  }
  return { due, results };
}
