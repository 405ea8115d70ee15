/**
 * An SQS queue with the house defaults: SSE (SQS-managed keys), TLS-only access, 14 days of
 * retention, and a removal policy chosen by the stage.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface SecureQueueProps {
  /** @default Duration.seconds(30) */
  readonly visibilityTimeout?: Duration;
  /** @default - none */
  readonly deadLetterQueue?: sqs.DeadLetterQueue;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export const QUEUE_RETENTION = Duration.days(14);

export function createSecureQueue(scope: Construct, id: string, props: SecureQueueProps = {}): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: QUEUE_RETENTION,
    visibilityTimeout: props.visibilityTimeout ?? Duration.seconds(30),
    ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  });
}
