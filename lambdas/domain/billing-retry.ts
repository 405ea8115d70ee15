/**
 * Backoff for billing work that failed with an error for one account (the provider or the store
 * threw; a refusal such as a declined card is an outcome of its own, not a failure). The billing
 * jobs run every few minutes: without a backoff, a persistent error (a customer deleted in Stripe)
 * would cost a provider call, a log line and an alarm datapoint on every run, forever. The wait
 * doubles from 5 minutes to a cap of 4 hours, so a transient fault is retried within minutes and a
 * persistent one costs six calls a day.
 */

export interface BillingRetry {
  /** Failures in a row since the last success. */
  readonly failures: number;
  /** Not retried before this instant. */
  readonly retryAt: string;
}

export interface BillingRetryPolicy {
  readonly firstDelaySeconds: number;
  readonly maxDelaySeconds: number;
}

export const BILLING_RETRY_POLICY: BillingRetryPolicy = { firstDelaySeconds: 300, maxDelaySeconds: 4 * 3600 };

/** The wait after the `failures`-th failure in a row: first × 2^(failures − 1), capped. */
export function billingRetryDelaySeconds(failures: number, policy: BillingRetryPolicy = BILLING_RETRY_POLICY): number {
  // Bounded exponent: a count in the thousands must give the cap, not Infinity × 0 or a huge float.
  const doublings = Math.min(Math.max(Math.floor(failures) - 1, 0), 32);
  return Math.min(policy.maxDelaySeconds, policy.firstDelaySeconds * 2 ** doublings);
}

/** One more failure at `now`: counted, and the retry pushed back by the doubled wait. */
export function nextBillingRetry(previous: BillingRetry | undefined, now: Date, policy: BillingRetryPolicy = BILLING_RETRY_POLICY): BillingRetry {
  const failures = (previous?.failures ?? 0) + 1;
  return { failures, retryAt: new Date(now.getTime() + billingRetryDelaySeconds(failures, policy) * 1000).toISOString() };
}

/** Whether the work is still waiting out its backoff at `now`. */
export function inBillingBackoff(retry: BillingRetry | undefined, now: Date): boolean {
  return retry !== undefined && Date.parse(retry.retryAt) > now.getTime();
}
