/** Which count each scheduled job publishes (the metrics the alarms watch), 0 included. */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { publishJobMetrics } from '../../lambdas/handlers/schedule/job-metrics';

function fakeMetrics() {
  const added: Array<[string, string, number]> = [];
  const metrics = { addMetric: (name: string, unit: string, value: number) => added.push([name, unit, value]), publishStoredMetrics: jest.fn() };
  return { added, metrics: metrics as unknown as Metrics, published: metrics.publishStoredMetrics };
}

test.each([
  ['auto-refill', { due: 3, results: { started: 2 }, failures: 1 }, 1],
  ['auto-refill', { due: 0, results: {}, failures: 0 }, 0],
  ['payg-invoicing', { due: 3, invoiced: 2, credits: 40, failures: 1 }, 1],
  ['payg-invoicing', { due: 0, invoiced: 0, credits: 0, failures: 0 }, 0],
])('%s publishes its failed accounts as BillingAccountFailures on every run', (job, result, value) => {
  const { added, metrics, published } = fakeMetrics();

  publishJobMetrics(job, result, metrics);

  expect(added).toEqual([['BillingAccountFailures', 'Count', value]]);
  expect(published).toHaveBeenCalledTimes(1);
});

test('a billing job result without its failure count is a bug that must not pass silently', () => {
  expect(() => publishJobMetrics('payg-invoicing', { due: 1, invoiced: 1, credits: 5 }, fakeMetrics().metrics)).toThrow('payg-invoicing returned no failures count');
});

test('jobs without a count publish nothing', () => {
  const { added, metrics, published } = fakeMetrics();
  publishJobMetrics('expire-credits', { expired: 0 }, metrics);
  expect(added).toEqual([]);
  expect(published).not.toHaveBeenCalled();
});
