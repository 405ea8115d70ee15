/**
 * The worker's part of a job:
 * 1. read the job; a finished one is a duplicate message (nothing to do); one that another worker
 *    holds a live lease on is retried later;
 * 2. claim it (queued → running, or take over a lapsed lease) with a version-guarded write;
 * 3. call the model within the lease;
 * 4. finish: succeeded, or failed with the refund, in one transaction.
 * A crash anywhere leaves the message to be delivered again; the lease lets the next delivery take over.
 */
import { ProviderFailure } from '../domain/ports';
import type { GenerationJob, JobRef } from '../domain/generation';
import type { StartDecision } from '../domain/job-lifecycle';
import { startJob } from '../domain/job-lifecycle';
import type { UseCaseDeps } from './context';
import type { FinishResult } from './finish-generation';
import { finishGeneration } from './finish-generation';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export type RunResult = FinishResult | 'leased_elsewhere' | 'unknown_job';

export async function runGeneration(deps: UseCaseDeps, ref: JobRef): Promise<RunResult> {
  const claim = await withOptimisticRetry<StartDecision | { readonly kind: 'unknown_job' }>(async () => {
    const job = await deps.store.getGeneration(ref.accountId, ref.jobId);
    if (!job) return done({ kind: 'unknown_job' } as const);
    const decision = startJob(job, deps.clock.now(), deps.jobTimings);
    if (decision.kind !== 'start') return done(decision);
    return (await deps.store.updateJob(job, decision.job)) === 'committed' ? done(decision) : retry('job_changed');
  });
  if (claim.kind === 'unknown_job') return 'unknown_job';
  if (claim.kind === 'finished') return 'already_finished';
  if (claim.kind === 'leased') return 'leased_elsewhere';

  const started = claim.job;
  const outputs = await callProviderWithinLease(deps, started);
  if (outputs instanceof ProviderFailure) {
    return finishGeneration(deps, ref, { kind: 'failed', failure: { code: outputs.code, message: outputs.message } }, started.version);
  }
  return finishGeneration(deps, ref, { kind: 'succeeded', outputs }, started.version);
}

/** The model call, cut off before the lease lapses so that no other worker can take the job over meanwhile. */
async function callProviderWithinLease(deps: UseCaseDeps, job: GenerationJob): Promise<readonly string[] | ProviderFailure> {
  const timeoutMs = deps.jobTimings.leaseSeconds * 1000 * 0.8;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ProviderFailure>((resolve) => {
    timer = setTimeout(() => resolve(new ProviderFailure('timeout', `The model did not answer within ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
  });
  deps.metrics.count('provider_call');
  try {
    const result = await Promise.race([
      deps.provider.generate(job).then(
        (result) => result.outputs,
        (error: unknown) => {
          if (error instanceof ProviderFailure) return error;
          // A crash (the delivery is retried) is a failed call too.
          deps.metrics.count('provider_failure');
          throw error;
        },
      ),
      timeout,
    ]);
    if (result instanceof ProviderFailure) deps.metrics.count('provider_failure');
    return result;
  } finally {
    clearTimeout(timer);
  }
}
