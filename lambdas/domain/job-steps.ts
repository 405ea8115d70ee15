/**
 * The worker's steps of a job, decided from the job as read and the message that woke the worker:
 * - an image model is called once within the lease, its outputs stored, the job finished;
 * - a video model is submitted (the job records the operation id), then polled by delayed messages,
 *   each a short invocation, until it succeeds, fails or passes its deadline.
 * A call that may have run at the provider (no answer came back, or the worker died waiting) is
 * made again only when the provider takes an idempotency key; otherwise the job fails and is
 * refunded: the user never pays for nothing, and we are never billed twice for one job.
 * Every step is written with the job's version as the guard (job-lifecycle.ts).
 */
import type { GenerationJob, JobMessage } from './generation';
import type { JobFailure, JobTimings } from './job-lifecycle';
import { isFinished, plusSeconds, startJob } from './job-lifecycle';
import type { ModelProviderError } from './model-clients';
import { mayHaveRun } from './model-clients';

/** Deliveries of a job whose provider answered with a transient fault, before it fails and is refunded. */
export const MAX_ATTEMPTS = 4;

/** What the worker needs to know of the model that runs the job. */
export interface RunningModel {
  readonly kind: 'image' | 'video';
  /** Video: how long the provider's operation is followed before the job fails. */
  readonly maxRunSeconds?: number;
  readonly acceptsIdempotencyKey: boolean;
}

export type WorkStep =
  /** Already succeeded, failed or cancelled: a duplicate message, nothing to do. */
  | { readonly kind: 'finished' }
  /** Another worker holds a live lease: try again after it lapses. */
  | { readonly kind: 'leased'; readonly until: string }
  /** A poll message sent for an earlier poll, or one that came before the poll is due: dropped (the current one is on its way). */
  | { readonly kind: 'stale' }
  /** Claim the job (write `job`), then call the image model or submit the video (with `job.operation.submitKey`). */
  | { readonly kind: 'start'; readonly job: GenerationJob }
  /** Claim the poll (write `job`), then poll the operation. */
  | { readonly kind: 'poll'; readonly job: GenerationJob }
  /** The last call may have run and its answer was lost, and the provider takes no key to repeat it safely. */
  | { readonly kind: 'fail'; readonly failure: JobFailure };

export const LOST_CALL: JobFailure = { code: 'worker_crashed', message: 'The generation was interrupted and could not be resumed safely; its credits were refunded.' };
export const PROVIDER_ERROR: JobFailure = { code: 'provider_error', message: 'The model could not be run right now; its credits were refunded.' };
export const PAST_DEADLINE: JobFailure = { code: 'timeout', message: 'The model did not finish in time; its credits were refunded.' };

export function nextStep(job: GenerationJob, message: JobMessage, now: Date, timings: JobTimings, model: RunningModel): WorkStep {
  if (isFinished(job)) return { kind: 'finished' };
  if (job.status === 'running' && job.leaseUntil !== null && Date.parse(job.leaseUntil) > now.getTime()) return { kind: 'leased', until: job.leaseUntil };
  const claim = { leaseUntil: plusSeconds(now, timings.leaseSeconds), version: job.version + 1, updatedAt: now.toISOString() };
  const op = job.operation;
  if (op && op.id !== null) {
    if (message.poll !== undefined && message.poll !== op.polls) return { kind: 'stale' };
    if (now.getTime() >= Date.parse(op.deadlineAt)) return { kind: 'fail', failure: PAST_DEADLINE };
    // Only the reaper's message names no poll; it is sent once the poll is overdue, so an early one is a stray.
    if (message.poll === undefined && op.pollAt !== null && Date.parse(op.pollAt) > now.getTime()) return { kind: 'stale' };
    return { kind: 'poll', job: { ...job, ...claim, dueAt: claim.leaseUntil } };
  }
  // A retried submission past its deadline is not submitted again (it would be billed, then failed).
  if (op && now.getTime() >= Date.parse(op.deadlineAt)) return { kind: 'fail', failure: PAST_DEADLINE };
  // Running with nothing recorded: the worker before us died during the call (or the submit).
  if (job.status === 'running' && !model.acceptsIdempotencyKey) return { kind: 'fail', failure: LOST_CALL };
  const claimed = startJob(job, now, timings);
  if (claimed.kind !== 'start') return claimed;
  const started = claimed.job;
  if (model.kind === 'image') return { kind: 'start', job: started };
  const deadlineAt = op?.deadlineAt ?? earliest(plusSeconds(now, model.maxRunSeconds ?? timings.maxAgeSeconds), plusSeconds(new Date(job.createdAt), timings.maxAgeSeconds));
  // A resubmit after a lost answer (or a retried fault) keeps the key: the provider answers with the same operation.
  const submitKey = op?.submitKey ?? `${job.id}-${started.attempts}`;
  return { kind: 'start', job: { ...started, operation: { id: null, submitKey, submittedAt: now.toISOString(), pollAt: null, deadlineAt, polls: 0 } } };
}

