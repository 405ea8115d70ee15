/**
 * The worker's part of a job, one step per message (the steps are decided in domain/job-steps.ts):
 * 1. read the job; a finished one, a stale poll message or one another worker holds is left alone;
 * 2. claim the step with a version-guarded write (the lease);
 * 3. image: call the model within the lease, copy the outputs to the bucket, finish;
 *    video: submit and record the operation id, or poll it; send the next poll as a delayed message;
 * 4. finish: succeeded, or failed with the refund, in one transaction (finish-generation.ts).
 * A crash anywhere leaves the message to be delivered again, or the job due for the reaper.
 */
import { findModel } from '../domain/catalog';
import type { GenerationJob, JobMessage, JobRef } from '../domain/generation';
import type { FaultDecision, RunningModel } from '../domain/job-steps';
import { LOST_CALL, PROVIDER_ERROR, decideOnFault, nextStep, recordSubmitted, releaseForRetry, scheduleNextPoll } from '../domain/job-steps';
import type { JobFailure } from '../domain/job-lifecycle';
import { isFinished } from '../domain/job-lifecycle';
import type { ModelRoute, ProviderOutput, ReferenceImage } from '../domain/model-clients';
import { ModelProviderError } from '../domain/model-clients';
import type { StoredOutput } from '../domain/output-store';
import { errorFacts } from '../shared/error-facts';
import { log } from '../shared/logger';
import type { UseCaseDeps } from './context';
import type { FinishResult } from './finish-generation';
import { finishGeneration } from './finish-generation';
import { done, retry, withOptimisticRetry } from './optimistic-retry';
import { referencedOutput } from './referenced-output';

export type RunResult = FinishResult | 'leased_elsewhere' | 'unknown_job' | 'stale_message' | 'polling' | 'retrying';

type Claimed =
  | { readonly kind: 'unknown_job' | 'finished' | 'leased' | 'stale' }
  | { readonly kind: 'fail'; readonly job: GenerationJob; readonly failure: JobFailure; readonly route: ModelRoute | null }
  | { readonly kind: 'start' | 'poll'; readonly job: GenerationJob; readonly route: ModelRoute; readonly model: RunningModel };

export async function runGeneration(deps: UseCaseDeps, message: JobMessage): Promise<RunResult> {
  const ref: JobRef = { accountId: message.accountId, jobId: message.jobId };
  const claimed = await withOptimisticRetry<Claimed>(async () => {
    const job = await deps.store.getGeneration(ref.accountId, ref.jobId);
    if (!job) return done({ kind: 'unknown_job' });
    const route = await routeOf(deps, job.model);
    if (route instanceof ModelProviderError) {
      if (isFinished(job)) return done({ kind: 'finished' });
      deps.metrics.count('provider_fault_ours');
      log().error('no model provider for a job', { jobId: job.id, model: job.model, code: route.code });
      return done({ kind: 'fail', job, route: null, failure: PROVIDER_ERROR });
    }
    const model: RunningModel = { kind: route.kind, acceptsIdempotencyKey: route.client.acceptsIdempotencyKey, ...optional('maxRunSeconds', findModel(job.model).maxRunSeconds) };
    const step = nextStep(job, message, deps.clock.now(), deps.jobTimings, model);
    if (step.kind === 'start' || step.kind === 'poll') {
      return (await deps.store.updateJob(job, step.job)) === 'committed' ? done({ kind: step.kind, job: step.job, route, model }) : retry('job_changed');
    }
    if (step.kind === 'fail') return done({ kind: 'fail', job, route, failure: step.failure });
    return done({ kind: step.kind });
  });
  switch (claimed.kind) {
    case 'unknown_job':
      return 'unknown_job';
    case 'finished':
      return 'already_finished';
    case 'leased':
      return 'leased_elsewhere';
    case 'stale':
      return 'stale_message';
    case 'fail':
      return failWithoutCall(deps, claimed.job, claimed.failure, claimed.route);
    case 'start':
      return claimed.route.kind === 'image' ? runImage(deps, claimed.job, claimed.route, claimed.model) : submitVideo(deps, claimed.job, claimed.route, claimed.model);
    case 'poll':
      if (claimed.route.kind !== 'video') throw new Error(`job ${claimed.job.id} has an operation but ${claimed.job.model} is not a video model`);
      return pollVideo(deps, claimed.job, claimed.route, claimed.model);
  }
}

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

