import type { UseCaseDeps } from '../../use-cases/context';
import { getGeneration } from '../../use-cases/get-generation';
import { GenerationNotFoundError } from '../../domain/errors';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';
import { s3Outputs } from '../../composition/model-wiring';
import { generationView } from './generation-view';

export const JOB_ID_PATTERN = /^gen_[0-9a-z]{26}$/;

/** GET /v1/generations/{id}: one of the caller's jobs. */
export const createGetGenerationHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('member', deps.store) }, async ({ caller, pathParameters }) => {
    const jobId = pathParameters.id ?? '';
    if (!JOB_ID_PATTERN.test(jobId)) throw new GenerationNotFoundError(jobId.slice(0, 64));
    const job = await getGeneration(deps, { accountId: caller.accountId, jobId });
    return { statusCode: 200, body: await generationView(job, deps.outputs, deps.clock.now()) };
  });

// Signs GET URLs for the outputs (a presigned URL carries this function's s3:GetObject).
export const handler = lambdaEntry(createGetGenerationHandler, { access: { table: 'read', outputs: 'read' }, outputs: s3Outputs });
