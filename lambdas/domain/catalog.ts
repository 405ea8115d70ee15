/**
 * The one catalog of what things cost: models, plans (the usage-limits table) and top-up pricing.
 * Credits are whole numbers everywhere.
 */
import { UnknownModelError } from './errors';

export type ModelKind = 'image' | 'video';

export interface Model {
  readonly id: string;
  readonly name: string;
  readonly kind: ModelKind;
  readonly unit: 'image' | 'video';
  readonly credits: number;
}

export const MODELS: readonly Model[] = [
  { id: 'nano-banana-2', name: 'Nano Banana 2', kind: 'image', unit: 'image', credits: 8 },
  { id: 'nano-banana-pro', name: 'Nano Banana Pro', kind: 'image', unit: 'image', credits: 15 },
  { id: 'gpt-image-2', name: 'GPT Image 2', kind: 'image', unit: 'image', credits: 5 },
  { id: 'seedance-2.0', name: 'Seedance 2.0', kind: 'video', unit: 'video', credits: 40 },
  { id: 'veo-3.1', name: 'Veo 3.1', kind: 'video', unit: 'video', credits: 60 },
];

export function findModel(id: string): Model {
  const model = MODELS.find((m) => m.id === id);
  if (!model) throw new UnknownModelError(id);
  return model;
}

export type PlanId = 'FREE' | 'BEGINNER' | 'PRO' | 'TEAM';

export interface Plan {
  readonly id: PlanId;
  readonly monthlyCredits: number;
  readonly priceCents: number;
  readonly maxConcurrentJobs: number;
  readonly maxCountPerRequest: number;
  readonly paygLimitCredits: number;
  readonly minTopupCredits: number;
  readonly maxTopupCredits: number;
  readonly seats: number;
}

export const PLAN_IDS: readonly PlanId[] = ['FREE', 'BEGINNER', 'PRO', 'TEAM'];

export const PLANS: Readonly<Record<PlanId, Plan>> = {
  FREE: { id: 'FREE', monthlyCredits: 100, priceCents: 0, maxConcurrentJobs: 1, maxCountPerRequest: 4, paygLimitCredits: 0, minTopupCredits: 100, maxTopupCredits: 10_000, seats: 1 },
  BEGINNER: { id: 'BEGINNER', monthlyCredits: 1_200, priceCents: 999, maxConcurrentJobs: 2, maxCountPerRequest: 8, paygLimitCredits: 500, minTopupCredits: 100, maxTopupCredits: 50_000, seats: 1 },
  PRO: { id: 'PRO', monthlyCredits: 6_000, priceCents: 3_999, maxConcurrentJobs: 5, maxCountPerRequest: 12, paygLimitCredits: 5_000, minTopupCredits: 100, maxTopupCredits: 200_000, seats: 3 },
  TEAM: { id: 'TEAM', monthlyCredits: 25_000, priceCents: 14_999, maxConcurrentJobs: 20, maxCountPerRequest: 16, paygLimitCredits: 25_000, minTopupCredits: 500, maxTopupCredits: 1_000_000, seats: 10 },
};

/** Price of one top-up credit, in US cents. */
export const TOPUP_CENTS_PER_CREDIT = 1;

/** The largest count any plan allows in one request: an upper bound for input validation. */
export const MAX_COUNT_PER_REQUEST = Math.max(...PLAN_IDS.map((id) => PLANS[id].maxCountPerRequest));

export function usageLimitsTable(): Array<Plan & { plan: PlanId }> {
  return PLAN_IDS.map((id) => ({ plan: id, ...PLANS[id] }));
}