async function routeOf(deps: UseCaseDeps, modelId: string): Promise<ModelRoute | ModelProviderError> {
  try {
    return await deps.models.route(modelId);
  } catch (error) {
    if (error instanceof ModelProviderError) return error;
    throw error;
  }
}

/** Fails a job without calling the provider (lost call, deadline passed, provider not configured); a followed operation is asked to stop. */
async function failWithoutCall(deps: UseCaseDeps, job: GenerationJob, failure: JobFailure, route: ModelRoute | null): Promise<RunResult> {
  if (failure === LOST_CALL && job.operation && job.operation.id === null) {
    // The submit may have run (and been billed) but its operation id was lost: nothing to follow.
    deps.metrics.count('provider_orphaned');
    log().error('a submitted generation was lost; the job is failed and refunded', { jobId: job.id, model: job.model, submitKey: job.operation.submitKey });
  }
  if (job.operation?.id && route?.kind === 'video') await cancelQuietly(deps, route, job.operation.id);
  return finishGeneration(deps, refOf(job), { kind: 'failed', failure }, job.version);
}

const refOf = (job: GenerationJob): JobRef => ({ accountId: job.accountId, jobId: job.id });

/** The time this step may take: the lease, less a margin to write the outcome before another worker may take over. */
function stepSignal(deps: UseCaseDeps, job: GenerationJob): AbortSignal {
  const leaseLeft = job.leaseUntil ? Date.parse(job.leaseUntil) - deps.clock.now().getTime() : deps.jobTimings.leaseSeconds * 1000;
  return AbortSignal.timeout(Math.max(Math.floor(leaseLeft * 0.8), 1));
}

/**
 * Runs a provider call under the step's signal; a call still running when it fires is a `timeout`
 * (it may have run). Anything but a provider error is a crash: counted as a failed call, and thrown
 * so that the delivery is retried.
 */
async function withinStep<T>(deps: UseCaseDeps, signal: AbortSignal, call: (signal: AbortSignal) => Promise<T>): Promise<T | ModelProviderError> {
  const timedOut = new Promise<ModelProviderError>((resolve) => {
    const fire = () => resolve(new ModelProviderError('transient', 'timeout', 'The model did not answer within the time allowed.'));
    if (signal.aborted) fire();
    else signal.addEventListener('abort', fire, { once: true });
  });
  try {
    return await Promise.race([call(signal), timedOut]);
  } catch (error) {
    if (error instanceof ModelProviderError) return error;
    deps.metrics.count('provider_failure');
    throw error;
  }
}

/** What every model takes of the job's params. */
function paramsOf(job: GenerationJob) {
  const p = job.params;
  return { prompt: p.prompt, ...optional('aspectRatio', p.aspectRatio), ...optional('seed', p.seed), ...optional('simulate', p.simulate) };
}

/**
 * The reference images' bytes, from the outputs bucket (checked as the wallet's image outputs when
 * the generation was accepted). One deleted since (the bucket's lifecycle) is the user's problem.
 */
async function referencesOf(deps: UseCaseDeps, job: GenerationJob, signal: AbortSignal): Promise<ReferenceImage[] | ModelProviderError> {
  const references: ReferenceImage[] = [];
  for (const reference of job.params.referenceImages ?? []) {
    const output = await referencedOutput(deps, job.accountId, reference);
    const missing = new ModelProviderError('user', 'reference_missing', `The reference image ${reference} is no longer available; its credits were refunded.`);
    if (!output) return missing;
    try {
      const { contentType, bytes } = await deps.outputs.read(output.key, signal);
      references.push({ contentType, base64: Buffer.from(bytes).toString('base64') });
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return missing;
      throw error;
    }
  }
  return references;
}

