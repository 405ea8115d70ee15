/**
 * Custom metrics of the scheduled jobs, as CloudWatch embedded metric format (Powertools) on
 * stdout: no API call, nothing to grant. The reconcile job publishes its mismatch count on every
 * run, 0 included, so the alarm can tell "nothing wrong" from "did not run".
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, RECONCILE_MISMATCHES_METRIC, SERVICE_NAME } from '../../shared/service-identity';

let shared: Metrics | undefined;

export function publishJobMetrics(job: string, result: unknown, metrics: Metrics = (shared ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }))): void {
  if (job !== 'reconcile') return;
  const mismatches = (result as { mismatches?: unknown }).mismatches;
  if (!Array.isArray(mismatches)) throw new Error('reconcile returned no mismatch list');
  metrics.addMetric(RECONCILE_MISMATCHES_METRIC, MetricUnit.Count, mismatches.length);
  metrics.publishStoredMetrics();
}
