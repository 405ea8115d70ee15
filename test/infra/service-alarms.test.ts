/**
 * The alarms as synthesized: two severities on their own topics, each alarm on the metric that
 * really moves when its failure happens (e.g. messages received by a DLQ its consumer empties).
 */
import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { EmfMetrics } from '../../lambdas/adapters/metrics/emf-metrics';
import { PROVIDER_FAULTS_OURS_METRIC, PROVIDER_ORPHANS_METRIC, THRESHOLDS, WEBHOOK_SIGNATURE_FAILURE_MESSAGE } from '../../lib/constructs/service-alarms';
import { allFunctionSpecs } from '../../lib/function-catalog';
import type { BuiltApp } from './build-app';
import { DEV_CONFIG, buildApp, functionsByName } from './build-app';

type Resource = { Properties: Record<string, unknown> };
type MetricQuery = { Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: unknown }> }; Stat: string } };

const dev = buildApp(DEV_CONFIG);
const { service } = dev;
const ALL_FUNCTIONS = allFunctionSpecs().map((s) => s.name);
const topics = service.findResources('AWS::SNS::Topic') as Record<string, Resource>;
const topicOf = (severity: 'page' | 'ticket') => Object.keys(topics).find((id) => String(topics[id]!.Properties.DisplayName).endsWith(severity === 'page' ? ' pages' : ' tickets'))!;

function alarmNamed(template: Template, suffix: string): Resource {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: `banana-flow-credits-dev-${suffix}` } })) as Resource[];
  expect(found).toHaveLength(1);
  return found[0]!;
}

function severityOf(alarm: Resource): 'page' | 'ticket' {
  const actions = alarm.Properties.AlarmActions as Array<{ Ref: string }>;
  expect(actions).toHaveLength(1);
  return actions[0]!.Ref === topicOf('page') ? 'page' : 'ticket';
}

function statefulLogicalId(built: BuiltApp, construct: IConstruct): string {
  return built.stacks.stateful.getLogicalId(construct.node.defaultChild as never);
}

