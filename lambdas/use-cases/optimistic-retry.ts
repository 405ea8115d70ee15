/**
 * Optimistic concurrency: a change is decided from a fresh read and committed only if the account
 * is still at the version it read. A lost race (or a transient DynamoDB conflict or throttle) is
 * retried from a new read after a full-jitter backoff, a bounded number of times.
 */
import { WriteConflictError } from '../domain/errors';
import { log } from '../shared/logger';

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
    await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
  }
  log().warn('gave up after write conflicts', { attempts: policy.maxAttempts, reason: lastReason });
  throw new WriteConflictError(policy.maxAttempts);
}
