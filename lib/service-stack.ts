/**
 * The stateless service: the functions, the HTTP API, the queue workers, the schedules, the
 * alarms, and the billing web app (its CloudFront site and its sign-in client on the user pool).
 * It holds no data, so it can be replaced at will; it uses the stateful stack's table, queues,
 * secrets, outputs bucket and user pool.
 */
import { CfnOutput, CrossStackReferences, Duration, Fn, ReferenceStrength, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CreditsApi } from './constructs/credits-api';
import { QueueWorkers } from './constructs/queue-workers';
import { ScheduledTasks } from './constructs/scheduled-tasks';
import { ServiceAlarms } from './constructs/service-alarms';
import { ServiceDashboard } from './constructs/service-dashboard';
import { WebHosting, webAppConfig } from './constructs/web-hosting';
import { COGNITO_PREFIX_DOMAINS } from './constructs/web-security';
import { WEB_SCOPES, WebSignIn } from './constructs/web-sign-in';
import { BILLING_JOB_FUNCTION, DEAD_LETTER_FUNCTION, SCHEDULED_FUNCTION, WORKER_FUNCTION, httpFunctionSpecs } from './function-catalog';
import { BILLING_JOBS, LEDGER_JOBS } from './scheduled-jobs';
import type { FunctionDefaults } from './service-functions';
import { METRICS_NAMESPACE, SERVICE_NAME } from './service-functions';
import type { StageConfig } from './stage-config';
import { isDevStage } from './stage-config';
import type { OutputsBucketExports, UserPoolRef } from './stateful-stack';
import { DEAD_LETTER_CONSUMER_TIMEOUT } from './stateful-stack';

export interface ServiceStackProps extends StackProps {
  readonly config: StageConfig;
  readonly table: dynamodb.ITable;
  readonly jobsQueue: sqs.IQueue;
  readonly jobsDeadLetterQueue: sqs.IQueue;
  readonly scheduleDeliveryDeadLetterQueue: sqs.IQueue;
  readonly scheduleFailedRunsQueue: sqs.IQueue;
  readonly stripeSecret: secretsmanager.ISecret;
  readonly providerSecret: secretsmanager.ISecret;
  /** The stateful stack's outputs bucket, imported by its export names. */
  readonly outputsBucket: OutputsBucketExports;
  readonly userPool: UserPoolRef;
  /** The stateful stack's pre-token-generation trigger, watched here with the other alarms. */
  readonly signInTrigger?: lambda.IFunction;
}

/** The variables lambdas/shared/config.ts reads, for every function. */
export function serviceEnvironment(config: StageConfig, table: dynamodb.ITable, jobsQueue: sqs.IQueue): Record<string, string> {
  return {
    TABLE_NAME: table.tableName,
    JOBS_QUEUE_URL: jobsQueue.queueUrl,
    JOB_LEASE_SECONDS: String(config.jobTimings.leaseSeconds),
    JOB_REQUEUE_AFTER_SECONDS: String(config.jobTimings.requeueAfterSeconds),
    JOB_MAX_AGE_SECONDS: String(config.jobTimings.maxAgeSeconds),
    POLL_INTERVAL_SECONDS: String(config.pollIntervalSeconds),
    LOCAL_MODE: 'false',
    GENERATION_PROVIDER: config.generationProvider,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: config.logLevel,
  };
}

