import { IdempotencyKeyReusedError } from '../domain/errors';
import type { Topup } from '../domain/topup';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

/**
 * Records a top-up as pending before its payment exists (its webhook may arrive first and must find
 * it), decided from a fresh read and retried like every other write. Answers the top-up as stored:
 * recorded now, or the one an earlier attempt with the same id recorded (refused with 422 if it was
 * for another amount). After too many conflicts: 409 write_conflict, nothing recorded.
 */
export async function recordPendingTopup(deps: UseCaseDeps, pending: Pick<Topup, 'id' | 'accountId' | 'purpose' | 'credits' | 'amountCents' | 'currency'>): Promise<Topup> {
  return withOptimisticRetry(async () => {
    const existing = await deps.store.getTopup(pending.accountId, pending.id);
    if (existing) {
      if (existing.credits !== pending.credits) throw new IdempotencyKeyReusedError();
      return done(existing);
    }
    const now = deps.clock.now().toISOString();
    const topup: Topup = { ...pending, status: 'pending', paymentId: null, createdAt: now, updatedAt: now };
    const outcome = await deps.store.createTopup(topup);
    if (outcome === 'created') return done(topup);
    // exists: a concurrent attempt with the same id recorded it first; the next read decides.
    return retry(outcome === 'exists' ? 'topup_recorded_concurrently' : 'store_busy');
  });
}
