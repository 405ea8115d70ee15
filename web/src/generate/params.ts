/**
 * What the generation node asks for besides the model and count: the prompt and the model's options
 * (GET /v1/pricing lists what each model offers). Choices are kept as the form's strings; only what
 * the chosen model offers is sent, so a model change never sends an option the model refuses.
 */
import type { Schemas } from '../api/client';

export const MAX_PROMPT_CHARACTERS = 4000;
const MAX_SEED = 4_294_967_295;

export type ModelOptions = Schemas['ModelOptions'];
export type GenerationParams = Schemas['GenerationParams'];
export type Simulation = '' | 'fail' | 'timeout';

/** '' is "Model default" (or no seed). */
export interface OptionChoices {
  readonly aspectRatio: string;
  readonly resolution: string;
  readonly durationSeconds: string;
  readonly seed: string;
}

export const DEFAULT_CHOICES: OptionChoices = { aspectRatio: '', resolution: '', durationSeconds: '', seed: '' };

/** On a model change: keeps what the new model offers too, the rest goes back to its default. */
export function fitChoices(choices: OptionChoices, options: ModelOptions | undefined): OptionChoices {
  if (!options) return DEFAULT_CHOICES;
  return {
    aspectRatio: options.aspectRatios.includes(choices.aspectRatio) ? choices.aspectRatio : '',
    resolution: options.resolutions?.includes(choices.resolution) ? choices.resolution : '',
    durationSeconds: options.durationsSeconds?.map(String).includes(choices.durationSeconds) ? choices.durationSeconds : '',
    seed: options.seed ? choices.seed : '',
  };
}

/** Why the seed cannot be sent, in words; null when it is empty or fine. */
export function seedProblem(seed: string): string | null {
  if (seed.trim() === '') return null;
  const n = Number(seed);
  return /^\d+$/.test(seed.trim()) && Number.isSafeInteger(n) && n <= MAX_SEED ? null : `A seed is a whole number from 0 to ${MAX_SEED.toLocaleString('en-US')}.`;
}

export const promptReady = (prompt: string) => prompt.trim().length > 0 && prompt.trim().length <= MAX_PROMPT_CHARACTERS;

/** The request's params: the trimmed prompt and only the options the model offers that were chosen. */
export function paramsOf(prompt: string, choices: OptionChoices, options: ModelOptions | undefined, simulate: Simulation): GenerationParams {
  const fit = fitChoices(choices, options);
  return {
    prompt: prompt.trim(),
    ...(fit.aspectRatio ? { aspectRatio: fit.aspectRatio } : {}),
    ...(fit.resolution ? { resolution: fit.resolution } : {}),
    ...(fit.durationSeconds ? { durationSeconds: Number(fit.durationSeconds) } : {}),
    ...(fit.seed.trim() && seedProblem(fit.seed) === null ? { seed: Number(fit.seed) } : {}),
    ...(simulate ? { simulate } : {}),
  };
}

/** At most `max` characters, cut at a word where it can be, with an ellipsis. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}
