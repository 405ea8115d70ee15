/**
 * Optimistic concurrency: a change is decided from a fresh read and committed only if the account
 * is still at the version it read. A lost race (or a transient DynamoDB conflict or throttle) is
 * retried from a new read after a full-jitter backoff, a bounded number of times, and only while the
 * invocation has time for another attempt (lambdas/shared/time-budget.ts): a hot account answers
 * 409 write_conflict before the function would be killed.
 */
import { WriteConflictError } from '../domain/errors';
import { log } from '../shared/logger';
import { workingTimeLeftMs } from '../shared/time-budget';

export type Attempt<T> = { readonly kind: 'done'; readonly value: T } | { readonly kind: 'retry'; readonly reason: string };

export const done = <T>(value: T): Attempt<T> => ({ kind: 'done', value });
export const retry = (reason: string): Attempt<never> => ({ kind: 'retry', reason });

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Sized for a hot account: hundreds of concurrent writers settle well within a Lambda's timeout. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 40, baseDelayMs: 5, maxDelayMs: 1000 };

/** What one more attempt (a read and a transaction) is given at least: no retry starts with less time left. */
export const MIN_ATTEMPT_MS = 500;

export async function withOptimisticRetry<T>(step: () => Promise<Attempt<T>>, policy: RetryPolicy = DEFAULT_RETRY_POLICY): Promise<T> {
  let lastReason = '';
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
    const result = await step();
    if (result.kind === 'done') {
      if (attempt > 1) log().debug('committed after retries', { attempts: attempt });
      return result.value;
    }
    lastReason = result.reason;
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 16));
    const delay = Math.random() * ceiling;
    if (workingTimeLeftMs() < delay + MIN_ATTEMPT_MS) {
      log().warn('gave up after write conflicts: no time left for another attempt', { attempts: attempt, reason: lastReason });
      throw new WriteConflictError(attempt);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  log().warn('gave up after write conflicts', { attempts: policy.maxAttempts, reason: lastReason });
  throw new WriteConflictError(policy.maxAttempts);
}