async function runImage(deps: UseCaseDeps, job: GenerationJob, route: Extract<ModelRoute, { kind: 'image' }>, model: RunningModel): Promise<RunResult> {
  const signal = stepSignal(deps, job);
  const referenceImages = await referencesOf(deps, job, signal);
  if (referenceImages instanceof ModelProviderError) return onFault(deps, job, referenceImages, model);
  deps.metrics.count('provider_call');
  const request = { providerModel: route.providerModel, count: job.count, ...paramsOf(job), ...(referenceImages.length > 0 ? { referenceImages } : {}) };
  // One key per job: a repeated call (after a crash or a timeout) is the same request to a provider that honours keys.
  const outputs = await withinStep(deps, signal, (s) => route.client.generateImages(request, s, job.id));
  if (outputs instanceof ModelProviderError) return onFault(deps, job, outputs, model);
  return storeAndSucceed(deps, job, outputs, signal, model);
}

/**
 * Copies the outputs into the bucket and finishes the job. A copy that fails transiently is tried
 * again by `copyLater` where there is one (a video: its next poll answers the same link); otherwise
 * the provider ran it (and billed us) and it is never run again: the user is refunded.
 */
async function storeAndSucceed(deps: UseCaseDeps, job: GenerationJob, outputs: readonly ProviderOutput[], signal: AbortSignal, model: RunningModel, copyLater?: () => Promise<RunResult>): Promise<RunResult> {
  const stored = await withinStep<StoredOutput[]>(deps, signal, (s) => Promise.all(outputs.map((output, index) => deps.outputs.save({ accountId: job.accountId, jobId: job.id, index, output }, s))));
  if (stored instanceof ModelProviderError) {
    if (stored.fault === 'transient' && copyLater) {
      log().warn('could not copy a finished video yet; the next poll tries again', { jobId: job.id, code: stored.code });
      return copyLater();
    }
    return onFault(deps, job, stored.fault === 'transient' ? new ModelProviderError('ours', stored.code, stored.message) : stored, model);
  }
  return finishGeneration(deps, refOf(job), { kind: 'succeeded', outputs: stored }, job.version);
}

/** `operationEnded`: the provider's operation itself failed (a poll said so): a retry submits anew, under a new key. */
async function onFault(deps: UseCaseDeps, job: GenerationJob, error: ModelProviderError, model: RunningModel, operationEnded = false): Promise<RunResult> {
  deps.metrics.count('provider_failure');
  log().warn('model provider call failed', { jobId: job.id, model: job.model, fault: error.fault, code: error.code, attempts: job.attempts });
  const decision: FaultDecision = decideOnFault(job, error, model, deps.jobTimings);
  if (decision.kind === 'fail') {
    const result = await finishGeneration(deps, refOf(job), { kind: 'failed', failure: decision.failure }, job.version);
    // Pages only when the fault ended the job: a poll of an operation cancelled under it (the job moved on) is not ours.
    if (result === 'finished' && error.fault === 'ours') deps.metrics.count('provider_fault_ours');
    return result;
  }
  const released = releaseForRetry(job, decision.delaySeconds, deps.clock.now(), deps.jobTimings, { keepSubmitKey: !operationEnded });
  if ((await deps.store.updateJob(job, released)) !== 'committed') return 'superseded';
  await sendOrLeaveToReaper(deps, { accountId: job.accountId, jobId: job.id }, decision.delaySeconds);
  return 'retrying';
}

