/**
 * The alarms, in two severities, each with its own SNS topic:
 * - page (someone acts now; an OK notice tells them it recovered): the API failing (5xx rate), the
 *   Stripe webhook failing or refused (errors, throttles, signature failures), money wrong
 *   (reconcile mismatches), work stopped (jobs waiting, schedules dead-lettered, the reaper unable
 *   to enqueue), the model provider failing most jobs, a provider refusing us (our key or
 *   configuration), a provider operation lost after its submit (maybe billed, never followed),
 *   DynamoDB system errors;
 * - ticket (look in working hours; no OK notice, the ticket is closed by whoever fixes it): slow API
 *   (p99), each function's errors and throttles, DynamoDB throttling, generation jobs given up
 *   (dead-lettered, refunded by the DLQ consumer), accounts the billing jobs failed for, reconcile
 *   not having run for 26 hours.
 * Thresholds are in THRESHOLDS, with why.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TEAM_CLAIM_READ_FAILURES_METRIC } from '../../lambdas/handlers/cognito/pre-token-generation';

import {
  BILLING_ACCOUNT_FAILURES_METRIC,
  PROVIDER_CALLS_METRIC,
  PROVIDER_FAILURES_METRIC,
  PROVIDER_FAULTS_OURS_METRIC,
  PROVIDER_ORPHANS_METRIC,
  RECONCILE_MISMATCHES_METRIC,
  STUCK_JOB_SEND_FAILURES_METRIC,
  WEBHOOK_SIGNATURE_FAILURE_MESSAGE,
} from '../../lambdas/shared/service-identity';

export { BILLING_ACCOUNT_FAILURES_METRIC, PROVIDER_FAULTS_OURS_METRIC, PROVIDER_ORPHANS_METRIC, RECONCILE_MISMATCHES_METRIC, STUCK_JOB_SEND_FAILURES_METRIC, WEBHOOK_SIGNATURE_FAILURE_MESSAGE };
export const WEBHOOK_SIGNATURE_FAILURES_METRIC = 'WebhookSignatureFailures';

export type Severity = 'page' | 'ticket';

/** The numbers behind the alarms. */
export const THRESHOLDS = {
  /** 5xx share of requests over 5 minutes, twice in a row, once at least 20 requests came (a lone 5xx at night is not a page). */
  api5xxPercent: 5,
  api5xxMinRequests: 20,
  /** p99 latency, 3 of 3 five-minute periods: well under the 29 s at which API Gateway gives up, well over a normal request. */
  apiP99Millis: 3_000,
  /** The oldest generation job waiting: workers normally take a message within seconds. */
  jobsOldestMessageSeconds: 300,
  /** Provider failures per call over 10 minutes, once at least 10 calls were made: an outage refunds every job. */
  providerFailurePercent: 25,
  providerMinCalls: 10,
  /** Provider failures that are ours (a missing or revoked key, an unknown model name) in 5 minutes: one is a misconfiguration that fails every job of that provider. */
  providerFaultsOurs: 1,
  /** Provider submits whose operation id was lost, in 15 minutes: each may be billed by the provider and is never followed or cancelled. */
  providerOrphans: 1,
  /** Signature failures in 5 minutes (a public endpoint sees some noise). */
  webhookSignatureFailures: 5,
  /** Reconcile runs daily at 03:15 UTC; 26 hours without a run means two were missed or failed. */
  reconcileSilenceHours: 26,
  /** Team-link reads the pre-token trigger gave up on in 5 minutes (each lands a member in their own wallet). */
  teamClaimReadFailures: 3,
} as const;