export class ServiceStack extends Stack {
  readonly api: CreditsApi;
  readonly workers: QueueWorkers;
  readonly scheduledTasks: ScheduledTasks;
  readonly billingTasks: ScheduledTasks;
  readonly alarms: ServiceAlarms;
  readonly dashboard: ServiceDashboard;
  readonly web: WebHosting;
  readonly webSignIn: WebSignIn;
  /** Every function, by name. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    // Exports/imports: the stateful stack cannot be deleted, nor a used value changed, while this stack uses it.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { config } = props;
    // By explicit export names (not an automatic cross-stack reference, whose export name CDK makes up at
    // synth): the functions' grants on `<bucket>/outputs/*` are acknowledged to cdk-nag by that name.
    const outputsBucket = s3.Bucket.fromBucketAttributes(this, 'OutputsBucket', {
      bucketArn: Fn.importValue(props.outputsBucket.arnExportName),
      bucketName: Fn.importValue(props.outputsBucket.nameExportName),
    });
    const functionDefaults: FunctionDefaults = {
      resources: { table: props.table, jobsQueue: props.jobsQueue, stripeSecret: props.stripeSecret, providerSecret: props.providerSecret, outputsBucket },
      environment: serviceEnvironment(config, props.table, props.jobsQueue),
      providerModelNames: config.providerModelNames,
      logRetention: config.logRetentionDays,
      logRemovalPolicy: isDevStage(config) ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    };

    this.api = new CreditsApi(this, 'Api', {
      routes: httpFunctionSpecs(),
      functionDefaults,
      userPoolId: props.userPool.userPoolId,
      appClientIds: props.userPool.appClientIds,
      allowOrigins: config.appOrigins,
      throttle: config.apiThrottle,
      webhookReservedConcurrency: config.webhookReservedConcurrency,
    });

    this.web = new WebHosting(this, 'Web', {
      apiEndpoint: this.api.url,
      // A created domain is a Cognito prefix domain; an imported pool's own domain is allowed by its exact origin.
      signInOrigin: (config.userPool.mode === 'import' ? config.userPool.loginDomain : undefined) ?? COGNITO_PREFIX_DOMAINS,
      // Where the presigned output URLs point (the S3 client signs virtual-hosted, regional URLs): <video> needs it in media-src.
      outputsOrigin: `https://${outputsBucket.bucketRegionalDomainName}`,
      removalPolicy: isDevStage(config) ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      logRetentionDays: config.logRetentionDays,
      ...(config.webDomain
        ? { customDomain: { domainName: config.webDomain.domainName, certificate: acm.Certificate.fromCertificateArn(this, 'WebCertificate', config.webDomain.certificateArn) } }
        : {}),
    });
    // The web app's client is created by this stack on the imported pool too: its callback URL is this
    // stack's distribution, which an externally managed client would have to follow by hand. The pool's
    // existing domain is used when the stage names one (a pool holds at most one prefix domain).
    this.webSignIn = new WebSignIn(this, 'WebSignIn', {
      userPool: cognito.UserPool.fromUserPoolId(this, 'UserPool', props.userPool.userPoolId),
      siteUrl: this.web.siteUrl,
      domainPrefix: `banana-flow-credits-${config.stageName}`,
      ...(config.userPool.mode === 'import' && config.userPool.loginDomain ? { existingDomainUrl: config.userPool.loginDomain } : {}),
    });
    // Without this every call from the web app is a 401 at the authorizer.
    this.api.acceptTokensFrom(this.webSignIn.client.userPoolClientId);
    this.web.publish(
      webAppConfig({ loginDomainUrl: this.webSignIn.domainUrl, clientId: this.webSignIn.client.userPoolClientId, scopes: WEB_SCOPES, stripePublishableKey: config.stripePublishableKey }),
    );

    this.workers = new QueueWorkers(this, 'Jobs', {
      worker: WORKER_FUNCTION,
      deadLetterConsumer: DEAD_LETTER_FUNCTION,
      jobsQueue: props.jobsQueue,
      deadLetterQueue: props.jobsDeadLetterQueue,
      functionDefaults,
      workerTimeout: Duration.seconds(config.jobTimings.leaseSeconds),
      workerMemorySize: config.workerMemoryMb,
      deadLetterConsumerTimeout: DEAD_LETTER_CONSUMER_TIMEOUT,
      workerMaxConcurrency: config.workerMaxConcurrency,
    });

    // Two runners, so that the jobs that scan the table never hold the Stripe key and the ones that charge never scan.
    this.scheduledTasks = new ScheduledTasks(this, 'Schedules', {
      function: SCHEDULED_FUNCTION,
      jobs: LEDGER_JOBS,
      functionDefaults,
      deliveryDeadLetterQueue: props.scheduleDeliveryDeadLetterQueue,
      failedRunsQueue: props.scheduleFailedRunsQueue,
    });
    this.billingTasks = new ScheduledTasks(this, 'BillingSchedules', {
      function: BILLING_JOB_FUNCTION,
      jobs: BILLING_JOBS,
      functionDefaults,
      deliveryDeadLetterQueue: props.scheduleDeliveryDeadLetterQueue,
      failedRunsQueue: props.scheduleFailedRunsQueue,
    });

    const functions: Record<string, lambda.IFunction> = {};
    for (const [name, fn] of Object.entries(this.api.functions)) functions[name] = fn.function;
    functions[WORKER_FUNCTION.name] = this.workers.worker.function;
    functions[DEAD_LETTER_FUNCTION.name] = this.workers.deadLetterConsumer.function;
    functions[SCHEDULED_FUNCTION.name] = this.scheduledTasks.runner.function;
    functions[BILLING_JOB_FUNCTION.name] = this.billingTasks.runner.function;
    this.functions = functions;

    const webhook = this.api.functions['stripe-webhook'];
    if (!webhook) throw new Error('The route table has no stripe-webhook function: the signature-failure alarm needs its log group');
    this.alarms = new ServiceAlarms(this, 'Alarms', {
      namePrefix: `${SERVICE_NAME}-${config.stageName}`,
      ...(config.alarmEmails ? { alarmEmails: config.alarmEmails } : {}),
      api: this.api.api,
      apiStage: this.api.stage,
      table: props.table,
      jobsQueue: props.jobsQueue,
      functions,
      pagingFunctions: ['stripe-webhook'],
      ...(props.signInTrigger ? { signInTrigger: props.signInTrigger } : {}),
      jobsDeadLetterQueue: props.jobsDeadLetterQueue,
      parkingQueues: {
        'schedules-dlq': props.scheduleDeliveryDeadLetterQueue,
        'scheduled-job-failures': props.scheduleFailedRunsQueue,
      },
      webhookLogGroup: webhook.logGroup,
      metricsNamespace: METRICS_NAMESPACE,
      serviceName: SERVICE_NAME,
    });
    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      dashboardName: `${SERVICE_NAME}-${config.stageName}`,
      api: this.api.api,
      apiStage: this.api.stage,
      routes: httpFunctionSpecs().map((s) => s.route),
      jobsQueue: props.jobsQueue,
      jobsDeadLetterQueue: props.jobsDeadLetterQueue,
      alarms: this.alarms.alarms.map((a) => a.alarm),
      metricsNamespace: METRICS_NAMESPACE,
      serviceName: SERVICE_NAME,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'SiteUrl', { value: this.web.siteUrl, description: 'The billing web app (and its API under /v1/*)' });
    new CfnOutput(this, 'DistributionDomainName', { value: this.web.distribution.distributionDomainName, description: "The web app's CloudFront name: the DNS target of the stage's webDomain, if any" });
    new CfnOutput(this, 'WebClientId', { value: this.webSignIn.client.userPoolClientId, description: "The web app's Cognito app client (code grant, no secret)" });
    new CfnOutput(this, 'ManagedLoginDomain', { value: this.webSignIn.domainUrl, description: "The web app's sign-in (managed login) domain" });
    new CfnOutput(this, 'StripeWebhookUrl', { value: `${this.api.url}/v1/webhooks/stripe`, description: 'Point the Stripe webhook endpoint here' });
  }
}
