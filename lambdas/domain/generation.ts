import type { Charge } from './allocate-debit';
import type { PlanId } from './catalog';
import { PLANS, findModel } from './catalog';
import { CountAbovePlanLimitError } from './errors';

export type GenerationStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** A paid generation request. Its charges are what a refund must give back. */
export interface GenerationJob {
  readonly id: string;
  readonly accountId: string;
  readonly status: GenerationStatus;
  readonly model: string;
  readonly count: number;
  readonly credits: number;
  readonly charges: readonly Charge[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly error?: { readonly code: string; readonly message: string };
}

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
