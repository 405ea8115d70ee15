import { lambdaEntry } from '../../composition/production-deps';
import { sqsJobQueue } from '../../composition/queue-wiring';
import type { UseCaseDeps } from '../../use-cases/context';
import { createJobRunner } from './job-runner';
import { ledgerJobs } from './jobs';

/** The ledger's scheduled jobs: grants, expiry, the stuck-job reaper and reconcile. */
export const createRunJobHandler = (deps: UseCaseDeps) => createJobRunner(ledgerJobs(deps));

export const handler = lambdaEntry(createRunJobHandler, {
  // Reads the due indexes, scans for reconcile, re-enqueues stuck jobs. No Stripe.
  access: { table: 'read-write', dueIndexes: ['grantDue', 'expiryDue', 'jobDue'], scan: true, enqueuesJobs: true },
  jobQueue: sqsJobQueue,
});
