import { GenerationNotFoundError } from '../domain/errors';
import type { GenerationJob } from '../domain/generation';
import type { UseCaseDeps } from './context';

/** A job of the caller's own account; any other account's job does not exist for them. */
export async function getGeneration(deps: UseCaseDeps, input: { accountId: string; jobId: string }): Promise<GenerationJob> {
  const job = await deps.store.getGeneration(input.accountId, input.jobId);
  if (!job) throw new GenerationNotFoundError(input.jobId);
  return job;
}
