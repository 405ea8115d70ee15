/**
 * One CloudWatch dashboard per stage: what on-call opens first. Debits (accepted generations),
 * API 4xx/5xx and p99 per route, the jobs queue's depth and age, refunds and provider failures,
 * reconcile's result, and the alarms' states.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  GENERATIONS_REFUNDED_METRIC,
  PROVIDER_CALLS_METRIC,
  PROVIDER_FAILURES_METRIC,
  PROVIDER_FAULTS_OURS_METRIC,
  PROVIDER_ORPHANS_METRIC,
  RECONCILE_MISMATCHES_METRIC,
} from '../../lambdas/shared/service-identity';

export interface ServiceDashboardProps {
  readonly dashboardName: string;
  readonly api: apigw.HttpApi;
  readonly apiStage: apigw.HttpStage;
  /** Every route, as `{ method, path }`: one p99 line each (the stage has detailed metrics on). */
  readonly routes: ReadonlyArray<{ readonly method: string; readonly path: string }>;
  readonly jobsQueue: sqs.IQueue;
  readonly jobsDeadLetterQueue: sqs.IQueue;
  readonly alarms: readonly cloudwatch.IAlarm[];
  readonly metricsNamespace: string;
  readonly serviceName: string;
}

export class ServiceDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const minute = Duration.minutes(1);
    // Route-level metrics of an HTTP API: dimensions ApiId, Stage, Method, Resource.
    const routeMetric = (metricName: string, route: { method: string; path: string }, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.api.apiId, Stage: props.apiStage.stageName, Method: route.method, Resource: route.path },
        statistic,
        period: minute,
        label: `${route.method} ${route.path}`,
      });
    const custom = (metricName: string, statistic: string, period = minute) =>
      new cloudwatch.Metric({ namespace: props.metricsNamespace, metricName, dimensionsMap: { service: props.serviceName }, statistic, period });
    const generations = { method: 'POST', path: '/v1/generations' };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName, defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 4 }),
      new cloudwatch.GraphWidget({
        title: 'Debits/s (accepted generations: each is one debit)',
        width: 8,
        left: [
          new cloudwatch.MathExpression({
            label: 'debits/s',
            expression: '(requests - clientErrors - serverErrors) / PERIOD(requests)',
            period: minute,
            usingMetrics: { requests: routeMetric('Count', generations, 'Sum'), clientErrors: routeMetric('4xx', generations, 'Sum'), serverErrors: routeMetric('5xx', generations, 'Sum') },
          }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'API answers',
        width: 8,
        left: [props.apiStage.metricCount({ statistic: 'Sum', period: minute, label: 'requests' })],
        right: [props.apiStage.metricClientError({ statistic: 'Sum', period: minute, label: '4xx' }), props.apiStage.metricServerError({ statistic: 'Sum', period: minute, label: '5xx' })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Refunds and the model provider',
        width: 8,
        left: [custom(GENERATIONS_REFUNDED_METRIC, 'Sum'), custom(PROVIDER_FAILURES_METRIC, 'Sum'), custom(PROVIDER_CALLS_METRIC, 'Sum')],
        // Each of these pages: faults of ours (a key, our configuration) and submits lost before their operation was recorded.
        right: [custom(PROVIDER_FAULTS_OURS_METRIC, 'Sum').with({ label: 'faults of ours' }), custom(PROVIDER_ORPHANS_METRIC, 'Sum').with({ label: 'orphaned operations' })],
      }),
      new cloudwatch.GraphWidget({ title: 'p99 latency per route (ms)', width: 12, height: 8, left: props.routes.map((r) => routeMetric('Latency', r, 'p99')) }),
      new cloudwatch.GraphWidget({
        title: 'Jobs queue',
        width: 6,
        height: 8,
        left: [
          props.jobsQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: minute, label: 'waiting' }),
          props.jobsQueue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', period: minute, label: 'running' }),
          props.jobsDeadLetterQueue.metricNumberOfMessagesReceived({ statistic: 'Sum', period: minute, label: 'dead-lettered' }),
        ],
        right: [props.jobsQueue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: minute, label: 'oldest (s)' })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Reconcile (daily)',
        width: 6,
        height: 8,
        left: [custom(RECONCILE_MISMATCHES_METRIC, 'Maximum', Duration.hours(1)).with({ label: 'mismatches' })],
        right: [custom(RECONCILE_MISMATCHES_METRIC, 'SampleCount', Duration.hours(1)).with({ label: 'runs' })],
      }),
    );
  }
}
