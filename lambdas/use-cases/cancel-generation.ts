/**
 * Cancels a generation at the request of who asked for it, an admin or the owner:
 * - queued, or running without a provider operation (an image call in flight, or a submit whose
 *   answer is not recorded): cancelled and refunded now; a worker still holding it finds it changed
 *   and its outcome is dropped (finish-generation's version guard);
 * - a followed operation (a video): one poll first: completed → 409 generation_finished (the worker
 *   delivers the outputs, nothing is refunded); otherwise cancelled and refunded, and only then is
 *   the provider asked to stop it (where it can), so that a worker's poll racing the cancel never
 *   reads an operation we stopped as a provider failure.
 * The cancel and the refund commit in one transaction guarded by the job's version, so a cancel
 * racing the worker's finish is one or the other, never both.
 */
import { GenerationFinishedError, GenerationNotFoundError, DomainError } from '../domain/errors';
import type { GenerationJob, JobRef } from '../domain/generation';
import type { ModelRoute } from '../domain/model-clients';
import { isFinished, spenderOf } from '../domain/job-lifecycle';
import { authorize } from '../domain/team';
import { workingTimeLeftMs } from '../shared/time-budget';
import type { UseCaseDeps } from './context';
import { finishGeneration } from './finish-generation';
import { cancelQuietly } from './run-generation';

/** A cancel that loses a race this many times in a row answers 409 write_conflict. */
const MAX_CANCEL_ROUNDS = 5;
const ROUND_RESERVE_MS = 12_000;

export async function cancelGeneration(deps: UseCaseDeps, caller: { readonly accountId: string; readonly userId: string }, jobId: string): Promise<GenerationJob> {
  const ref: JobRef = { accountId: caller.accountId, jobId };
  // Each round may wait 5 s on the provider (and 5 s more to stop it): never start one the function cannot finish.
  for (let round = 0; round < MAX_CANCEL_ROUNDS && workingTimeLeftMs() > ROUND_RESERVE_MS; round += 1) {
    const { job, account } = await deps.store.loadJobAndAccount(ref);
    const role = authorize(account, caller, 'member');
    if (!job) throw new GenerationNotFoundError(jobId);
    if (role === 'member' && spenderOf(job) !== caller.userId) throw new DomainError('forbidden', 'Only who asked for a generation, an admin or the owner can cancel it.');
    if (isFinished(job)) throw new GenerationFinishedError(job.status);
    const operationId = job.operation?.id ?? null;
    // Without the provider's client (its key gone) the cancel still stands on our side; the operation is not stopped.
    const route = operationId ? await deps.models.route(job.model).catch(() => null) : null;
    if (operationId && route?.kind === 'video' && (await completedAtProvider(route, operationId))) {
      throw new GenerationFinishedError('succeeded', 'The model had already completed this generation; it will appear shortly and is not refunded.');
    }
    const result = await finishGeneration(deps, ref, { kind: 'cancelled' }, job.version);
    if (result === 'finished') {
      if (operationId && route?.kind === 'video') await cancelQuietly(deps, route, operationId);
      const cancelled = await deps.store.getGeneration(ref.accountId, ref.jobId);
      if (cancelled) return cancelled;
    }
    // The worker moved it meanwhile (a poll, a finish): look again.
  }
  throw new DomainError('write_conflict', 'The generation kept changing while it was being cancelled; try again.');
}

/** Whether the provider has already completed the operation (its outputs are then delivered, not refunded). */
async function completedAtProvider(route: Extract<ModelRoute, { kind: 'video' }>, operationId: string): Promise<boolean> {
  try {
    const state = await route.client.poll(operationId, AbortSignal.timeout(5_000));
    return state.state === 'succeeded';
  } catch {
    // Unknown: it is cancelled on our side; if the provider finishes it anyway, the output is not kept.
    return false;
  }
}
