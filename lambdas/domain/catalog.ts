/**
 * The one catalog of what things cost: models, plans (the usage-limits table) and top-up pricing.
 * Credits are whole numbers everywhere.
 */
import { UnknownModelError } from './errors';

export type ModelKind = 'image' | 'video';

/** Who runs a model: Google's Gemini API, OpenAI, or BytePlus ModelArk (Seedance). */
export type ModelProviderId = 'gemini' | 'openai' | 'modelark';

/** What a generation of the model may ask for besides its prompt (checked before the debit). */
export interface ModelOptions {
  readonly aspectRatios: readonly string[];
  /** Video only: the output resolutions offered. */
  readonly resolutions?: readonly string[];
  /** Video only: the clip lengths offered, in seconds. */
  readonly durationsSeconds?: readonly number[];
  /** Whether a seed is honoured (OpenAI's Images API takes none). */
  readonly seed: boolean;
  /** How many earlier outputs may be given as reference images. */
  readonly maxReferenceImages: number;
  /** The most outputs one request may ask for, where the model (not only the plan) limits it. */
  readonly maxCount?: number;
}

export interface Model {
  readonly id: string;
  readonly name: string;
  readonly kind: ModelKind;
  readonly unit: 'image' | 'video';
  readonly credits: number;
  readonly provider: ModelProviderId;
  /**
   * The provider's name for it, unless the stage configures another (PROVIDER_MODEL_NAMES): providers
   * rename preview models often, so the deployed name is configuration, checked at deploy.
   */
  readonly defaultProviderModel: string;
  readonly options: ModelOptions;
  /** Video only: how long we follow the provider's operation before it is failed and refunded. */
  readonly maxRunSeconds?: number;
}

const GEMINI_IMAGE_ASPECTS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'] as const;

export const MODELS: readonly Model[] = [
  { id: 'nano-banana-2', name: 'Nano Banana 2', kind: 'image', unit: 'image', credits: 8, provider: 'gemini', defaultProviderModel: 'gemini-3.1-flash-image', options: { aspectRatios: GEMINI_IMAGE_ASPECTS, seed: true, maxReferenceImages: 3 } },
  { id: 'nano-banana-pro', name: 'Nano Banana Pro', kind: 'image', unit: 'image', credits: 15, provider: 'gemini', defaultProviderModel: 'gemini-3-pro-image', options: { aspectRatios: GEMINI_IMAGE_ASPECTS, seed: true, maxReferenceImages: 3 } },
  { id: 'gpt-image-2', name: 'GPT Image 2', kind: 'image', unit: 'image', credits: 5, provider: 'openai', defaultProviderModel: 'gpt-image-2', options: { aspectRatios: ['1:1', '3:2', '2:3', '16:9', '9:16', '4:3', '3:4'], seed: false, maxReferenceImages: 0, maxCount: 10 } },
  { id: 'seedance-2.0', name: 'Seedance 2.0', kind: 'video', unit: 'video', credits: 40, provider: 'modelark', defaultProviderModel: 'dreamina-seedance-2-0-260128', options: { aspectRatios: ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'], resolutions: ['480p', '720p', '1080p'], durationsSeconds: [5, 10], seed: true, maxReferenceImages: 1, maxCount: 1 }, maxRunSeconds: 900 },
  { id: 'veo-3.1', name: 'Veo 3.1', kind: 'video', unit: 'video', credits: 60, provider: 'gemini', defaultProviderModel: 'veo-3.1-generate-preview', options: { aspectRatios: ['16:9', '9:16'], resolutions: ['720p', '1080p'], durationsSeconds: [4, 6, 8], seed: false, maxReferenceImages: 1, maxCount: 1 }, maxRunSeconds: 900 },
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
