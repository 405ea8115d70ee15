/**
 * A job queue with its dead-letter queue, the way the CDK stack declares them: `<name>-dlq`, then
 * `<name>` whose RedrivePolicy moves a message to the DLQ once it has been received
 * `maxReceiveCount` times without being deleted (fauxqs does the move on the next receive attempt,
 * as SQS does).
 */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface JobQueueOptions {
  /** Queue name; the DLQ is `<name>-dlq`. */
  readonly name: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

export interface JobQueues {
  readonly queueUrl: string;
  readonly dlqUrl: string;
}

/** Creates (or, with the same attributes, re-creates) the DLQ and the queue. */
export async function createJobQueues(sqs: SQSClient, opts: JobQueueOptions): Promise<JobQueues> {
  const dlqUrl = await createQueue(sqs, `${opts.name}-dlq`, {});
  const dlqArn = await getQueueArn(sqs, dlqUrl);
  const queueUrl = await createQueue(sqs, opts.name, {
    VisibilityTimeout: String(opts.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: opts.maxReceiveCount }),
  });
  return { queueUrl, dlqUrl };
}

/** The queue's ARN (for an SQS event's `eventSourceARN`, or a RedrivePolicy). */
export async function getQueueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`No QueueArn for ${queueUrl}`);
  return arn;
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  return QueueUrl;
}
