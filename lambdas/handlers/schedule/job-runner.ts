import { log } from '../../shared/logger';
import type { ScheduledJob } from './jobs';
import { publishJobMetrics } from './job-metrics';
import { remainingTimeOf, runWithDeadline } from '../../shared/time-budget';

/**
 * EventBridge Scheduler's target: the schedule's input names the job (`{ "job": "expire-credits" }`).
 * A failure throws: the invocation is asynchronous, so Lambda retries it (the function's async
 * retry settings) and finally sends the event to the failed-runs queue.
 */
export function createJobRunner(jobs: Readonly<Record<string, ScheduledJob>>) {
  return async (event: { job?: string }, context?: { getRemainingTimeInMillis?: () => number }): Promise<unknown> => {
    const name = event.job ?? '';
    const job = Object.hasOwn(jobs, name) ? jobs[name] : undefined;
    if (!job) throw new Error(`unknown scheduled job ${String(event.job)}`);
    // Loops and retries inside the job see the function's deadline (lambdas/shared/time-budget.ts).
    const result = await runWithDeadline(remainingTimeOf(context), () => job());
    log().info('scheduled job finished', { job: name, result: result as Record<string, unknown> });
    publishJobMetrics(name, result);
    return result;
  };
}
