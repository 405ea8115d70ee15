/**
 * Scheduled (every minute in AWS): finds unfinished jobs whose due time has passed, from the sparse
 * job index. A job whose message was lost (send failed after the debit) or whose worker vanished is
 * enqueued again; a job too old is failed and refunded. The job's version guards each step.
 */
import { reapDecision } from '../domain/job-lifecycle';
import { log } from '../shared/logger';
import type { UseCaseDeps } from './context';
import { finishGeneration } from './finish-generation';

export interface ReapResult {
  readonly due: number;
  readonly requeued: number;
  readonly refunded: number;
}

export async function reapStuckJobs(deps: UseCaseDeps): Promise<ReapResult> {
  let due = 0;
  let requeued = 0;
  let refunded = 0;
  for await (const ref of deps.store.dueJobs(deps.clock.now())) {
    due += 1;
    const job = await deps.store.getGeneration(ref.accountId, ref.jobId);
    if (!job) continue;
    const decision = reapDecision(job, deps.clock.now(), deps.jobTimings);
    if (decision.kind === 'fail') {
      if ((await finishGeneration(deps, ref, { kind: 'failed', failure: decision.failure })) === 'finished') refunded += 1;
    } else if (decision.kind === 'requeue' && (await deps.store.updateJob(job, decision.job)) === 'committed') {
      // Updated first: if this send fails too, the job is due again and the next run retries.
      await deps.jobQueue.enqueue(ref);
      requeued += 1;
      log().info('re-enqueued a stuck job', { jobId: job.id, status: job.status });
    }
  }
  return { due, requeued, refunded };
}
