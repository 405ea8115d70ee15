import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { remainingTimeOf, runWithDeadline } from '../../shared/time-budget';
import type { UseCaseDeps } from '../../use-cases/context';
import { runGeneration } from '../../use-cases/run-generation';
import { startAutoRefill } from '../../use-cases/start-auto-refill';
import { lambdaEntry } from '../../composition/production-deps';
import { stripePayments } from '../../composition/stripe-wiring';
import { s3Outputs, stageModels } from '../../composition/model-wiring';
import { sqsJobQueue } from '../../composition/queue-wiring';
import { processJobBatch } from './sqs-batch';

/** The jobs queue's worker: runs each job's steps once, whatever the queue delivers twice; also starts auto-refills off the debit path. */
export const createRunGenerationsHandler = (deps: UseCaseDeps) => (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
  // Retries inside see the function's deadline (lambdas/shared/time-budget.ts); the model call has its own, the lease.
  runWithDeadline(remainingTimeOf(context), () =>
    processJobBatch(
      event,
      (ref) => runGeneration(deps, ref),
      (accountId) => startAutoRefill(deps, accountId),
    ),
  );

export const handler = lambdaEntry(createRunGenerationsHandler, {
  // Claims and finishes jobs; calls the models, copies their outputs in, sends a video's next poll; starts auto-refills (Stripe, off-session).
  access: { table: 'read-write', stripe: true, enqueuesJobs: true, outputs: 'write', modelProviders: true },
  // Read at the first auto-refill, not at cold start: a Stripe secret problem must not stop generations.
  payments: stripePayments,
  jobQueue: sqsJobQueue,
  models: stageModels,
  outputs: s3Outputs,
});
