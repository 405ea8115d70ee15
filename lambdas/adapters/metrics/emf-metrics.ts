/**
 * Counts as CloudWatch embedded metric format lines on stdout (Powertools): no API call, nothing to
 * grant. Each count is flushed at once, so a crash later in the invocation cannot lose it.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ServiceCounter, ServiceMetrics } from '../../domain/ports';
import { GENERATIONS_REFUNDED_METRIC, METRICS_NAMESPACE, PROVIDER_CALLS_METRIC, PROVIDER_FAILURES_METRIC, PROVIDER_FAULTS_OURS_METRIC, PROVIDER_ORPHANS_METRIC, SERVICE_NAME } from '../../shared/service-identity';

const METRIC_NAMES: Readonly<Record<ServiceCounter, string>> = {
  provider_call: PROVIDER_CALLS_METRIC,
  provider_failure: PROVIDER_FAILURES_METRIC,
  provider_fault_ours: PROVIDER_FAULTS_OURS_METRIC,
  provider_orphaned: PROVIDER_ORPHANS_METRIC,
  generation_refunded: GENERATIONS_REFUNDED_METRIC,
};

export class EmfMetrics implements ServiceMetrics {
  constructor(private readonly metrics: Metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME })) {}

  count(counter: ServiceCounter, value = 1): void {
    this.metrics.addMetric(METRIC_NAMES[counter], MetricUnit.Count, value);
    this.metrics.publishStoredMetrics();
  }
}
