import type { Charge } from './allocate-debit';
import type { PlanId } from './catalog';
import { PLANS, findModel } from './catalog';
import { CountAbovePlanLimitError } from './errors';

export type GenerationStatus = 'queued' | 'running' | 'succeeded' | 'failed';

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
  readonly params: Readonly<Record<string, unknown>>;
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
  readonly outputs?: readonly string[];
  readonly error?: { readonly code: string; readonly message: string };
  /** Set when a failed job's credits went back to the buckets they came from. */
  readonly refund?: { readonly credits: number; readonly at: string };
}

export type JobRef = { readonly accountId: string; readonly jobId: string };

export interface GenerationQuote {
  readonly model: string;
  readonly count: number;
  readonly credits: number;
}

/** The price of `count` outputs of a model, within the plan's per-request limit. */
export function quoteGeneration(plan: PlanId, modelId: string, count: number): GenerationQuote {
  const model = findModel(modelId);
  const limit = PLANS[plan].maxCountPerRequest;
  if (count > limit) throw new CountAbovePlanLimitError(count, limit);
  return { model: model.id, count, credits: model.credits * count };
}
