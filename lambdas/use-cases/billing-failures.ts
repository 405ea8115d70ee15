/**
 * The billing jobs (auto-refill sweep, PAYG invoicing) take each due account as its own unit of
 * work. Before, one persistent error (a customer deleted in Stripe) threw out of the loop and
 * stopped every account after it, on every run. Now a failure is logged, counted and left to the
 * account's backoff (billing-retry.ts), the loop goes on, and the run succeeds with its count: a
 * re-run by the scheduler would bill no one new, and the count is what the alarm watches
 * (BillingAccountFailures, job-metrics.ts).
 */
import { errorFacts } from '../shared/error-facts';
import { log, runWithLogKeys } from '../shared/logger';
import { JOB_UNIT_RESERVE_MS, whileTimeLeft } from '../shared/time-budget';

/** The WARN line of a failed account: account id, job and what errorFacts allows of the error. */
export const BILLING_FAILURE_MESSAGE = 'billing failed for an account; it is retried after its backoff';

export async function forEachDueAccount(job: string, accountIds: AsyncIterable<string>, work: (accountId: string) => Promise<void>): Promise<{ due: number; failures: number }> {
  let due = 0;
  let failures = 0;
  // A failing query of the due index itself is not one account's failure: it throws, and the run is retried.
  for await (const accountId of whileTimeLeft(accountIds, JOB_UNIT_RESERVE_MS.billing, (done) => log().warn('stopped before the function deadline; the rest stays due for the next run', { job, done }))) {
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
