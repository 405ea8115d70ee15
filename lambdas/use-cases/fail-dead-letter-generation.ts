import type { JobRef } from '../domain/generation';
import { isFinished } from '../domain/job-lifecycle';
import type { UseCaseDeps } from './context';
import type { FinishResult } from './finish-generation';
import { finishGeneration } from './finish-generation';

/**
 * A job whose message exhausted its deliveries (the worker kept crashing) is failed and refunded,
 * once. A job some worker still holds a live lease on is left to it (and to the reaper), and so is a
 * video whose operation is being followed (its polls, or the reaper, finish it; failing it here would
 * refund a video still being made, and billed).
 */
export async function failDeadLetterGeneration(deps: UseCaseDeps, ref: JobRef): Promise<FinishResult | 'unknown_job' | 'leased_elsewhere' | 'followed'> {
  const job = await deps.store.getGeneration(ref.accountId, ref.jobId);
  if (!job) return 'unknown_job';
  if (isFinished(job)) return 'already_finished';
  if (job.status === 'running' && job.leaseUntil !== null && Date.parse(job.leaseUntil) > deps.clock.now().getTime()) return 'leased_elsewhere';
  if (job.operation?.id) return 'followed';
  return finishGeneration(deps, ref, { kind: 'failed', failure: { code: 'worker_crashed', message: 'The generation could not be processed; its credits were refunded.' } }, job.version);
}