const earliest = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);

/** The provider accepted the submit: follow its operation from the next poll. */
export function recordSubmitted(job: GenerationJob, operationId: string, now: Date, timings: JobTimings): GenerationJob {
  if (!job.operation) throw new Error(`job ${job.id} has no submission to record`);
  return waitForPoll({ ...job, operation: { ...job.operation, id: operationId } }, job.operation.polls, now, timings);
}

/** The operation is still running (or the poll failed transiently): poll again after the interval. */
export function scheduleNextPoll(job: GenerationJob, now: Date, timings: JobTimings): GenerationJob {
  if (!job.operation?.id) throw new Error(`job ${job.id} has no operation to poll`);
  return waitForPoll(job, job.operation.polls + 1, now, timings);
}

function waitForPoll(job: GenerationJob, polls: number, now: Date, timings: JobTimings): GenerationJob {
  const pollAt = plusSeconds(now, timings.pollIntervalSeconds);
  // Due for the reaper once the poll message is overdue: a lost message is sent again from there.
  const dueAt = plusSeconds(new Date(pollAt), timings.requeueAfterSeconds);
  return { ...job, operation: { ...job.operation!, pollAt, polls }, leaseUntil: null, dueAt, version: job.version + 1, updatedAt: now.toISOString() };
}

/**
 * Gives a claimed job back to the queue after a transient fault, to be tried again after
 * `delaySeconds`. A video's submission keeps its key and deadline (`keepSubmitKey`) unless its
 * operation ended at the provider: a submit that may have run is then repeated under the same key,
 * which a provider that honours keys answers with the operation it started, not a second one.
 */
export function releaseForRetry(job: GenerationJob, delaySeconds: number, now: Date, timings: JobTimings, { keepSubmitKey }: { keepSubmitKey: boolean }): GenerationJob {
  const { operation, ...rest } = job;
  const kept = keepSubmitKey && operation ? { operation: { ...operation, id: null, pollAt: null, polls: 0 } } : {};
  return { ...rest, ...kept, status: 'queued', leaseUntil: null, dueAt: plusSeconds(now, delaySeconds + timings.requeueAfterSeconds), version: job.version + 1, updatedAt: now.toISOString() };
}

export type FaultDecision = { readonly kind: 'fail'; readonly failure: JobFailure } | { readonly kind: 'retry'; readonly delaySeconds: number };

/** What a provider's failed call means for the job (issue 14, "Providers"). */
export function decideOnFault(job: GenerationJob, error: ModelProviderError, model: RunningModel, timings: Pick<JobTimings, 'retryBaseSeconds'>): FaultDecision {
  if (error.fault === 'user') return { kind: 'fail', failure: { code: 'refused', message: error.message } };
  if (error.fault === 'ours') return { kind: 'fail', failure: PROVIDER_ERROR };
  if (mayHaveRun(error) && !model.acceptsIdempotencyKey) {
    return { kind: 'fail', failure: { code: error.code === 'timeout' ? 'timeout' : 'provider_unavailable', message: 'The model did not answer in time; its credits were refunded.' } };
  }
  if (job.attempts >= MAX_ATTEMPTS) {
    const code = error.code === 'timeout' ? 'timeout' : 'provider_unavailable';
    return { kind: 'fail', failure: { code, message: `The model did not answer after ${job.attempts} attempts; its credits were refunded.` } };
  }
  return { kind: 'retry', delaySeconds: retryDelaySeconds(job.attempts, timings.retryBaseSeconds ?? 5, error.retryAfterMs) };
}

/** Exponential from `baseSeconds`, at most 5 minutes; the provider's Retry-After when it asks for longer. SQS delays are whole seconds, at most 900. */
export function retryDelaySeconds(attempts: number, baseSeconds: number, retryAfterMs?: number): number {
  const backoff = Math.min(baseSeconds * 2 ** Math.max(attempts - 1, 0), 300);
  return Math.min(Math.max(backoff, Math.ceil((retryAfterMs ?? 0) / 1000)), 900);
}
