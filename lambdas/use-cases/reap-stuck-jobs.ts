/**
 * Scheduled (every minute in AWS): finds unfinished jobs whose due time has passed, from the sparse
 * job index. A job whose message was lost (send failed after the debit) or whose worker vanished is
 * enqueued again; a job too old is failed and refunded. The job's version guards each step. A send
 * that fails is counted and logged, and the run goes on with the other jobs; that job is made due
 * again, so the next run sends it.
 */
import type { GenerationJob, JobRef } from '../domain/generation';
import { reapDecision } from '../domain/job-lifecycle';
import { errorFacts } from '../shared/error-facts';
import { log } from '../shared/logger';
import type { UseCaseDeps } from './context';
import { JOB_UNIT_RESERVE_MS, whileTimeLeft } from '../shared/time-budget';
import { finishGeneration } from './finish-generation';

export interface ReapResult {
  readonly due: number;
  /** Enqueued again: the send went out. */
  readonly requeued: number;
  readonly refunded: number;
  /** Due to be enqueued again, but the send failed: left due for the next run. */
  readonly sendFailures: number;
}

export async function reapStuckJobs(deps: UseCaseDeps): Promise<ReapResult> {
  let due = 0;
  let requeued = 0;
  let refunded = 0;
  let sendFailures = 0;
  for await (const ref of whileTimeLeft(deps.store.dueJobs(deps.clock.now()), JOB_UNIT_RESERVE_MS.ledger, (done) => log().warn('stopped before the function deadline; the rest stays due for the next run', { job: 'reap-stuck-jobs', done }))) {
    due += 1;
    const job = await deps.store.getGeneration(ref.accountId, ref.jobId);
    if (!job) continue;
    const decision = reapDecision(job, deps.clock.now(), deps.jobTimings);
    if (decision.kind === 'fail') {
      if ((await finishGeneration(deps, ref, { kind: 'failed', failure: decision.failure })) === 'finished') refunded += 1;
    } else if (decision.kind === 'requeue' && (await deps.store.updateJob(job, decision.job)) === 'committed') {
      // Updated first, so that of concurrent runs only one sends it.
      if (await sendOrLeaveDue(deps, ref, decision.job)) {
        requeued += 1;
        log().info('re-enqueued a stuck job', { jobId: job.id, status: job.status });
      } else {
        sendFailures += 1;
      }
    }
  }
  if (sendFailures > 0) log().warn('some stuck jobs could not be re-enqueued; the next run retries them', { due, requeued, sendFailures });
  return { due, requeued, refunded, sendFailures };
}

/**
 * Sends the job's message. If the send fails, the due time the requeue just moved on is set back to
 * now (no message is on its way), so the next run finds the job due and sends it again; should that
 * write fail too, the job is due once the requeue age has passed.
 */
async function sendOrLeaveDue(deps: UseCaseDeps, ref: JobRef, requeued: GenerationJob): Promise<boolean> {
  try {
    await deps.jobQueue.enqueue(ref);
    return true;
  } catch (error) {
    const now = deps.clock.now().toISOString();
    const dueAgain = await deps.store.updateJob(requeued, { ...requeued, dueAt: now, version: requeued.version + 1, updatedAt: now }).catch((writeError: unknown) => {
      log().warn('could not make a job due again after a failed send', { jobId: ref.jobId, ...errorFacts(writeError) });
      return 'retry' as const;
    });
    log().warn('could not re-enqueue a stuck job', { jobId: ref.jobId, ...errorFacts(error), dueAgain: dueAgain === 'committed' ? 'next run' : 'after the requeue age' });
    return false;
  }
}
