import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { UseCaseDeps } from '../../use-cases/context';
import { failDeadLetterGeneration } from '../../use-cases/fail-dead-letter-generation';
import { lambdaEntry } from '../../composition/production-deps';
import { processJobBatch } from './sqs-batch';

/** The jobs DLQ's consumer: a job whose deliveries ran out is failed and refunded once. */
export const createFailDeadLettersHandler = (deps: UseCaseDeps) => (event: SQSEvent): Promise<SQSBatchResponse> =>
  processJobBatch(event, (ref) => failDeadLetterGeneration(deps, ref));

export const handler = lambdaEntry(createFailDeadLettersHandler, { access: { table: 'read-write' } });
