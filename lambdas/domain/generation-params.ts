/**
 * What a generation asks of its model besides the model and count: the prompt and the model's
 * options. The request's shape is checked by the API's schema; here, whether the model offers what
 * is asked (aspect ratio, resolution, duration, seed, reference images). Checked before the debit:
 * a request the model cannot run never costs credits.
 */
import type { Model } from './catalog';
import { DomainError } from './errors';

export interface GenerationParams {
  readonly prompt: string;
  readonly aspectRatio?: string;
  readonly resolution?: string;
  readonly durationSeconds?: number;
  readonly seed?: number;
  /** Earlier outputs of the same wallet (`<generation id>/<index>`), as reference images. */
  readonly referenceImages?: readonly string[];
  /** Local stack only (the API refuses it elsewhere). */
  readonly simulate?: string;
}

export interface ParamsIssue {
  readonly path: string;
  readonly message: string;
}

const list = (values: readonly (string | number)[]) => values.join(', ');

/** What the model does not offer of `params`; empty when it can run them. */
export function paramsIssues(model: Model, params: GenerationParams): ParamsIssue[] {
  const issues: ParamsIssue[] = [];
  const issue = (field: string, message: string) => issues.push({ path: `body.params.${field}`, message });
  const { options } = model;
  if (params.aspectRatio !== undefined && !options.aspectRatios.includes(params.aspectRatio)) {
    issue('aspectRatio', `${model.name} offers the aspect ratios ${list(options.aspectRatios)}.`);
  }
  if (params.resolution !== undefined && !options.resolutions?.includes(params.resolution)) {
    issue('resolution', options.resolutions ? `${model.name} offers the resolutions ${list(options.resolutions)}.` : `${model.name} takes no resolution.`);
  }
  if (params.durationSeconds !== undefined && !options.durationsSeconds?.includes(params.durationSeconds)) {
    issue('durationSeconds', options.durationsSeconds ? `${model.name} makes clips of ${list(options.durationsSeconds)} seconds.` : `${model.name} takes no duration.`);
  }
  if (params.seed !== undefined && !options.seed) issue('seed', `${model.name} takes no seed.`);
  const references = params.referenceImages?.length ?? 0;
  if (references > options.maxReferenceImages) {
    issue('referenceImages', options.maxReferenceImages === 0 ? `${model.name} takes no reference images.` : `${model.name} takes at most ${options.maxReferenceImages} reference image(s).`);
  }
  return issues;
}

/** Throws 400 invalid_request naming each problem, when the model cannot run `params`. */
export function assertParamsFit(model: Model, params: GenerationParams): void {
  const issues = paramsIssues(model, params);
  if (issues.length > 0) throw new DomainError('invalid_request', issues.map((i) => i.message).join(' '), { issues });
}