async function submitVideo(deps: UseCaseDeps, job: GenerationJob, route: Extract<ModelRoute, { kind: 'video' }>, model: RunningModel): Promise<RunResult> {
  const op = job.operation!;
  const p = job.params;
  const signal = stepSignal(deps, job);
  const references = await referencesOf(deps, job, signal);
  if (references instanceof ModelProviderError) return onFault(deps, job, references, model);
  // The catalog offers videos one reference: the first frame.
  const [referenceImage] = references;
  deps.metrics.count('provider_call');
  const submitted = await withinStep(deps, signal, (s) =>
    route.client.submit(
      {
        providerModel: route.providerModel,
        ...paramsOf(job),
        ...optional('durationSeconds', p.durationSeconds),
        ...optional('resolution', p.resolution),
        ...optional('referenceImage', referenceImage),
      },
      op.submitKey,
      s,
    ),
  );
  if (submitted instanceof ModelProviderError) return onFault(deps, job, submitted, model);
  const recorded = recordSubmitted(job, submitted.operationId, deps.clock.now(), deps.jobTimings);
  if ((await deps.store.updateJob(job, recorded)) !== 'committed') {
    // Cancelled or failed while we were submitting: stop the operation at the provider, if it lets us.
    // Taken over instead (our lease lapsed; the next worker resubmits under the same key and gets this
    // very operation from a provider that honours keys): leave it running.
    const now = await deps.store.getGeneration(job.accountId, job.id);
    if (!now || isFinished(now)) await cancelQuietly(deps, route, submitted.operationId);
    return 'superseded';
  }
  log().info('video submitted', { jobId: job.id, operationId: submitted.operationId });
  await sendOrLeaveToReaper(deps, { accountId: job.accountId, jobId: job.id, poll: recorded.operation!.polls }, deps.jobTimings.pollIntervalSeconds);
  return 'polling';
}

async function pollVideo(deps: UseCaseDeps, job: GenerationJob, route: Extract<ModelRoute, { kind: 'video' }>, model: RunningModel): Promise<RunResult> {
  const signal = stepSignal(deps, job);
  const state = await withinStep(deps, signal, (s) => route.client.poll(job.operation!.id!, s));
  if (state instanceof ModelProviderError && state.fault !== 'transient') return onFault(deps, job, state, model);
  // Polls are free: a transient fault is just another poll later, until the deadline.
  if (state instanceof ModelProviderError || state.state === 'running') return pollLater(deps, job);
  if (state.state === 'failed') return onFault(deps, job, state.error, model, true);
  return storeAndSucceed(deps, job, state.outputs, signal, model, () => pollLater(deps, job));
}

async function pollLater(deps: UseCaseDeps, job: GenerationJob): Promise<RunResult> {
  const next = scheduleNextPoll(job, deps.clock.now(), deps.jobTimings);
  if ((await deps.store.updateJob(job, next)) !== 'committed') return 'superseded';
  await sendOrLeaveToReaper(deps, { accountId: job.accountId, jobId: job.id, poll: next.operation!.polls }, deps.jobTimings.pollIntervalSeconds);
  return 'polling';
}

/** A send that fails is not retried here: the job is due in the reaper's index, which sends it again. */
async function sendOrLeaveToReaper(deps: UseCaseDeps, message: JobMessage, delaySeconds: number): Promise<void> {
  try {
    await deps.jobQueue.enqueue(message, delaySeconds);
  } catch (error) {
    log().warn('could not send the job\'s next message; the reaper sends it when it is due', { jobId: message.jobId, ...errorFacts(error) });
  }
}

/** Asks the provider to stop an operation we no longer follow; a failure only means it may still bill us. */
export async function cancelQuietly(deps: UseCaseDeps, route: Extract<ModelRoute, { kind: 'video' }>, operationId: string): Promise<boolean> {
  try {
    return await route.client.cancel(operationId, AbortSignal.timeout(5_000));
  } catch (error) {
    log().warn('could not cancel a provider operation', { operationId, ...errorFacts(error) });
    return false;
  }
}
