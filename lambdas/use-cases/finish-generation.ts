/**
 * Ends a job: succeeded, or failed or cancelled with its refund. The job's transition, the refund's ledger
 * entries and the freed concurrency slot commit in one transaction guarded by both the job's and
 * the account's versions, so whoever finishes a job (worker, DLQ consumer, reaper) does it once.
 */
import type { JobFailure } from '../domain/job-lifecycle';
import { cancelJob, failJob, isFinished, settleJobOnAccount, spenderOf, succeedJob } from '../domain/job-lifecycle';
import type { StoredOutput } from '../domain/output-store';
import { utcDay } from '../domain/usage';
import type { JobRef } from '../domain/generation';
import { log } from '../shared/logger';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export type JobOutcome = { readonly kind: 'succeeded'; readonly outputs: readonly StoredOutput[] } | { readonly kind: 'failed'; readonly failure: JobFailure } | { readonly kind: 'cancelled' };

export type FinishResult = 'finished' | 'already_finished' | 'superseded';

/**
 * @param ownedVersion when set, finish only while the job is still at this version (the worker's
 * own start); a job taken over or reaped meanwhile is left to whoever holds it now.
 */
export async function finishGeneration(deps: UseCaseDeps, ref: JobRef, outcome: JobOutcome, ownedVersion?: number): Promise<FinishResult> {
  return withOptimisticRetry(async () => {
    const { job, account } = await deps.store.loadJobAndAccount(ref);
    if (!job || !account) throw new Error(`job ${ref.jobId} of ${ref.accountId} not found`);
    if (isFinished(job)) return done('already_finished' as const);
    if (ownedVersion !== undefined && job.version !== ownedVersion) return done('superseded' as const);
    const now = deps.clock.now();
    const finished = outcome.kind === 'succeeded' ? succeedJob(job, outcome.outputs, now) : outcome.kind === 'cancelled' ? cancelJob(job, now) : failJob(job, outcome.failure, now);
    const settled = settleJobOnAccount(account, finished, now);
    // A refund counts on the day of the generation it refunds, for whoever spent it.
    const refunded = finished.refund ? [{ day: utcDay(job.createdAt), model: job.model, userId: spenderOf(job), generations: 0, credits: 0, refundedCredits: finished.refund.credits }] : [];
    const result = await deps.store.commit({ before: account, after: settled.account, entries: settled.entries, at: now.toISOString(), jobTransition: { before: job, after: finished }, ...(refunded.length > 0 ? { usage: refunded } : {}) });
    if (result.kind !== 'committed') return retry(result.kind);
    log().info('generation finished', { jobId: job.id, status: finished.status, refundedCredits: finished.refund?.credits ?? 0 });
    if (finished.refund) deps.metrics.count('generation_refunded');
    return done('finished' as const);
  });
}
