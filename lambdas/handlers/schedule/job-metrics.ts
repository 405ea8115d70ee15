/**
 * Custom metrics of the scheduled jobs, as CloudWatch embedded metric format (Powertools) on
 * stdout: no API call, nothing to grant. Each is published on every run of its job, 0 included.
 * - reconcile: buckets whose balance differs from their ledger (money is wrong somewhere);
 * - reap-stuck-jobs: jobs it could not re-enqueue (SQS refuses sends: nothing runs, and the run
 *   itself still succeeds, so no error alarm would fire);
 * - auto-refill, payg-invoicing: due accounts that failed with an error (each backs off, the others
 *   are billed and the run succeeds: again no error alarm would fire). Both jobs publish the same
 *   metric; the WARN line of each failure names its job and account.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { BILLING_ACCOUNT_FAILURES_METRIC, METRICS_NAMESPACE, RECONCILE_MISMATCHES_METRIC, SERVICE_NAME, STUCK_JOB_SEND_FAILURES_METRIC } from '../../shared/service-identity';

let shared: Metrics | undefined;

function countOf(job: string, result: unknown): { metric: string; value: number } | null {
  if (job === 'reconcile') {
    const mismatches = (result as { mismatches?: unknown }).mismatches;
    if (!Array.isArray(mismatches)) throw new Error('reconcile returned no mismatch list');
    return { metric: RECONCILE_MISMATCHES_METRIC, value: mismatches.length };
  }
  if (job === 'reap-stuck-jobs') {
    const sendFailures = (result as { sendFailures?: unknown }).sendFailures;
    if (typeof sendFailures !== 'number') throw new Error('reap-stuck-jobs returned no sendFailures count');
    return { metric: STUCK_JOB_SEND_FAILURES_METRIC, value: sendFailures };
  }
  if (job === 'auto-refill' || job === 'payg-invoicing') {
    const failures = (result as { failures?: unknown }).failures;
    if (typeof failures !== 'number') throw new Error(`${job} returned no failures count`);
    return { metric: BILLING_ACCOUNT_FAILURES_METRIC, value: failures };
  }
  return null;
}

export function publishJobMetrics(job: string, result: unknown, metrics: Metrics = (shared ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }))): void {
  const count = countOf(job, result);
  if (!count) return;
  metrics.addMetric(count.metric, MetricUnit.Count, count.value);
  metrics.publishStoredMetrics();
}
