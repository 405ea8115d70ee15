import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { remainingTimeOf, runWithDeadline } from '../../shared/time-budget';
import type { UseCaseDeps } from '../../use-cases/context';
import { runGeneration } from '../../use-cases/run-generation';
import { startAutoRefill } from '../../use-cases/start-auto-refill';
import { lambdaEntry } from '../../composition/production-deps';
import { stripePayments } from '../../composition/stripe-wiring';
import { SimulatedProvider } from '../../adapters/simulated-provider';
import { UnconfiguredProvider } from '../../adapters/unconfigured-provider';
import { processJobBatch } from './sqs-batch';
import type { GenerationProvider } from '../../domain/ports';
import type { Config } from '../../shared/config';

/** The jobs queue's worker: runs each job once, whatever the queue delivers twice; also starts auto-refills off the debit path. */
export const createRunGenerationsHandler = (deps: UseCaseDeps) => (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
  // Retries inside see the function's deadline (lambdas/shared/time-budget.ts); the model call has its own, the lease.
  runWithDeadline(remainingTimeOf(context), () =>
    processJobBatch(
      event,
      (ref) => runGeneration(deps, ref),
      (accountId) => startAutoRefill(deps, accountId),
    ),
  );

/** The stage config allows the simulated model on dev only (params.simulate is refused outside local mode); no live provider is wired yet. */
export const workerProvider = (config: Pick<Config, 'GENERATION_PROVIDER'>): GenerationProvider => (config.GENERATION_PROVIDER === 'simulated' ? new SimulatedProvider() : new UnconfiguredProvider());

export const handler = lambdaEntry(createRunGenerationsHandler, {
  // Claims and finishes jobs; starts auto-refills (Stripe, off-session).
  access: { table: 'read-write', stripe: true },
  // Read at the first auto-refill, not at cold start: a Stripe secret problem must not stop generations.
  payments: stripePayments,
  provider: workerProvider,
});
