/**
 * GPT Image models (OpenAI Images API, `POST /v1/images/generations`) through the official `openai`
 * SDK (7.55.0, pinned). Issue 14, first part: implements the ImageModelClient contract.
 *
 * Retries: none here (`maxRetries: 0`). The worker decides retries, and the issue asks that a call
 * which may already have been billed is never retried unless the provider accepts an idempotency
 * key. The Images API documents none: the API reference (authentication, request headers, request
 * ids) lists no `Idempotency-Key`, and the SDK, although its request options type an
 * `idempotencyKey`, never sends one (the `OpenAI` client leaves `idempotencyHeader` unset, so the
 * option is silently dropped; the same shape in Anthropic's SDK was confirmed by its maintainers to
 * be deliberate because their API does not honour a key). So no key is sent, and the errors below
 * tell the worker whether the request may have run (`code`): an HTTP answer (429, 5xx, 4xx) means
 * the provider answered and did not produce images; `connection_error`, `timeout` and `aborted`
 * mean the request may have reached the provider and may have been billed.
 *
 * Sizes: every GPT image model takes `1024x1024`, `1536x1024` and `1024x1536` (and `auto`). The
 * models the pinned SDK documents as taking arbitrary `WIDTHxHEIGHT` sizes (both sides divisible by
 * 16, ratio between 1:3 and 3:1) also get 16:9, 9:16, 4:3 and 3:4. Any other aspect ratio is refused
 * as the user's fault before a request is made; no aspect ratio leaves the size to the model.
 *
 * Seeds: the Images API takes no seed; `seed` is ignored (the per-model params decide later whether
 * a seed is offered for these models at all).
 *
 * Reference images: none are offered for these models (the catalog allows 0). Working from images
 * would be a different endpoint (`images.edit`, multipart), not implemented; so a request that
 * carries any is refused as the user's fault before a call is made, and never billed.
 */
import { retryAfterMsOf } from '../retry-after';
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import {
  faultOfStatus,
  ModelProviderError,
  type ImageModelClient,
  type ImageRequest,
  type ProviderOutput,
} from '../../domain/model-clients';

export interface OpenAiImageClientOptions {
  readonly apiKey: string;
  /** Defaults to the SDK's `https://api.openai.com/v1`; tests point it at a fake. */
  readonly baseUrl?: string;
  /**
   * One call's time limit (the SDK's default is 10 minutes); the worker's AbortSignal still applies.
   * Enforced with our own signal so that a timeout is told from the worker's abort reliably (the
   * SDK's own timeout is reported as a plain connection error when the abort reason crosses realms).
   */
  readonly timeoutMs?: number;
}

/** The Images API takes 1 to 10 images per call. */
export const OPENAI_MAX_IMAGES_PER_CALL = 10;

const STANDARD_SIZES: Readonly<Record<string, string>> = {
  '1:1': '1024x1024',
  '3:2': '1536x1024',
  '2:3': '1024x1536',
};

/** Both sides divisible by 16, about the standard sizes' pixel count, ratio exact. */
const FLEXIBLE_SIZES: Readonly<Record<string, string>> = {
  ...STANDARD_SIZES,
  '16:9': '1536x864',
  '9:16': '864x1536',
  '4:3': '1152x864',
  '3:4': '864x1152',
};

/** The models the SDK (7.55.0) documents as accepting arbitrary `WIDTHxHEIGHT` sizes. */
const FLEXIBLE_SIZE_MODELS: ReadonlySet<string> = new Set([
  'gpt-image-2',
  'gpt-image-2-2026-04-21',
  'gpt-image-2.5-sunburst',
  'gpt-image-2.5-sunburst-2026-09-08',
  'gpt-image-2.5-flare',
  'gpt-image-2.5-flare-2026-09-08',
]);

/** The size to ask for, `undefined` to leave it to the model, or `null` when the model cannot do it. */
export function openAiSizeFor(providerModel: string, aspectRatio: string | undefined): string | undefined | null {
  if (aspectRatio === undefined) return undefined;
  const sizes = FLEXIBLE_SIZE_MODELS.has(providerModel) ? FLEXIBLE_SIZES : STANDARD_SIZES;
  return sizes[aspectRatio.trim()] ?? null;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  svg: 'image/svg+xml',
};

/** Request parameters only we set: a 400 naming one of them is our mistake, not the user's. */
const OUR_PARAMS: ReadonlySet<string> = new Set([
  'model',
  'size',
  'output_format',
  'output_compression',
  'quality',
  'moderation',
  'background',
  'response_format',
  'style',
]);

/** Codes OpenAI answers when its safety system refuses the prompt or the image made from it. */
const SAFETY_CODES: ReadonlySet<string> = new Set(['moderation_blocked', 'content_policy_violation']);

const SAFETY_MESSAGE =
  "The image model's safety system refused this request. Try rewording the prompt.";

