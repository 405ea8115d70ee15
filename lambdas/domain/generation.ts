import type { Charge } from './allocate-debit';
import type { PlanId } from './catalog';
import { PLANS, findModel } from './catalog';
import { CountAbovePlanLimitError, DomainError } from './errors';
import type { StoredOutput } from './output-store';
import type { GenerationParams } from './generation-params';

/** `cancelled`: stopped at the owner's request before it produced anything, and refunded. */
export type GenerationStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * A long-running generation at the provider (video): submitted once, then followed by polls. `id` is
 * null from the moment we ask until the provider's answer is recorded, so a crash in between is seen
 * (the submit may have run, and been billed): it is resubmitted only with the same idempotency key.
 */
export interface ProviderOperation {
  readonly id: string | null;
  /** The idempotency key of the submit, for providers that accept one. */
  readonly submitKey: string;
  readonly submittedAt: string;
  /** When the next poll is due; null while submitting. */
  readonly pollAt: string | null;
  /** Past this the job is failed and refunded, whatever the provider does later. */
  readonly deadlineAt: string;
  /** Polls made so far; a poll message names the count it was sent for, so stale duplicates are dropped. */
  readonly polls: number;
}

/** A paid generation request. Its charges are what a refund must give back. */
export interface GenerationJob {
  readonly id: string;
  readonly accountId: string;
  /** The user who asked for it and whose spending it counts as (absent on jobs from before teams: the owner). */
  readonly userId?: string;
  readonly status: GenerationStatus;
  readonly model: string;
  readonly count: number;
  readonly credits: number;
  readonly charges: readonly Charge[];
  readonly params: GenerationParams;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Bumped by every change of the job; the guard that makes each transition happen once. */
  readonly version: number;
  /** How many times a worker has started it. */
  readonly attempts: number;
  /** While running: until when the worker that started it owns it. */
  readonly leaseUntil: string | null;
  /** When the stuck-job reaper should look at it; null once it has finished. */
  readonly dueAt: string | null;
  /** Copied into the outputs bucket; served through presigned URLs. */
  readonly outputs?: readonly StoredOutput[];
  readonly operation?: ProviderOperation;
  readonly error?: { readonly code: string; readonly message: string };
  /** Set when a failed or cancelled job's credits went back to the buckets they came from. */
  readonly refund?: { readonly credits: number; readonly at: string };
}

export type JobRef = { readonly accountId: string; readonly jobId: string };

/** A job's queue message: the job, and for a poll the poll count it was scheduled after (see ProviderOperation.polls). */
export type JobMessage = JobRef & { readonly poll?: number };

export interface GenerationQuote {
  readonly model: string;
  readonly count: number;
  readonly credits: number;
}

/**
 * The price of `count` outputs of a model, within the model's and the plan's per-request limits. A
 * video model makes one video per request (one provider operation); GPT Image 2 at most 10 (one
 * call): more would be paid for and never made.
 */
export function quoteGeneration(plan: PlanId, modelId: string, count: number): GenerationQuote {
  const model = findModel(modelId);
  const modelMax = model.options.maxCount;
  if (modelMax !== undefined && count > modelMax) {
    const message = modelMax === 1 ? `${model.name} makes one video per request; ask for ${count} separately.` : `${model.name} makes at most ${modelMax} outputs per request.`;
    throw new DomainError('invalid_request', message, { issues: [{ path: 'body.count', message }] });
  }
  const limit = PLANS[plan].maxCountPerRequest;
  if (count > limit) throw new CountAbovePlanLimitError(count, limit);
  return { model: model.id, count, credits: model.credits * count };
}
