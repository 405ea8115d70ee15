/**
 * The service's time budgets, chosen together, and the invocation's deadline.
 *
 * API Gateway gives an HTTP API integration at most 30 s, then answers a bare 503 on its own. So an
 * HTTP function times out at 25 s, and our code stops starting work `answerReserveMs` before its
 * deadline so that it still answers in its own words (409 write_conflict, 502 payment provider)
 * rather than being killed. Within that:
 * - the optimistic retry loop gives up (409 write_conflict) when the next attempt would not fit;
 * - a Stripe request gets at most `stripeRequestTimeoutMs`, one network retry, and never more than
 *   the time left (lambdas/adapters/stripe).
 * Queue and scheduled functions have their own timeouts (the job lease, the job runners'); the same
 * deadline stops their loops before Lambda does.
 *
 * The deadline comes from the Lambda context (`getRemainingTimeInMillis`, which the local stack's
 * context also implements) and is kept in AsyncLocalStorage for the invocation; outside one
 * (unit tests, scripts) there is no deadline.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const TIME_BUDGETS = {
  /** API Gateway's hard limit on an HTTP API integration. */
  apiGatewayIntegrationLimitMs: 30_000,
  /** Every HTTP function's timeout: under the integration limit, with room for API Gateway's own overhead. */
  httpFunctionTimeoutSeconds: 25,
  /** Left at the end of an invocation to map the outcome to a response and log it. */
  answerReserveMs: 1_500,
  /** One Stripe request, at most (stripe-node's own default is 80 s). */
  stripeRequestTimeoutMs: 8_000,
  /** stripe-node's retries of a connection error, 409 or 5xx (same idempotency key). */
  stripeMaxNetworkRetries: 1,
} as const;

const deadlines = new AsyncLocalStorage<number>();

/** Runs `fn` with a deadline `remainingMs` from now (none when undefined). */
export function runWithDeadline<T>(remainingMs: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return fn();
  return deadlines.run(Date.now() + remainingMs, fn);
}

/** The time left before the invocation's deadline, less the answer reserve; Infinity outside an invocation. */
export function workingTimeLeftMs(): number {
  const deadline = deadlines.getStore();
  return deadline === undefined ? Number.POSITIVE_INFINITY : deadline - Date.now() - TIME_BUDGETS.answerReserveMs;
}

/** A Lambda context's remaining time, if it has one. */
export function remainingTimeOf(context: { getRemainingTimeInMillis?: () => number } | undefined): number | undefined {
  return typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
}

/**
 * The items of a scheduled job's loop while the invocation has more than `reserveMs` left (enough
 * for one more unit of work): then it stops, logs it, and what is left stays due for the next run,
 * instead of the function being killed mid-account and the run retried from the start.
 */
export async function* whileTimeLeft<T>(items: AsyncIterable<T>, reserveMs: number, onStop: (done: number) => void): AsyncGenerator<T> {
  let done = 0;
  for await (const item of items) {
    if (workingTimeLeftMs() < reserveMs) {
      onStop(done);
      return;
    }
    yield item;
    done += 1;
  }
}

/** How much time one unit of a scheduled job gets at least: an account's commit with its retries, or a Stripe call and its retry. */
export const JOB_UNIT_RESERVE_MS = { ledger: 10_000, billing: 2 * TIME_BUDGETS.stripeRequestTimeoutMs * (1 + TIME_BUDGETS.stripeMaxNetworkRetries) } as const;
