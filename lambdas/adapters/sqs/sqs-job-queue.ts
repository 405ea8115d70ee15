import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { JobMessage } from '../../domain/generation';
import type { JobQueue } from '../../domain/ports';

/** The jobs queue on SQS: one small message per job; the job itself lives in DynamoDB. */
export class SqsJobQueue implements JobQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(job: JobMessage, delaySeconds = 0): Promise<void> {
    const body = { accountId: job.accountId, jobId: job.jobId, ...(job.poll !== undefined ? { poll: job.poll } : {}) };
    // SQS delays at most 15 minutes; whole seconds.
    const delay = Math.min(Math.max(Math.ceil(delaySeconds), 0), 900);
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(body), ...(delay > 0 ? { DelaySeconds: delay } : {}) }));
  }

  async enqueueAutoRefill(accountId: string): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ kind: 'auto_refill', accountId }) }));
  }
}