export interface ServiceAlarmsProps {
  /** Prefixes the alarm names, e.g. `banana-flow-credits-dev`. */
  readonly namePrefix: string;
  /** Subscribed to the page and ticket topics; none: topics only (dev). */
  readonly alarmEmails?: { readonly page: string; readonly ticket: string };
  readonly api: apigw.HttpApi;
  readonly apiStage: apigw.HttpStage;
  readonly table: dynamodb.ITable;
  readonly jobsQueue: sqs.IQueue;
  /** By function name. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** The functions whose failure pages (the Stripe webhook: payments not applied). */
  readonly pagingFunctions: readonly string[];
  /** The jobs DLQ: its consumer empties it within seconds, so what counts is messages received, not held. */
  readonly jobsDeadLetterQueue: sqs.IQueue;
  /** Queues without a consumer, by a short name for the alarm: any message held pages. */
  readonly parkingQueues: Readonly<Record<string, sqs.IQueue>>;
  /** The Stripe webhook function's log group. */
  readonly webhookLogGroup: logs.ILogGroup;
  /**
   * The Cognito pre-token-generation trigger (the stateful stack's): its errors and throttles fail
   * sign-ins, and a failed read of a team link lands a member in their own wallet.
   */
  readonly signInTrigger?: lambda.IFunction;
  /** Custom metrics' namespace and the Powertools service dimension. */
  readonly metricsNamespace: string;
  readonly serviceName: string;
}

export class ServiceAlarms extends Construct {
  readonly topics: Readonly<Record<Severity, sns.Topic>>;
  readonly alarms: Array<{ alarm: cloudwatch.Alarm; severity: Severity }> = [];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const topic = (severity: Severity, displayName: string) => {
      const t = new sns.Topic(this, severity === 'page' ? 'PageTopic' : 'TicketTopic', { displayName: `${props.namePrefix} ${displayName}`, enforceSSL: true });
      if (props.alarmEmails) t.addSubscription(new subscriptions.EmailSubscription(props.alarmEmails[severity]));
      return t;
    };
    this.topics = { page: topic('page', 'pages'), ticket: topic('ticket', 'tickets') };
    const add = (severity: Severity, alarm: cloudwatch.Alarm) => {
      const action = new actions.SnsAction(this.topics[severity]);
      alarm.addAlarmAction(action);
      if (severity === 'page') alarm.addOkAction(action);
      this.alarms.push({ alarm, severity });
      return alarm;
    };
    const alarmName = (suffix: string) => `${props.namePrefix}-${suffix}`;
    const custom = (metricName: string, statistic: string, period: Duration) =>
      new cloudwatch.Metric({ namespace: props.metricsNamespace, metricName, dimensionsMap: { service: props.serviceName }, statistic, period });
    const atLeast = (threshold: number) => ({ threshold, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING });

    // --- the API ----------------------------------------------------------------------------------
    const fiveMinutes = Duration.minutes(5);
    const serverErrorRate = new cloudwatch.MathExpression({
      label: 'API 5xx %',
      expression: `IF(requests >= ${THRESHOLDS.api5xxMinRequests}, 100 * errors / requests, 0)`,
      period: fiveMinutes,
      usingMetrics: {
        errors: props.apiStage.metricServerError({ statistic: 'Sum', period: fiveMinutes }),
        requests: props.apiStage.metricCount({ statistic: 'Sum', period: fiveMinutes }),
      },
    });
    add(
      'page',
      serverErrorRate.createAlarm(this, 'Api5xxRate', {
        alarmName: alarmName('api-5xx-rate'),
        alarmDescription: `More than ${THRESHOLDS.api5xxPercent}% of API requests answered 5xx for 10 minutes. Users cannot pay or generate: read the functions' ERROR logs and the access log's integrationError.`,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        ...atLeast(THRESHOLDS.api5xxPercent),
      }),
    );
    add(
      'ticket',
      props.apiStage.metricLatency({ statistic: 'p99', period: fiveMinutes }).createAlarm(this, 'ApiLatencyP99', {
        alarmName: alarmName('api-latency-p99'),
        alarmDescription: `API p99 latency above ${THRESHOLDS.apiP99Millis} ms for 15 minutes: hot accounts retrying, slow Stripe calls or cold starts. The dashboard shows p99 per route.`,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        ...atLeast(THRESHOLDS.apiP99Millis),
      }),
    );

