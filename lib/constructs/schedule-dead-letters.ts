/**
 * Where scheduled work that failed ends up, for an operator to read (and the alarms to count):
 * - `deliveryQueue`: events EventBridge Scheduler could not deliver to the function after its retries;
 * - `failedRunsQueue`: runs that threw after Lambda's async retries (the function's on-failure
 *   destination: the record carries the input `{ "job": name }` and the error).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createSecureQueue } from './secure-queue';

export interface ScheduleDeadLettersProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class ScheduleDeadLetters extends Construct {
  readonly deliveryQueue: sqs.Queue;
  readonly failedRunsQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ScheduleDeadLettersProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.deliveryQueue = createSecureQueue(this, 'DeliveryDeadLetterQueue', { removalPolicy });
    this.failedRunsQueue = createSecureQueue(this, 'FailedRunsQueue', { removalPolicy });
    for (const queue of [this.deliveryQueue, this.failedRunsQueue]) {
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter queue (EventBridge Scheduler dead-letter config / Lambda on-failure destination in the service stack, which cdk-nag cannot see across stacks). Nothing consumes it automatically; its depth alarms and an operator reads it.',
      });
    }
  }
}