export class OpenAiImageClient implements ImageModelClient {
  // The provider documents no idempotency key: a call that may have run is never made again (mayHaveRun).
  readonly acceptsIdempotencyKey = false;
  private readonly client: OpenAI;
  private readonly timeoutMs: number | undefined;

  constructor(options: OpenAiImageClientOptions) {
    this.timeoutMs = options.timeoutMs;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      ...(options.baseUrl !== undefined ? { baseURL: options.baseUrl } : {}),
      // The SDK's own limit a little past ours, so ours fires first.
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs + 1000 } : {}),
      // Never retried here: see the file's comment.
      maxRetries: 0,
    });
  }

  async generateImages(request: ImageRequest, signal?: AbortSignal): Promise<readonly ProviderOutput[]> {
    if (request.referenceImages !== undefined && request.referenceImages.length > 0) {
      throw new ModelProviderError(
        'user',
        'references_unsupported',
        'This model cannot work from reference images. Remove them and try again, or pick a model that takes them.',
      );
    }
    const size = openAiSizeFor(request.providerModel, request.aspectRatio);
    if (size === null) {
      throw new ModelProviderError(
        'user',
        'unsupported_aspect_ratio',
        `This model cannot make images with aspect ratio ${request.aspectRatio}.`,
      );
    }
    if (!Number.isInteger(request.count) || request.count < 1 || request.count > OPENAI_MAX_IMAGES_PER_CALL) {
      throw new ModelProviderError(
        'user',
        'unsupported_count',
        `This model makes 1 to ${OPENAI_MAX_IMAGES_PER_CALL} images per request.`,
      );
    }

    const timeout = this.timeoutMs !== undefined ? AbortSignal.timeout(this.timeoutMs) : undefined;
    const callSignal = timeout && signal ? AbortSignal.any([signal, timeout]) : (timeout ?? signal);
    let response: OpenAI.ImagesResponse;
    try {
      response = await this.client.images.generate(
        {
          model: request.providerModel,
          prompt: request.prompt,
          n: request.count,
          ...(size !== undefined ? { size } : {}),
        },
        { signal: callSignal ?? null, maxRetries: 0 },
      );
    } catch (error) {
      if (error instanceof APIUserAbortError && timeout?.aborted && !signal?.aborted) {
        throw new ModelProviderError('transient', 'timeout', 'The image model did not answer in time.', undefined, {
          cause: error,
        });
      }
      throw classifyOpenAiError(error);
    }

    const contentType = CONTENT_TYPES[response.output_format ?? 'png'] ?? 'image/png';
    const outputs: ProviderOutput[] = [];
    for (const image of response.data ?? []) {
      if (image.b64_json) outputs.push({ kind: 'inline', contentType, base64: image.b64_json });
      else if (image.url) outputs.push({ kind: 'url', url: image.url, contentType: null });
    }
    if (outputs.length === 0) {
      // Answered 200, so possibly billed: not for a blind retry; an unexpected answer is ours to look into.
      throw new ModelProviderError('ours', 'no_images', 'The image model answered without images.');
    }
    return outputs;
  }
}

/** Maps what the SDK throws to a classified ModelProviderError. Exported for unit tests. */
export function classifyOpenAiError(error: unknown): ModelProviderError {
  if (error instanceof ModelProviderError) return error;
  // Order matters: these three are APIError subclasses without a status.
  if (error instanceof APIUserAbortError) {
    return new ModelProviderError('transient', 'aborted', 'The image request was cancelled.', undefined, {
      cause: error,
    });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new ModelProviderError('transient', 'timeout', 'The image model did not answer in time.', undefined, {
      cause: error,
    });
  }
  if (error instanceof APIConnectionError) {
    return new ModelProviderError('transient', 'connection_error', 'Could not reach the image model.', undefined, {
      cause: error,
    });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const code = error.code ?? error.type ?? `http_${status}`;
    if (status === 400 && error.code && SAFETY_CODES.has(error.code)) {
      return new ModelProviderError('user', error.code, SAFETY_MESSAGE, undefined, { cause: error });
    }
    const fault = status === 400 && error.param && OUR_PARAMS.has(error.param) ? 'ours' : faultOfStatus(status);
    const message =
      fault === 'user'
        ? `The image model refused the request: ${providerMessage(error)}`
        : `The image model failed (HTTP ${status}).`;
    return new ModelProviderError(fault, code, message, retryAfterMs(error.headers), { cause: error });
  }
  return new ModelProviderError('ours', 'unexpected_error', 'The image request failed unexpectedly.', undefined, {
    cause: error,
  });
}

function providerMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' && body.message.length > 0 ? body.message : 'no reason given';
}

/** `retry-after-ms` (OpenAI's, which the SDK also honours) or `Retry-After` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  return retryAfterMsOf(headers.get('retry-after'), now);
}
