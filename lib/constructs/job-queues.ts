/**
 * The generation jobs queue and its DLQ. A message is delivered up to `maxReceiveCount` times
 * (the worker reports failed items only), then moves to the DLQ, whose consumer fails and refunds
 * the job once. Visibility timeouts are six times the consumers' timeouts, as Lambda advises, so a
 * message is never redelivered while a batch that holds it may still be running.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createSecureQueue } from './secure-queue';

export const VISIBILITY_TIMEOUT_FACTOR = 6;

export interface JobQueuesProps {
  /** The worker's timeout (the job lease). */
  readonly workerTimeout: Duration;
  /** The DLQ consumer's timeout. */
  readonly deadLetterConsumerTimeout: Duration;
  /** Deliveries before a message moves to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class JobQueues extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: JobQueuesProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.deadLetterQueue = createSecureQueue(this, 'DeadLetterQueue', {
      visibilityTimeout: Duration.seconds(props.deadLetterConsumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      removalPolicy,
    });
    this.queue = createSecureQueue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(props.workerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
      removalPolicy,
    });
  }
}