    // --- functions -----------------------------------------------------------------------------------
    for (const [name, fn] of Object.entries(props.functions)) {
      const severity: Severity = props.pagingFunctions.includes(name) ? 'page' : 'ticket';
      add(
        severity,
        fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }).createAlarm(this, `${name}Errors`, {
          alarmName: alarmName(`${name}-errors`),
          alarmDescription: `${name} threw (an unhandled error or a timeout) in the last 5 minutes.`,
          evaluationPeriods: 1,
          ...atLeast(1),
        }),
      );
      add(
        severity,
        fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }).createAlarm(this, `${name}Throttles`, {
          alarmName: alarmName(`${name}-throttles`),
          alarmDescription: `${name} was throttled in the last 5 minutes (account or function concurrency).`,
          evaluationPeriods: 1,
          ...atLeast(1),
        }),
      );
    }

    // --- sign-in: the team-claims trigger -------------------------------------------------------------
    if (props.signInTrigger) {
      const trigger = props.signInTrigger;
      for (const [suffix, metric] of [['errors', trigger.metricErrors({ period: fiveMinutes, statistic: 'Sum' })], ['throttles', trigger.metricThrottles({ period: fiveMinutes, statistic: 'Sum' })]] as const) {
        add(
          'page',
          metric.createAlarm(this, `PreTokenGeneration${suffix === 'errors' ? 'Errors' : 'Throttles'}`, {
            alarmName: alarmName(`pre-token-generation-${suffix}`),
            alarmDescription: `The Cognito pre-token-generation trigger ${suffix === 'errors' ? 'threw or timed out' : 'was throttled'} in the last 5 minutes: Cognito fails those sign-ins and token refreshes. Read its log group (docs/runbook.md, "Attach the team-claims trigger").`,
            evaluationPeriods: 1,
            ...atLeast(1),
          }),
        );
      }
      add(
        'page',
        custom(TEAM_CLAIM_READ_FAILURES_METRIC, 'Sum', fiveMinutes).createAlarm(this, 'TeamClaimReadFailures', {
          alarmName: alarmName('team-claim-read-failures'),
          alarmDescription: `The pre-token trigger could not read ${THRESHOLDS.teamClaimReadFailures} or more team links in 5 minutes: those members signed in to their own wallets instead of their team's (sign-in itself went on). Its ERROR logs name the error; check the table and the trigger's role.`,
          evaluationPeriods: 1,
          ...atLeast(THRESHOLDS.teamClaimReadFailures),
        }),
      );
    }

    // --- DynamoDB ------------------------------------------------------------------------------------
    const tableMetric = (metricName: string, operation?: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: props.table.tableName, ...(operation ? { Operation: operation } : {}) },
        statistic: 'Sum',
        period: fiveMinutes,
      });
    // The operations the service uses; SystemErrors is only published per operation.
    const operations = ['GetItem', 'Query', 'TransactWriteItems', 'TransactGetItems', 'PutItem', 'UpdateItem', 'BatchGetItem', 'Scan'];
    const systemErrors = new cloudwatch.MathExpression({
      label: 'DynamoDB system errors',
      expression: operations.map((_o, i) => `e${i}`).join(' + '),
      period: fiveMinutes,
      usingMetrics: Object.fromEntries(operations.map((o, i) => [`e${i}`, tableMetric('SystemErrors', o)])),
    });
    add(
      'page',
      systemErrors.createAlarm(this, 'TableSystemErrors', {
        alarmName: alarmName('table-system-errors'),
        alarmDescription: 'DynamoDB answered 500s (its own errors) in the last 5 minutes: writes may be failing for everyone. Check the AWS Health Dashboard.',
        evaluationPeriods: 1,
        ...atLeast(1),
      }),
    );
    const throttled = new cloudwatch.MathExpression({
      label: 'DynamoDB throttled requests',
      expression: 'reads + writes',
      period: fiveMinutes,
      usingMetrics: { reads: tableMetric('ReadThrottleEvents'), writes: tableMetric('WriteThrottleEvents') },
    });
    add(
      'ticket',
      throttled.createAlarm(this, 'TableThrottles', {
        alarmName: alarmName('table-throttles'),
        alarmDescription: 'DynamoDB throttled requests for 15 minutes (on demand: a hot partition, or the table-level limit). The service retries; find the hot key in Contributor Insights.',
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        ...atLeast(1),
      }),
    );

    // --- queues -------------------------------------------------------------------------------------
    add(
      'page',
      props.jobsQueue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(1) }).createAlarm(this, 'JobsOldestMessage', {
        alarmName: alarmName('jobs-waiting'),
        alarmDescription: `A generation job has waited more than ${THRESHOLDS.jobsOldestMessageSeconds} s for a worker for 5 minutes: the worker is failing, throttled or disabled. Users' paid jobs are not running.`,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        ...atLeast(THRESHOLDS.jobsOldestMessageSeconds),
      }),
    );
    add(
      'ticket',
      props.jobsDeadLetterQueue.metricNumberOfMessagesReceived({ statistic: 'Sum', period: fiveMinutes }).createAlarm(this, 'JobsDlqReceived', {
        alarmName: alarmName('jobs-dlq-received'),
        alarmDescription:
          'Generation jobs ran out of deliveries and reached the jobs DLQ (its consumer failed and refunded them). Find why in run-generations logs. Counted as received: the consumer empties the queue within seconds, so its depth stays 0.',
        evaluationPeriods: 1,
        ...atLeast(1),
      }),
    );
    for (const [name, queue] of Object.entries(props.parkingQueues)) {
      // Visible or being read (someone inspecting it in the console): still not handled.
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
        'page',
        depth.createAlarm(this, `${name}Depth`, {
          alarmName: alarmName(`${name}-not-empty`),
          alarmDescription: `${name} holds a message: a scheduled job (grants, expiry, billing, reconcile) failed for good. Read it, fix the cause, redrive or delete.`,
          evaluationPeriods: 1,
          ...atLeast(1),
        }),
      );
    }

    // --- the model provider (the worker's EMF counts) -------------------------------------------------
    const tenMinutes = Duration.minutes(10);
    const providerFailureRate = new cloudwatch.MathExpression({
      label: 'provider failure %',
      expression: `IF(calls >= ${THRESHOLDS.providerMinCalls}, 100 * failures / calls, 0)`,
      period: tenMinutes,
      usingMetrics: { failures: custom(PROVIDER_FAILURES_METRIC, 'Sum', tenMinutes), calls: custom(PROVIDER_CALLS_METRIC, 'Sum', tenMinutes) },
    });
    add(
      'page',
      providerFailureRate.createAlarm(this, 'ProviderFailureRate', {
        alarmName: alarmName('provider-failure-rate'),
        alarmDescription: `More than ${THRESHOLDS.providerFailurePercent}% of model-provider calls failed in 10 minutes: an outage or a revoked API key. Every failed job is refunded, but users get nothing.`,
        evaluationPeriods: 1,
        ...atLeast(THRESHOLDS.providerFailurePercent),
      }),
    );

    add(
      'page',
      custom(PROVIDER_FAULTS_OURS_METRIC, 'Sum', fiveMinutes).createAlarm(this, 'ProviderFaultsOurs', {
        alarmName: alarmName('provider-faults-ours'),
        alarmDescription:
          "A model provider refused a call for a reason of ours (authentication, a missing key, our configuration, an unknown model name) in the last 5 minutes: every job of that provider fails and is refunded until it is fixed. Check the providers' secret (ProviderSecretArn) and PROVIDER_MODEL_NAMES; run-generations WARN logs ('model provider call failed') name the model, the fault and the provider's code (docs/runbook.md).",
        evaluationPeriods: 1,
        ...atLeast(THRESHOLDS.providerFaultsOurs),
      }),
    );
    const fifteenMinutes = Duration.minutes(15);
    add(
      'page',
      custom(PROVIDER_ORPHANS_METRIC, 'Sum', fifteenMinutes).createAlarm(this, 'ProviderOrphans', {
        alarmName: alarmName('provider-orphaned-operations'),
        alarmDescription:
          "A provider submit may have started an operation (and may be billed) but its operation id was never recorded (the worker died or timed out between the submit and the record): the job was failed and refunded, and nothing follows or cancels that operation. run-generations ERROR logs ('a submitted generation was lost') give jobId, model and submitKey, to find it in the provider's console.",
        evaluationPeriods: 1,
        ...atLeast(THRESHOLDS.providerOrphans),
      }),
    );

    // --- the scheduled jobs' counts (lambdas/handlers/schedule/job-metrics.ts) --------------------------
    add(
      'page',
      custom(RECONCILE_MISMATCHES_METRIC, 'Maximum', Duration.hours(1)).createAlarm(this, 'ReconcileMismatches', {
        alarmName: alarmName('reconcile-mismatches'),
        alarmDescription: 'The reconcile job found a bucket whose balance differs from its ledger sum (re-checked with strongly consistent reads). Money is wrong somewhere: investigate before anything else.',
        evaluationPeriods: 1,
        ...atLeast(1),
      }),
    );
    // Published on every run, 0 included: hours without a sample are hours without a run.
    add(
      'ticket',
      custom(RECONCILE_MISMATCHES_METRIC, 'SampleCount', Duration.hours(1)).createAlarm(this, 'ReconcileSilent', {
        alarmName: alarmName('reconcile-not-run'),
        alarmDescription: `The reconcile job has not completed a run in ${THRESHOLDS.reconcileSilenceHours} hours: its schedule is disabled, or it fails (see scheduled-job-failures and run-job logs). Money is not being checked.`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: THRESHOLDS.reconcileSilenceHours,
        datapointsToAlarm: THRESHOLDS.reconcileSilenceHours,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    );
    add(
      'page',
      custom(STUCK_JOB_SEND_FAILURES_METRIC, 'Minimum', fiveMinutes).createAlarm(this, 'StuckJobSendFailures', {
        alarmName: alarmName('stuck-job-send-failures'),
        alarmDescription:
          'For 15 minutes every reaper run failed to re-enqueue a stuck generation job: the jobs queue refuses sends, so accepted generations do not run (they are refunded at their maximum age).',
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        ...atLeast(1),
      }),
    );
    // A persistent failure shows up at each retry (5 minutes doubling to 4 hours).
    add(
      'ticket',
      custom(BILLING_ACCOUNT_FAILURES_METRIC, 'Sum', Duration.hours(1)).createAlarm(this, 'BillingAccountFailures', {
        alarmName: alarmName('billing-account-failures'),
        alarmDescription:
          'The auto-refill sweep or PAYG invoicing failed with an error for an account (e.g. a customer deleted in Stripe). The other accounts were billed; this one is retried with backoff (5 minutes doubling to 4 hours). Find it in run-billing-job logs: WARN "billing failed for an account" with accountId, job, errorType, errorCode.',
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        ...atLeast(1),
      }),
    );

    // --- the webhook's signature failures --------------------------------------------------------------
    const signatureFailures = new logs.MetricFilter(this, 'WebhookSignatureFailuresFilter', {
      logGroup: props.webhookLogGroup,
      filterPattern: logs.FilterPattern.all(logs.FilterPattern.stringValue('$.level', '=', 'WARN'), logs.FilterPattern.stringValue('$.message', '=', WEBHOOK_SIGNATURE_FAILURE_MESSAGE)),
      metricNamespace: props.metricsNamespace,
      metricName: WEBHOOK_SIGNATURE_FAILURES_METRIC,
      metricValue: '1',
      defaultValue: 0,
    });
    add(
      'page',
      signatureFailures.metric({ statistic: 'Sum', period: fiveMinutes }).createAlarm(this, 'WebhookSignatureFailures', {
        alarmName: alarmName('webhook-signature-failures'),
        alarmDescription: 'Stripe webhook requests fail signature verification: a wrong or rolled webhook secret (Stripe events are not applied) or someone probing the endpoint.',
        evaluationPeriods: 1,
        ...atLeast(THRESHOLDS.webhookSignatureFailures),
      }),
    );
  }
}
