import { log } from '../../shared/logger';
import { productionDeps } from '../../shared/production-deps';
import { scheduledJobs } from './jobs';

/**
 * EventBridge entry: the schedule's input names the job (`{ "job": "expire-credits" }`). A failure
 * throws, so the scheduler retries and finally sends the event to its DLQ.
 */
export async function handler(event: { job?: string }): Promise<unknown> {
  const job = event.job ? scheduledJobs(productionDeps())[event.job] : undefined;
  if (!job) throw new Error(`unknown scheduled job ${String(event.job)}`);
  const result = await job();
  log().info('scheduled job finished', { job: event.job, result: result as Record<string, unknown> });
  return result;
}
