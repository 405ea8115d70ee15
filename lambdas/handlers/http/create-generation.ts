import * as z from 'zod';
import { SIMULATIONS } from '../../adapters/simulated-provider';
import { DomainError } from '../../domain/errors';
import type { UseCaseDeps } from '../../use-cases/context';
import { createGeneration } from '../../use-cases/create-generation';
import { httpEndpoint } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../shared/production-deps';
import { idempotencyKeyOf } from './idempotency-key';
import { ModelId, OutputCount } from './schemas';

const MAX_PARAMS_JSON_BYTES = 8 * 1024;

const GenerationBody = z.strictObject({
  model: ModelId,
  count: OutputCount,
  params: z
    .record(z.string().max(64), z.unknown())
    .refine((p) => Buffer.byteLength(JSON.stringify(p)) <= MAX_PARAMS_JSON_BYTES, `params are limited to ${MAX_PARAMS_JSON_BYTES} bytes of JSON`)
    .default({}),
});

/** `params.simulate` steers the simulated provider in the local stack; anywhere else it is refused. */
function assertSimulationAllowed(params: Record<string, unknown>, localMode: boolean): void {
  if (!('simulate' in params)) return;
  const issue = (message: string) => new DomainError('invalid_request', message, { issues: [{ path: 'body.params.simulate', message }] });
  if (!localMode) throw issue('params.simulate is only available in the local stack.');
  if (!SIMULATIONS.includes(params.simulate as (typeof SIMULATIONS)[number])) throw issue(`params.simulate must be one of ${SIMULATIONS.join(', ')}.`);
}

/** POST /v1/generations: pays for a generation and queues it; 202 with what was charged where. */
export const createGenerationHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: 'account', body: GenerationBody }, async ({ caller, body, headers }) => {
    const idempotencyKey = idempotencyKeyOf(headers);
    assertSimulationAllowed(body.params, deps.localMode);
    return {
      statusCode: 202,
      body: await createGeneration(deps, { accountId: caller.accountId, idempotencyKey, model: body.model, count: body.count, params: body.params }),
    };
  });

export const handler = lambdaEntry(createGenerationHandler);
