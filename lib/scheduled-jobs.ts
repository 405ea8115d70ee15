/**
 * The scheduled jobs: names are the keys of `ledgerJobs` and `billingJobs` in
 * lambdas/handlers/schedule/jobs.ts, which `run-job` and `run-billing-job` look up from the
 * schedule's input `{ "job": name }`. Times are UTC.
 */
export interface ScheduledJobSpec {
  /** The job's name, sent as the input `{ "job": name }`. */
  readonly name: string;
  /** An EventBridge Scheduler expression. */
  readonly expression: string;
  readonly description: string;
  /** How long the scheduler keeps retrying a delivery it could not make (then the DLQ). A later run supersedes it. */
  readonly maxEventAgeSeconds: number;
}

/** Run by `run-job` (store and jobs queue). */
export const LEDGER_JOBS: readonly ScheduledJobSpec[] = [
  { name: 'subscription-grants', expression: 'rate(1 hour)', description: 'Grants the monthly credits of subscription periods that have started.', maxEventAgeSeconds: 3600 },
  { name: 'expire-credits', expression: 'rate(1 hour)', description: 'Expires subscription credits past their period end.', maxEventAgeSeconds: 3600 },
  { name: 'reap-stuck-jobs', expression: 'rate(1 minute)', description: 'Re-enqueues stuck generation jobs and refunds too-old ones.', maxEventAgeSeconds: 300 },
  { name: 'reconcile', expression: 'cron(15 3 * * ? *)', description: 'Checks that every bucket balance equals its ledger sum (daily, 03:15 UTC).', maxEventAgeSeconds: 6 * 3600 },
];

/** Run by `run-billing-job` (store and Stripe). */
export const BILLING_JOBS: readonly ScheduledJobSpec[] = [
  { name: 'auto-refill', expression: 'rate(5 minutes)', description: 'Backstop for auto-refills the debit path could not start.', maxEventAgeSeconds: 600 },
  { name: 'payg-invoicing', expression: 'rate(1 hour)', description: 'Invoices pay-as-you-go usage of closed months.', maxEventAgeSeconds: 3600 },
];

export const SCHEDULED_JOBS: readonly ScheduledJobSpec[] = [...LEDGER_JOBS, ...BILLING_JOBS];

/** Delivery retries of each schedule before its event goes to the schedules DLQ. */
export const SCHEDULE_RETRY_ATTEMPTS = 3;

/** Lambda's own retries of a failed (thrown) job run before the run goes to the failed-runs queue. */
export const JOB_RUN_RETRY_ATTEMPTS = 2;
