/**
 * What the worker asks of each model provider, and how a provider's failure is classified. One
 * adapter per provider implements these (lambdas/adapters/providers/), each through the provider's
 * official SDK where one exists and is well kept; the simulated provider implements them too.
 */

/** Who is at fault, which decides what the worker does (issue 14, "Providers"). */
export type ProviderFaultClass =
  /** The request itself (safety refusal, bad prompt): failed, refunded, the reason in words. */
  | 'user'
  /** The provider's transient fault (429, 5xx, network): retried with backoff within the job's budget. */
  | 'transient'
  /** Ours (authentication, configuration, an unknown model name): failed, refunded, alarmed. */
  | 'ours';

/** A provider call that failed, classified. `message` is safe to show the job's owner for `user` faults. */
export class ModelProviderError extends Error {
  constructor(
    readonly fault: ProviderFaultClass,
    readonly code: string,
    message: string,
    /** The provider asked us to wait this long (Retry-After), when it said. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelProviderError';
  }
}

/** One output as the provider hands it over: bytes inline, or a temporary URL to copy before it expires. */
export type ProviderOutput =
  | { readonly kind: 'inline'; readonly contentType: string; readonly base64: string }
  | { readonly kind: 'url'; readonly url: string; readonly contentType: string | null };

/**
 * Codes of failures where the provider may have run the request, and billed it: no answer came back,
 * an accepted request's answer was lost, or other calls of the same job already ran.
 */
const NO_ANSWER_CODES: ReadonlySet<string> = new Set(['timeout', 'aborted', 'connection_error', 'network', 'network_error', 'lost_answer', 'partly_run']);

/**
 * True when the failed call may still have run at the provider (and been billed): a timeout, an
 * abort or a lost connection, as opposed to an answer that refused it. Such a call is never made
 * again unless the client takes an idempotency key (issue 14: no second bill for one job).
 */
export function mayHaveRun(error: ModelProviderError): boolean {
  return error.fault === 'transient' && NO_ANSWER_CODES.has(error.code);
}

/** An earlier output of the wallet given as a reference image: its bytes, read from the outputs bucket. */
export interface ReferenceImage {
  readonly contentType: string;
  readonly base64: string;
}

export interface ImageRequest {
  /** The provider's model name (the catalog maps our model id to it). */
  readonly providerModel: string;
  readonly prompt: string;
  readonly count: number;
  readonly aspectRatio?: string;
  readonly seed?: number;
  /** Images the model works from (editing, style, subject), in the order given. */
  readonly referenceImages?: readonly ReferenceImage[];
  /** Local stack only: steers the simulated provider (the API refuses `params.simulate` anywhere else). */
  readonly simulate?: string;
}

/** Image models answer within seconds: one call, the images in the answer. */
export interface ImageModelClient {
  /** True when a repeated call with the same key is answered once (no provider we sell offers it; the simulated one does). */
  readonly acceptsIdempotencyKey: boolean;
  generateImages(request: ImageRequest, signal?: AbortSignal, idempotencyKey?: string): Promise<readonly ProviderOutput[]>;
}

export interface VideoRequest {
  readonly providerModel: string;
  readonly prompt: string;
  readonly durationSeconds?: number;
  readonly aspectRatio?: string;
  readonly resolution?: string;
  readonly seed?: number;
  /** The image the video starts from (image-to-video). */
  readonly referenceImage?: ReferenceImage;
  /** Local stack only: steers the simulated provider. */
  readonly simulate?: string;
}

export type VideoOperationState =
  | { readonly state: 'running' }
  | { readonly state: 'succeeded'; readonly outputs: readonly ProviderOutput[] }
  | { readonly state: 'failed'; readonly error: ModelProviderError };

/**
 * Video models run for minutes: submitted once (the job records the operation id), then polled by
 * short invocations until they finish. `submit` may have been billed once it returns: it is never
 * retried blindly (an adapter passes an idempotency key where the provider accepts one).
 */
export interface VideoModelClient {
  /** True when `submit` with the same key returns the same operation instead of starting (and billing) another. */
  readonly acceptsIdempotencyKey: boolean;
  submit(request: VideoRequest, idempotencyKey: string, signal?: AbortSignal): Promise<{ readonly operationId: string }>;
  poll(operationId: string, signal?: AbortSignal): Promise<VideoOperationState>;
  /** Asks the provider to stop; false when it cannot (not supported, or already finished). */
  cancel(operationId: string, signal?: AbortSignal): Promise<boolean>;
}

/** Classifies an HTTP status the way every adapter does, for answers that carry no better signal. */
export function faultOfStatus(status: number): ProviderFaultClass {
  if (status === 408 || status === 409 || status === 429 || status >= 500) return 'transient';
  if (status === 401 || status === 403 || status === 404) return 'ours';
  return 'user';
}

/** How a catalog model runs: its client, and the provider's name for the model on this stage. */
export type ModelRoute =
  | { readonly kind: 'image'; readonly providerModel: string; readonly client: ImageModelClient }
  | { readonly kind: 'video'; readonly providerModel: string; readonly client: VideoModelClient };

/**
 * The stage's model providers. `route` may read the provider's key (Secrets Manager, cached); a
 * stage without a key for the model's provider throws ModelProviderError('ours', 'provider_not_configured').
 */
export interface ModelProviders {
  route(modelId: string): Promise<ModelRoute>;
}
