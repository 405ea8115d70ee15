import * as z from 'zod';
import { SIMULATIONS } from '../../adapters/simulated/simulated-models';
import { DomainError } from '../../domain/errors';
import type { UseCaseDeps } from '../../use-cases/context';
import { createGeneration } from '../../use-cases/create-generation';
import { httpEndpoint } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';
import { sqsJobQueue } from '../../composition/queue-wiring';
import { idempotencyKeyOf } from './idempotency-key';
import { ModelId, OutputCount } from './schemas';

/** An earlier output of the wallet, named as in the API: `<generation id>/<index>`. */
export const OUTPUT_ID_PATTERN = /^gen_[0-9a-z]{26}\/\d{1,2}$/;

export const MAX_PROMPT_CHARACTERS = 4000;

/** The prompt and the model's options; whether the model offers them is checked before the debit (domain/generation-params.ts). */
export const GenerationParams = z
  .strictObject({
    prompt: z.string().trim().min(1, 'a prompt is required').max(MAX_PROMPT_CHARACTERS).meta({ description: 'What to generate.', example: 'A banana surfing a wave at sunset' }),
    aspectRatio: z.string().max(8).optional().meta({ description: "One of the model's aspect ratios (GET /v1/pricing lists them).", example: '16:9' }),
    resolution: z.string().max(8).optional().meta({ description: 'Video models: one of the resolutions offered.', example: '720p' }),
    durationSeconds: z.int().min(1).max(60).optional().meta({ description: 'Video models: one of the clip lengths offered.' }),
    seed: z.int().min(0).max(4_294_967_295).optional(),
    referenceImages: z.array(z.string().regex(OUTPUT_ID_PATTERN)).max(4).optional().meta({ description: 'Earlier image outputs of this wallet (`<generation id>/<index>`).' }),
    simulate: z.string().max(16).optional().meta({ description: 'Local stack only: steers the simulated model (fail, timeout, crash).' }),
  })
  .meta({ id: 'GenerationParams' });

export const GenerationBody = z.strictObject({
  model: ModelId,
  count: OutputCount,
  params: GenerationParams,
});

/** `params.simulate` steers the simulated provider in the local stack; anywhere else it is refused. */
function assertSimulationAllowed(params: { simulate?: string }, localMode: boolean): void {
  if (params.simulate === undefined) return;
  const issue = (message: string) => new DomainError('invalid_request', message, { issues: [{ path: 'body.params.simulate', message }] });
  if (!localMode) throw issue('params.simulate is only available in the local stack.');
  if (!SIMULATIONS.includes(params.simulate as (typeof SIMULATIONS)[number])) throw issue(`params.simulate must be one of ${SIMULATIONS.join(', ')}.`);
}

/** POST /v1/generations: pays for a generation and queues it; 202 with what was charged where. */
export const createGenerationHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: 'token', body: GenerationBody }, async ({ caller, body, headers }) => {
    const idempotencyKey = idempotencyKeyOf(headers);
    assertSimulationAllowed(body.params, deps.localMode);
    return {
      statusCode: 202,
      body: await createGeneration(deps, { accountId: caller.accountId, userId: caller.userId, idempotencyKey, model: body.model, count: body.count, params: body.params }),
    };
  });

export const handler = lambdaEntry(createGenerationHandler, { access: { table: 'read-write', enqueuesJobs: true }, jobQueue: sqsJobQueue });
