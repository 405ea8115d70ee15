/**
 * The alarms, all notifying one SNS topic with an email subscription:
 * - each dead-letter queue holding a message (visible or being read: the jobs DLQ has a consumer);
 * - each function's errors and throttles;
 * - reconcile mismatches (the custom metric the reconcile job publishes);
 * - stuck jobs the reaper cannot re-enqueue, 15 minutes running (its custom metric);
 * - accounts the billing jobs failed for (their custom metric);
 * - Stripe webhook signature failures (a metric filter on the webhook's log group).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

import { BILLING_ACCOUNT_FAILURES_METRIC, RECONCILE_MISMATCHES_METRIC, STUCK_JOB_SEND_FAILURES_METRIC, WEBHOOK_SIGNATURE_FAILURE_MESSAGE } from '../../lambdas/shared/service-identity';

export { BILLING_ACCOUNT_FAILURES_METRIC, RECONCILE_MISMATCHES_METRIC, STUCK_JOB_SEND_FAILURES_METRIC, WEBHOOK_SIGNATURE_FAILURE_MESSAGE };
export const WEBHOOK_SIGNATURE_FAILURES_METRIC = 'WebhookSignatureFailures';

export interface ServiceAlarmsProps {
  /** Prefixes the alarm names, e.g. `banana-flow-credits-dev`. */
  readonly namePrefix: string;
  readonly alarmEmail: string;
  /** By function name. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** By a short name for the alarm (`jobs-dlq`, ...). */
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  /** The Stripe webhook function's log group. */
  readonly webhookLogGroup: logs.ILogGroup;
  /** Custom metrics' namespace and the Powertools service dimension. */
  readonly metricsNamespace: string;
  readonly serviceName: string;
  /** Signature failures in 5 minutes that raise the alarm (a public endpoint sees some noise). @default 5 */
  readonly webhookSignatureFailureThreshold?: number;
}

export class ServiceAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: `${props.namePrefix} alarms`, enforceSSL: true });
    this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const action = new actions.SnsAction(this.topic);
    const add = (alarm: cloudwatch.Alarm) => {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
      return alarm;
    };
    const alarmName = (suffix: string) => `${props.namePrefix}-${suffix}`;

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      const depth = new cloudwatch.MathExpression({
        label: `${name} messages`,
        expression: 'visible + inFlight',
        period: Duration.minutes(1),
        usingMetrics: {
          visible: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) }),
          inFlight: queue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', period: Duration.minutes(1) }),
        },
      });
      add(
        depth.createAlarm(this, `${name}Depth`, {
          alarmName: alarmName(`${name}-not-empty`),
          alarmDescription: `${name} holds a message: work failed for good. Read it, fix the cause, redrive or delete.`,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    for (const [name, fn] of Object.entries(props.functions)) {
      add(
        fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }).createAlarm(this, `${name}Errors`, {
          alarmName: alarmName(`${name}-errors`),
          alarmDescription: `${name} threw (an unhandled error or a timeout) in the last 5 minutes.`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
      add(
        fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }).createAlarm(this, `${name}Throttles`, {
          alarmName: alarmName(`${name}-throttles`),
          alarmDescription: `${name} was throttled in the last 5 minutes (account or function concurrency).`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    // The scheduled jobs' custom counts (lambdas/handlers/schedule/job-metrics.ts): alarm on any value ≥ 1.
    const countAlarm = (id: string, metricName: string, opts: { statistic: string; period: Duration; periods: number; name: string; description: string }) =>
      add(
        new cloudwatch.Metric({ namespace: props.metricsNamespace, metricName, dimensionsMap: { service: props.serviceName }, statistic: opts.statistic, period: opts.period }).createAlarm(this, id, {
          alarmName: alarmName(opts.name),
          alarmDescription: opts.description,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: opts.periods,
          datapointsToAlarm: opts.periods,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    countAlarm('ReconcileMismatches', RECONCILE_MISMATCHES_METRIC, {
      statistic: 'Maximum',
      period: Duration.hours(1),
      periods: 1,
      name: 'reconcile-mismatches',
      description: 'The reconcile job found a bucket whose balance differs from its ledger sum. Money is wrong somewhere: investigate before anything else.',
    });
    countAlarm('StuckJobSendFailures', STUCK_JOB_SEND_FAILURES_METRIC, {
      statistic: 'Minimum',
      period: Duration.minutes(5),
      periods: 3,
      name: 'stuck-job-send-failures',
      description:
        'For 15 minutes every reaper run failed to re-enqueue a stuck generation job: the jobs queue refuses sends, so accepted generations do not run (they are refunded at their maximum age).',
    });
    // Any failed account raises it, as the same failure raised run-billing-job-errors before accounts were
    // isolated. A persistent one shows up at each retry (5 minutes doubling to 4 hours), so the alarm
    // returns to OK between retries and fires again while the account still fails.
    countAlarm('BillingAccountFailures', BILLING_ACCOUNT_FAILURES_METRIC, {
      statistic: 'Sum',
      period: Duration.hours(1),
      periods: 1,
      name: 'billing-account-failures',
      description:
        'The auto-refill sweep or PAYG invoicing failed with an error for an account (e.g. a customer deleted in Stripe). The other accounts were billed; this one is retried with backoff (5 minutes doubling to 4 hours). Find it in run-billing-job logs: WARN "billing failed for an account" with accountId, job, errorType, errorCode.',
    });

    const signatureFailures = new logs.MetricFilter(this, 'WebhookSignatureFailuresFilter', {
      logGroup: props.webhookLogGroup,
      filterPattern: logs.FilterPattern.all(logs.FilterPattern.stringValue('$.level', '=', 'WARN'), logs.FilterPattern.stringValue('$.message', '=', WEBHOOK_SIGNATURE_FAILURE_MESSAGE)),
      metricNamespace: props.metricsNamespace,
      metricName: WEBHOOK_SIGNATURE_FAILURES_METRIC,
      metricValue: '1',
      defaultValue: 0,
    });
    add(
      signatureFailures.metric({ statistic: 'Sum', period: Duration.minutes(5) }).createAlarm(this, 'WebhookSignatureFailures', {
        alarmName: alarmName('webhook-signature-failures'),
        alarmDescription: 'Stripe webhook requests fail signature verification: a wrong or rolled webhook secret (Stripe events are not applied) or someone probing the endpoint.',
        threshold: props.webhookSignatureFailureThreshold ?? 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
