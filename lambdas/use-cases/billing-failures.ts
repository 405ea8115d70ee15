/**
 * The billing jobs (auto-refill sweep, PAYG invoicing) take each due account as its own unit of
 * work. Before, one persistent error (a customer deleted in Stripe) threw out of the loop and
 * stopped every account after it, on every run. Now a failure is logged, counted and left to the
 * account's backoff (billing-retry.ts), the loop goes on, and the run succeeds with its count: a
 * re-run by the scheduler would bill no one new, and the count is what the alarm watches
 * (BillingAccountFailures, job-metrics.ts).
 */
import { log, runWithLogKeys } from '../shared/logger';

/** The WARN line of a failed account: account id, job and what errorFacts allows of the error. */
export const BILLING_FAILURE_MESSAGE = 'billing failed for an account; it is retried after its backoff';

export async function forEachDueAccount(job: string, accountIds: AsyncIterable<string>, work: (accountId: string) => Promise<void>): Promise<{ due: number; failures: number }> {
  let due = 0;
  let failures = 0;
  // A failing query of the due index itself is not one account's failure: it throws, and the run is retried.
  for await (const accountId of accountIds) {
    due += 1;
    try {
      await runWithLogKeys({ accountId }, () => work(accountId));
    } catch (error) {
      failures += 1;
      log().warn(BILLING_FAILURE_MESSAGE, { job, accountId, ...errorFacts(error) });
    }
  }
  return { due, failures };
}

/**
 * Records an account's backoff after its failure. If that write fails too (the store is what is
 * failing), the account simply stays due and is tried again on the next run: logged, not thrown,
 * so the caller rethrows the original error.
 */
export async function recordBackoff(accountId: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    log().warn('could not record a billing backoff; the account is tried again on the next run', { accountId, ...errorFacts(error) });
  }
}

/**
 * What may be logged of an error: its name, and the provider's or the AWS SDK's type, code, HTTP
 * status and request id. Never the message or the object: a Stripe error's message and raw body
 * name the customer and can carry card details (see stripe-payment-gateway.ts).
 */
export function errorFacts(error: unknown): Record<string, string | number> {
  if (typeof error !== 'object' || error === null) return { errorName: typeof error };
  const e = error as Record<string, unknown>;
  const meta = (typeof e.$metadata === 'object' && e.$metadata !== null ? e.$metadata : {}) as Record<string, unknown>;
  const facts: Record<string, string | number | undefined> = {
    errorName: stringOf(e.name),
    errorType: stringOf(e.type),
    errorCode: stringOf(e.code),
    statusCode: numberOf(e.statusCode) ?? numberOf(meta.httpStatusCode),
    requestId: stringOf(e.requestId) ?? stringOf(meta.requestId),
  };
  return Object.fromEntries(Object.entries(facts).filter((entry): entry is [string, string | number] => entry[1] !== undefined));
}

/** Identifiers only: a long or multi-line value is not a name or a code, and is left out. */
const stringOf = (value: unknown): string | undefined => (typeof value === 'string' && /^[\w.:-]{1,100}$/.test(value) ? value : undefined);
const numberOf = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
