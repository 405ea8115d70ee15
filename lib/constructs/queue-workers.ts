/**
 * The jobs queue's worker and the DLQ's consumer, each on its own SQS event source with partial
 * batch responses (ReportBatchItemFailures): only the records that failed are delivered again.
 */
import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../function-catalog';
import type { FunctionDefaults } from '../service-functions';
import { createServiceFunction } from '../service-functions';
import type { ServiceFunction } from './service-function';

export const QUEUE_BATCH_SIZE = 10;
/** The worker's memory unless the stage says otherwise (stage config workerMemoryMb). */
export const WORKER_MEMORY_SIZE = 2048;
/** Below this a single 200 MiB video, buffered, would not fit beside the runtime. */
export const MIN_WORKER_MEMORY_SIZE = 1024;

export interface QueueWorkersProps {
  readonly worker: FunctionSpec;
  readonly deadLetterConsumer: FunctionSpec;
  readonly jobsQueue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly functionDefaults: FunctionDefaults;
  /** The job lease: the worker must finish (or lose the job) within it. */
  readonly workerTimeout: Duration;
  /** The worker buffers provider outputs (up to 200 MiB a video) while copying them to S3, a batch's records at once. @default WORKER_MEMORY_SIZE */
  readonly workerMemorySize?: number;
  /** @default Duration.seconds(60) */
  readonly deadLetterConsumerTimeout?: Duration;
  /** Concurrent worker invocations at most. @default 10 */
  readonly workerMaxConcurrency?: number;
}

export class QueueWorkers extends Construct {
  readonly worker: ServiceFunction;
  readonly deadLetterConsumer: ServiceFunction;

  constructor(scope: Construct, id: string, props: QueueWorkersProps) {
    super(scope, id);
    const memorySize = props.workerMemorySize ?? WORKER_MEMORY_SIZE;
    if (memorySize < MIN_WORKER_MEMORY_SIZE) throw new Error(`The jobs worker needs at least ${MIN_WORKER_MEMORY_SIZE} MB (it buffers provider outputs of up to 200 MiB), got ${memorySize}`);
    this.worker = createServiceFunction(this, props.worker, props.functionDefaults, { timeout: props.workerTimeout, memorySize });
    this.worker.function.addEventSource(
      new SqsEventSource(props.jobsQueue, { batchSize: QUEUE_BATCH_SIZE, reportBatchItemFailures: true, maxConcurrency: props.workerMaxConcurrency ?? 10 }),
    );

    this.deadLetterConsumer = createServiceFunction(this, props.deadLetterConsumer, props.functionDefaults, { timeout: props.deadLetterConsumerTimeout ?? Duration.seconds(60) });
    this.deadLetterConsumer.function.addEventSource(new SqsEventSource(props.deadLetterQueue, { batchSize: QUEUE_BATCH_SIZE, reportBatchItemFailures: true, maxConcurrency: 2 }));
  }
}
