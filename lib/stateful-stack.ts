/**
 * What holds data: the ledger table, the queues (jobs, its DLQ, the schedules' dead letters), the
 * generation outputs bucket, the Stripe and model-provider secrets and (dev) the user pool; and, next to the pool and the table, the pool's
 * pre-token-generation trigger (it reads team links; in another stack it would make a cycle). Apart from the stateless service stack so that the
 * service can be replaced freely; outside dev everything here is retained and the table refuses
 * deletion.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DevUserPool } from './constructs/dev-user-pool';
import { TeamClaimsTrigger } from './constructs/team-claims-trigger';
import type { TriggeredPool } from './constructs/team-claims-trigger';
import { PRE_TOKEN_FUNCTION } from './function-catalog';
import { METRICS_NAMESPACE, SERVICE_NAME } from './service-functions';
import { JobQueues } from './constructs/job-queues';
import { LedgerTable } from './constructs/ledger-table';
import { OutputsBucket } from './constructs/outputs-bucket';
import { ProviderSecret } from './constructs/provider-secret';
import { ScheduleDeadLetters } from './constructs/schedule-dead-letters';
import { StripeSecret } from './constructs/stripe-secret';
import type { StageConfig } from './stage-config';
import { isDevStage, providerSecretNameOf } from './stage-config';

/** Timeouts the queues are sized for; the service stack gives its functions the same ones. */
export const DEAD_LETTER_CONSUMER_TIMEOUT = Duration.seconds(60);

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
}

/** Export names of the outputs bucket's ARN and name (Fn::ImportValue them). */
export interface OutputsBucketExports {
  readonly arnExportName: string;
  readonly nameExportName: string;
}

/** The JWT authorizer's issuer pool and audience. */
export interface UserPoolRef {
  readonly userPoolId: string;
  readonly appClientIds: readonly string[];
}

export class StatefulStack extends Stack {
  readonly table: dynamodb.Table;
  readonly jobsQueue: sqs.Queue;
  readonly jobsDeadLetterQueue: sqs.Queue;
  readonly scheduleDeliveryDeadLetterQueue: sqs.Queue;
  readonly scheduleFailedRunsQueue: sqs.Queue;
  readonly stripeSecret: secretsmanager.Secret;
  /** The model providers' API keys (JSON), read by the functions that call the providers. */
  readonly providerSecret: secretsmanager.Secret;
  /** Generation outputs, under `outputs/`, served through presigned GETs. */
  readonly outputsBucket: s3.Bucket;
  /**
   * The outputs bucket's ARN and name, exported under fixed names: the service stack imports them by
   * name, so that its grants on `<bucket>/outputs/*` can be acknowledged to cdk-nag by that name.
   */
  readonly outputsBucketExports: OutputsBucketExports;
  readonly userPool: UserPoolRef;
  /** The V2_0 pre-token-generation trigger: attached to a created pool, to be attached by hand to an imported one. */
  readonly teamClaims: TeamClaimsTrigger;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    const retain = !isDevStage(config);
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.table = new LedgerTable(this, 'Ledger', { retain, customerManagedKey: config.tableEncryption === 'customer-managed' }).table;

    const jobs = new JobQueues(this, 'Jobs', {
      workerTimeout: Duration.seconds(config.jobTimings.leaseSeconds),
      deadLetterConsumerTimeout: DEAD_LETTER_CONSUMER_TIMEOUT,
      maxReceiveCount: config.jobsMaxReceiveCount,
      removalPolicy,
    });
    this.jobsQueue = jobs.queue;
    this.jobsDeadLetterQueue = jobs.deadLetterQueue;

    const scheduleDeadLetters = new ScheduleDeadLetters(this, 'ScheduleDeadLetters', { removalPolicy });
    this.scheduleDeliveryDeadLetterQueue = scheduleDeadLetters.deliveryQueue;
    this.scheduleFailedRunsQueue = scheduleDeadLetters.failedRunsQueue;

    this.stripeSecret = new StripeSecret(this, 'Payments', { secretName: config.stripeSecretName, removalPolicy }).secret;
    this.providerSecret = new ProviderSecret(this, 'ModelProviders', { secretName: providerSecretNameOf(config), removalPolicy }).secret;
    new CfnOutput(this, 'ProviderSecretArn', {
      value: this.providerSecret.secretArn,
      description: "The model providers' API keys: put {\"geminiApiKey\": …, \"openaiApiKey\": …, \"modelarkApiKey\": …} here (each optional; README, Models and providers)",
    });

    this.outputsBucket = new OutputsBucket(this, 'Outputs', { retentionDays: config.outputsRetentionDays, logRetentionDays: config.logRetentionDays, removalPolicy }).bucket;
    this.outputsBucketExports = { arnExportName: `${this.stackName}:OutputsBucketArn`, nameExportName: `${this.stackName}:OutputsBucketName` };
    new CfnOutput(this, 'OutputsBucketName', {
      value: this.outputsBucket.bucketName,
      description: `Generation outputs (outputs/<account>/<job>/…), kept ${config.outputsRetentionDays} days, served through presigned GETs`,
      exportName: this.outputsBucketExports.nameExportName,
    });
    new CfnOutput(this, 'OutputsBucketArn', { value: this.outputsBucket.bucketArn, description: 'The outputs bucket (imported by the service stack)', exportName: this.outputsBucketExports.arnExportName });

    let triggeredPool: TriggeredPool;
    if (config.userPool.mode === 'create') {
      const pool = new DevUserPool(this, 'Identity', { removalPolicy });
      this.userPool = { userPoolId: pool.userPool.userPoolId, appClientIds: [pool.client.userPoolClientId] };
      triggeredPool = { created: pool.userPool };
      // Read by the post-deploy smoke test (bin/smoke) to sign its test user in.
      new CfnOutput(this, 'UserPoolId', { value: pool.userPool.userPoolId, description: 'The dev user pool (test users: README, Smoke test after deploy)' });
      new CfnOutput(this, 'AppClientId', { value: pool.client.userPoolClientId, description: 'The dev app client (SRP and, for the smoke test, ADMIN_USER_PASSWORD_AUTH)' });
    } else {
      this.userPool = { userPoolId: config.userPool.userPoolId, appClientIds: config.userPool.appClientIds };
      triggeredPool = { importedUserPoolId: config.userPool.userPoolId };
    }

    this.teamClaims = new TeamClaimsTrigger(this, 'TeamClaims', {
      spec: PRE_TOKEN_FUNCTION,
      userPool: triggeredPool,
      functionDefaults: {
        resources: { table: this.table, jobsQueue: this.jobsQueue, stripeSecret: this.stripeSecret, outputsBucket: this.outputsBucket, providerSecret: this.providerSecret },
        // What lambdas/shared/config.ts needs (it requires a queue URL; the trigger has no SQS permission) and Powertools.
        environment: {
          TABLE_NAME: this.table.tableName,
          JOBS_QUEUE_URL: this.jobsQueue.queueUrl,
          LOCAL_MODE: 'false',
          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          POWERTOOLS_LOG_LEVEL: config.logLevel,
        },
        logRetention: config.logRetentionDays,
        logRemovalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      },
    });
    new CfnOutput(this, 'PreTokenTriggerArn', {
      value: this.teamClaims.function.function.functionArn,
      description:
        config.userPool.mode === 'create'
          ? "The user pool's V2_0 pre-token-generation trigger (attached by this stack)"
          : 'Attach to the imported user pool as its pre-token-generation trigger, event version V2_0 (docs/runbook.md, Attach the team-claims trigger)',
    });
  }
}
