import type { UseCaseDeps } from '../../use-cases/context';
import { cancelGeneration } from '../../use-cases/cancel-generation';
import { GenerationNotFoundError } from '../../domain/errors';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';
import { s3Outputs, stageModels } from '../../composition/model-wiring';
import { generationView } from './generation-view';
import { JOB_ID_PATTERN } from './get-generation';

/** POST /v1/generations/{id}/cancel: stops a queued or running generation and refunds it (cancel-generation.ts has the rules). */
export const createCancelGenerationHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('member', deps.store) }, async ({ caller, pathParameters }) => {
    const jobId = pathParameters.id ?? '';
    if (!JOB_ID_PATTERN.test(jobId)) throw new GenerationNotFoundError(jobId.slice(0, 64));
    const job = await cancelGeneration(deps, caller, jobId);
    return { statusCode: 200, body: await generationView(job, deps.outputs, deps.clock.now()) };
  });

// Asks the video's provider to stop (its key); the answer shows the generation (no outputs once cancelled, but the view signs any).
export const handler = lambdaEntry(createCancelGenerationHandler, { access: { table: 'read-write', modelProviders: true, outputs: 'read' }, models: stageModels, outputs: s3Outputs });