describe('alarms: who is told', () => {
  it('has a page topic and a ticket topic, TLS only, each with its own email', () => {
    expect(Object.keys(topics)).toHaveLength(2);
    service.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'dev-pages@banana-flow.app', TopicArn: { Ref: topicOf('page') } });
    service.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'dev-tickets@banana-flow.app', TopicArn: { Ref: topicOf('ticket') } });
    const policies = Object.values(service.findResources('AWS::SNS::TopicPolicy')) as Resource[];
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument).toMatchObject({ Statement: expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) });
    }
  });

  it('sends OK notices for pages only', () => {
    for (const alarm of Object.values(service.findResources('AWS::CloudWatch::Alarm')) as Resource[]) {
      const severity = severityOf(alarm);
      expect(alarm.Properties.OKActions).toEqual(severity === 'page' ? [{ Ref: topicOf('page') }] : undefined);
    }
  });

  it('has topics without subscriptions on a dev stage that names no one', () => {
    const { alarmEmails: _none, ...anonymous } = DEV_CONFIG;
    const built = buildApp(anonymous);
    built.service.resourceCountIs('AWS::SNS::Topic', 2);
    built.service.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('alarms: what pages', () => {
  it.each([
    ['api-5xx-rate', 'page'],
    ['api-latency-p99', 'ticket'],
    ['table-system-errors', 'page'],
    ['table-throttles', 'ticket'],
    ['jobs-waiting', 'page'],
    ['jobs-dlq-received', 'ticket'],
    ['schedules-dlq-not-empty', 'page'],
    ['scheduled-job-failures-not-empty', 'page'],
    ['provider-failure-rate', 'page'],
    ['provider-faults-ours', 'page'],
    ['provider-orphaned-operations', 'page'],
    ['reconcile-mismatches', 'page'],
    ['reconcile-not-run', 'ticket'],
    ['stuck-job-send-failures', 'page'],
    ['billing-account-failures', 'ticket'],
    ['webhook-signature-failures', 'page'],
    ['stripe-webhook-errors', 'page'],
    ['stripe-webhook-throttles', 'page'],
    ['create-generation-errors', 'ticket'],
    ['run-generations-throttles', 'ticket'],
    ['pre-token-generation-errors', 'page'],
    ['pre-token-generation-throttles', 'page'],
    ['team-claim-read-failures', 'page'],
  ] as const)('%s is a %s', (suffix, severity) => {
    expect(severityOf(alarmNamed(service, suffix))).toBe(severity);
  });

  it.each(ALL_FUNCTIONS)('watches %s for errors and throttles', (name) => {
    const fn = functionsByName(service).get(name)!;
    for (const [suffix, metric] of [
      ['errors', 'Errors'],
      ['throttles', 'Throttles'],
    ] as const) {
      expect(alarmNamed(service, `${name}-${suffix}`).Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn.logicalId } }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('has exactly these alarms', () => {
    // Besides the service's own functions: the sign-in trigger's errors and throttles, and its failed team-link reads.
    service.resourceCountIs('AWS::CloudWatch::Alarm', 2 * ALL_FUNCTIONS.length + 16 + 3);
  });
});

describe('alarms: the metric each one watches', () => {
  const queriesOf = (alarm: Resource) => alarm.Properties.Metrics as MetricQuery[];

  it('rates API 5xx against requests on the $default stage, ignoring quiet periods', () => {
    const alarm = alarmNamed(service, 'api-5xx-rate');
    const queries = queriesOf(alarm);
    expect(queries.find((q) => q.Expression)?.Expression).toBe(`IF(requests >= ${THRESHOLDS.api5xxMinRequests}, 100 * errors / requests, 0)`);
    const byId = Object.fromEntries(queries.filter((q) => q.MetricStat).map((q) => [q.Id, q.MetricStat!]));
    expect(byId.errors).toMatchObject({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: expect.arrayContaining([{ Name: 'Stage', Value: '$default' }]) }, Stat: 'Sum' });
    expect(byId.requests).toMatchObject({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count' }, Stat: 'Sum' });
    expect(alarm.Properties).toMatchObject({ Threshold: THRESHOLDS.api5xxPercent, EvaluationPeriods: 2, DatapointsToAlarm: 2 });
  });

  it('watches API p99 latency', () => {
    expect(alarmNamed(service, 'api-latency-p99').Properties).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: THRESHOLDS.apiP99Millis });
  });

  it("sums DynamoDB system errors over the service's operations on its table", () => {
    const queries = queriesOf(alarmNamed(service, 'table-system-errors'));
    const stats = queries.filter((q) => q.MetricStat).map((q) => q.MetricStat!.Metric);
    expect(new Set(stats.map((m) => m.MetricName))).toEqual(new Set(['SystemErrors']));
    expect(stats.map((m) => m.Dimensions!.find((d) => d.Name === 'Operation')!.Value)).toEqual(expect.arrayContaining(['TransactWriteItems', 'GetItem', 'Query', 'Scan']));
    const tableId = statefulLogicalId(dev, dev.stacks.stateful.table);
    for (const m of stats) expect(JSON.stringify(m.Dimensions)).toContain(tableId);
  });

  it("counts messages the jobs DLQ received (its consumer keeps it empty) and the jobs queue's oldest message", () => {
    const dlqId = statefulLogicalId(dev, dev.stacks.stateful.jobsDeadLetterQueue);
    const received = alarmNamed(service, 'jobs-dlq-received').Properties;
    expect(received).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'NumberOfMessagesReceived', Statistic: 'Sum', Threshold: 1 });
    expect(JSON.stringify(received.Dimensions)).toContain(dlqId);
    const waiting = alarmNamed(service, 'jobs-waiting').Properties;
    expect(waiting).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Threshold: THRESHOLDS.jobsOldestMessageSeconds });
    expect(JSON.stringify(waiting.Dimensions)).toContain(statefulLogicalId(dev, dev.stacks.stateful.jobsQueue));
  });

  it("rates the worker's provider failures against its calls", () => {
    const queries = queriesOf(alarmNamed(service, 'provider-failure-rate'));
    expect(queries.find((q) => q.Expression)?.Expression).toBe(`IF(calls >= ${THRESHOLDS.providerMinCalls}, 100 * failures / calls, 0)`);
    const names = queries.filter((q) => q.MetricStat).map((q) => `${q.MetricStat!.Metric.Namespace}/${q.MetricStat!.Metric.MetricName}`);
    expect(names.sort()).toEqual(['BananaFlowCredits/ProviderCalls', 'BananaFlowCredits/ProviderFailures']);
  });

  it("pages on one provider fault of ours in 5 minutes and one orphaned provider operation in 15, from the worker's EMF counts", () => {
    for (const [name, metric, period] of [
      ['provider-faults-ours', PROVIDER_FAULTS_OURS_METRIC, 300],
      ['provider-orphaned-operations', PROVIDER_ORPHANS_METRIC, 900],
    ] as const) {
      expect(alarmNamed(service, name).Properties).toMatchObject({
        Namespace: 'BananaFlowCredits',
        MetricName: metric,
        Dimensions: [{ Name: 'service', Value: 'banana-flow-credits' }],
        Statistic: 'Sum',
        Period: period,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  // The alarms watch the names the worker's counters are published under (EmfMetrics, Powertools' `service` dimension).
  it.each([
    ['provider_fault_ours', 'provider-faults-ours'],
    ['provider_orphaned', 'provider-orphaned-operations'],
    ['provider_call', null],
  ] as const)('watches what EmfMetrics publishes for %s', (counter, alarm) => {
    const added: Array<{ name: string; unit: string; value: number }> = [];
    const metrics = { addMetric: (name: string, unit: string, value: number) => added.push({ name, unit, value }), publishStoredMetrics: () => undefined };
    new EmfMetrics(metrics as never).count(counter);

    expect(added).toEqual([{ name: expect.any(String), unit: 'Count', value: 1 }]);
    const watched = (Object.values(service.findResources('AWS::CloudWatch::Alarm')) as Resource[]).flatMap((a) => [a.Properties.MetricName, ...((a.Properties.Metrics as MetricQuery[] | undefined) ?? []).map((q) => q.MetricStat?.Metric.MetricName)]);
    expect(watched).toContain(added[0]!.name);
    if (alarm) expect(alarmNamed(service, alarm).Properties.MetricName).toBe(added[0]!.name);
  });

  it('raises reconcile-not-run when no run was counted in 26 hours (missing data breaches)', () => {
    expect(alarmNamed(service, 'reconcile-not-run').Properties).toMatchObject({
      Namespace: 'BananaFlowCredits',
      MetricName: 'ReconcileMismatches',
      Statistic: 'SampleCount',
      Period: 3600,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('raises reconcile mismatches, stuck-job send failures and billing account failures from their custom metrics', () => {
    expect(alarmNamed(service, 'reconcile-mismatches').Properties).toMatchObject({ MetricName: 'ReconcileMismatches', Statistic: 'Maximum', Threshold: 1, TreatMissingData: 'notBreaching' });
    expect(alarmNamed(service, 'stuck-job-send-failures').Properties).toMatchObject({ MetricName: 'StuckJobSendFailures', Statistic: 'Minimum', Period: 300, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    expect(alarmNamed(service, 'billing-account-failures').Properties).toMatchObject({ MetricName: 'BillingAccountFailures', Statistic: 'Sum', Period: 3600, Dimensions: [{ Name: 'service', Value: 'banana-flow-credits' }] });
  });

  it("watches the stateful stack's sign-in trigger: errors and throttles fail sign-ins, failed team-link reads land members in their own wallets", () => {
    expect(alarmNamed(service, 'pre-token-generation-errors').Properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Threshold: 1 });
    expect(JSON.stringify(alarmNamed(service, 'pre-token-generation-errors').Properties.Dimensions)).toContain('Fn::ImportValue');
    expect(alarmNamed(service, 'team-claim-read-failures').Properties).toMatchObject({ MetricName: 'TeamClaimReadFailures', Statistic: 'Sum', Period: 300, Threshold: THRESHOLDS.teamClaimReadFailures, Dimensions: [{ Name: 'service', Value: 'banana-flow-credits' }] });
  });

  it.each(['schedules-dlq', 'scheduled-job-failures'])('raises %s when the queue holds any message, visible or being read', (name) => {
    const queries = queriesOf(alarmNamed(service, `${name}-not-empty`));
    expect(queries.find((q) => q.Expression)?.Expression).toBe('visible + inFlight');
  });

  it("counts webhook signature failures from the webhook's WARN log line", () => {
    const webhook = functionsByName(service).get('stripe-webhook')!;
    const logGroupId = (webhook.resource.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    service.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logGroupId },
      FilterPattern: `{ ($.level = "WARN") && ($.message = "${WEBHOOK_SIGNATURE_FAILURE_MESSAGE}") }`,
      MetricTransformations: [Match.objectLike({ MetricNamespace: 'BananaFlowCredits', MetricName: 'WebhookSignatureFailures', MetricValue: '1' })],
    });
    expect(alarmNamed(service, 'webhook-signature-failures').Properties).toMatchObject({ MetricName: 'WebhookSignatureFailures', Statistic: 'Sum', Period: 300, Threshold: THRESHOLDS.webhookSignatureFailures });
  });
});
