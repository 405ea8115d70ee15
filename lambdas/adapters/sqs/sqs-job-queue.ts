import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { JobRef } from '../../domain/generation';
import type { JobQueue } from '../../domain/ports';

/** The jobs queue on SQS: one small message per job; the job itself lives in DynamoDB. */
export class SqsJobQueue implements JobQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(job: JobRef): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ accountId: job.accountId, jobId: job.jobId }) }));
  }

  async enqueueAutoRefill(accountId: string): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ kind: 'auto_refill', accountId }) }));
  }
}
