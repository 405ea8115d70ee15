/** The jobs queue on SQS, for the functions that enqueue (LambdaWiring.jobQueue). */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { JobQueue } from '../domain/ports';
import { SqsJobQueue } from '../adapters/sqs/sqs-job-queue';
import type { Config } from '../shared/config';
import { traced } from '../shared/tracing';

export function sqsJobQueue(config: Config): JobQueue {
  const sqs = traced(new SQSClient({ region: config.AWS_REGION, ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}) }));
  return new SqsJobQueue(sqs, config.JOBS_QUEUE_URL);
}
