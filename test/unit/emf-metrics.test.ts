import type { Metrics } from '@aws-lambda-powertools/metrics';
import { EmfMetrics } from '../../lambdas/adapters/metrics/emf-metrics';
import { GENERATIONS_REFUNDED_METRIC, PROVIDER_CALLS_METRIC, PROVIDER_FAILURES_METRIC } from '../../lambdas/shared/service-identity';

test("each count is published at once under the metric name the alarms watch", () => {
  const added: Array<[string, string, number]> = [];
  const published = jest.fn();
  const metrics = { addMetric: (name: string, unit: string, value: number) => added.push([name, unit, value]), publishStoredMetrics: published } as unknown as Metrics;
  const emf = new EmfMetrics(metrics);

  emf.count('provider_call');
  emf.count('provider_failure', 2);
  emf.count('generation_refunded');

  expect(added).toEqual([
    [PROVIDER_CALLS_METRIC, 'Count', 1],
    [PROVIDER_FAILURES_METRIC, 'Count', 2],
    [GENERATIONS_REFUNDED_METRIC, 'Count', 1],
  ]);
  expect(published).toHaveBeenCalledTimes(3);
});
