/**
 * What holds data: the ledger table, the queues (jobs, its DLQ, the schedules' dead letters), the
 * Stripe secret and (dev) the user pool. Apart from the stateless service stack so that the
 * service can be replaced freely; outside dev everything here is retained and the table refuses
 * deletion.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DevUserPool } from './constructs/dev-user-pool';
import { JobQueues } from './constructs/job-queues';
import { LedgerTable } from './constructs/ledger-table';
import { ScheduleDeadLetters } from './constructs/schedule-dead-letters';
import { StripeSecret } from './constructs/stripe-secret';
import type { StageConfig } from './stage-config';
import { isDevStage } from './stage-config';

/** Timeouts the queues are sized for; the service stack gives its functions the same ones. */
export const DEAD_LETTER_CONSUMER_TIMEOUT = Duration.seconds(60);

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
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
  readonly userPool: UserPoolRef;

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

    if (config.userPool.mode === 'create') {
      const pool = new DevUserPool(this, 'Identity', { removalPolicy });
      this.userPool = { userPoolId: pool.userPool.userPoolId, appClientIds: [pool.client.userPoolClientId] };
      // Read by the post-deploy smoke test (bin/smoke) to sign its test user in.
      new CfnOutput(this, 'UserPoolId', { value: pool.userPool.userPoolId, description: 'The dev user pool (test users: README, Smoke test after deploy)' });
      new CfnOutput(this, 'AppClientId', { value: pool.client.userPoolClientId, description: 'The dev app client (SRP and, for the smoke test, ADMIN_USER_PASSWORD_AUTH)' });
    } else {
      this.userPool = { userPoolId: config.userPool.userPoolId, appClientIds: config.userPool.appClientIds };
    }
  }
}
