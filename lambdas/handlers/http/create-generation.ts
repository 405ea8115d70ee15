import * as z from 'zod';
import { SIMULATIONS } from '../../adapters/simulated-provider';
import { DomainError } from '../../domain/errors';
import type { UseCaseDeps } from '../../use-cases/context';
import { createGeneration } from '../../use-cases/create-generation';
import { httpEndpoint } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';
import { sqsJobQueue } from '../../composition/queue-wiring';
import { idempotencyKeyOf } from './idempotency-key';
import { ModelId, OutputCount } from './schemas';

const MAX_PARAMS_JSON_BYTES = 8 * 1024;

const MAX_PARAMS_DEPTH = 8;

/**
 * Why `params` cannot be stored as given, or null. Checked iteratively (no recursion to overflow):
 * at most 8 levels deep, non-empty keys, and numbers DynamoDB holds exactly (safe integers, or
 * magnitudes from 1e-100 to 1e15).
 */
function paramsProblem(params: Record<string, unknown>): string | null {
  const stack: Array<[unknown, number]> = [[params, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'number' && value !== 0 && !(Math.abs(value) <= 1e15 && Math.abs(value) >= 1e-100)) return 'params numbers must be between 1e-100 and 1e15 in magnitude';
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_PARAMS_DEPTH) return `params may nest at most ${MAX_PARAMS_DEPTH} levels`;
    for (const [key, child] of Object.entries(value)) {
      if (!Array.isArray(value) && (key.length === 0 || key.length > 64)) return 'params keys must be 1-64 characters';
      stack.push([child, depth + 1]);
    }
  }
  return Buffer.byteLength(JSON.stringify(params)) > MAX_PARAMS_JSON_BYTES ? `params are limited to ${MAX_PARAMS_JSON_BYTES} bytes of JSON` : null;
}

export const GenerationBody = z.strictObject({
  model: ModelId,
  count: OutputCount,
  params: z
    .record(z.string().max(64), z.unknown())
    .superRefine((p, ctx) => {
      const problem = paramsProblem(p);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
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
  httpEndpoint({ access: 'token', body: GenerationBody }, async ({ caller, body, headers }) => {
    const idempotencyKey = idempotencyKeyOf(headers);
    assertSimulationAllowed(body.params, deps.localMode);
    return {
      statusCode: 202,
      body: await createGeneration(deps, { accountId: caller.accountId, userId: caller.userId, idempotencyKey, model: body.model, count: body.count, params: body.params }),
    };
  });

export const handler = lambdaEntry(createGenerationHandler, { access: { table: 'read-write', enqueuesJobs: true }, jobQueue: sqsJobQueue });
