/**
 * The service's name in logs and metrics, and the custom metrics it publishes. The CDK app reads
 * the same constants for its alarms, so a renamed metric cannot leave an alarm watching nothing.
 */
export const SERVICE_NAME = 'banana-flow-credits';
export const METRICS_NAMESPACE = 'BananaFlowCredits';
/** Buckets whose balance differs from their ledger sum, found by the reconcile job (every run, 0 included). */
export const RECONCILE_MISMATCHES_METRIC = 'ReconcileMismatches';
/** Stuck generation jobs the reaper could not re-enqueue (SQS refused the send): every reaper run, 0 included. */
export const STUCK_JOB_SEND_FAILURES_METRIC = 'StuckJobSendFailures';
/**
 * Due accounts a billing job (auto-refill sweep, PAYG invoicing) failed for with an error: every run
 * of both, 0 included. Those accounts are retried with backoff and the run itself succeeds, so no
 * function error alarm fires for them.
 */
export const BILLING_ACCOUNT_FAILURES_METRIC = 'BillingAccountFailures';
/** What the webhook logs (WARN) when a Stripe signature is missing, stale or wrong: an alarm's metric filter matches it. */
export const WEBHOOK_SIGNATURE_FAILURE_MESSAGE = 'webhook signature verification failed';
/** Model-provider calls the worker made (every run of a job, each attempt), and those that failed (provider error or timeout): the failure rate pages. */
export const PROVIDER_CALLS_METRIC = 'ProviderCalls';
export const PROVIDER_FAILURES_METRIC = 'ProviderFailures';
/** Provider failures that are ours (authentication, configuration, an unknown model name): each pages. */
export const PROVIDER_FAULTS_OURS_METRIC = 'ProviderFaultsOurs';
/** Submits that may have run at the provider (and been billed) but whose operation id was lost. */
export const PROVIDER_ORPHANS_METRIC = 'ProviderOrphanedOperations';
/** Generation jobs the worker or the DLQ consumer failed and refunded. */
export const GENERATIONS_REFUNDED_METRIC = 'GenerationsRefunded';
