/**
 * Google's models through the Gemini Developer API (one API key from Google AI Studio):
 * - Nano Banana image models (`gemini-*-image*`) through `@google/genai`'s `models.generateContent`.
 * - Veo video models as a long-running operation: submitted to `models/{model}:predictLongRunning`,
 *   polled through `operations.getVideosOperation`.
 *
 * Checked against @google/genai 3.1.0 (pinned) and its requests logged against test/fakes/fake-gemini.ts:
 * - generateContent: POST {baseUrl}/v1/models/{model}:generateContent (the SDK's default API version
 *   is `v1`), API key in the `x-goog-api-key` header. The request is one user turn: the prompt as a
 *   text part, then one `inlineData { mimeType, data }` part per reference image, in order (the
 *   image-editing form of https://ai.google.dev/gemini-api/docs/image-generation: text, then images).
 * - The SDK refuses `models.generateVideos` on the Developer API ("only supported by the Gemini
 *   Enterprise Agent Platform"), although the Developer API serves Veo. So `submit` posts the
 *   documented REST request itself (POST {baseUrl}/v1beta/models/{model}:predictLongRunning, body
 *   `{ instances: [{ prompt, image? }], parameters: { aspectRatio, resolution, durationSeconds } }`),
 *   and `poll` goes through the SDK (GET {baseUrl}/v1beta/{operation name}), the client pinned to
 *   `v1beta`, where Veo's operations live.
 * - Image-to-video: the first frame is `instances[0].image = { bytesBase64Encoded, mimeType }`. That is
 *   what Google's own SDKs send to the Developer API (js-genai / java-genai `imageToMldev`:
 *   `imageBytes` → `bytesBase64Encoded`, `mimeType` as is; `gcsUri` refused). Some REST samples
 *   (as integrators quote the curl examples of https://ai.google.dev/gemini-api/docs/video) wrap the
 *   bytes as `{ inlineData: { mimeType, data } }` instead, but predictLongRunning answers that with 400
 *   "`inlineData` isn't supported by this model" (github.com/vercel/ai/pull/13818,
 *   github.com/nodetool-ai/nodetool/pull/4298), so the SDK's form is the one sent. Not checked
 *   against the live API here.
 * - `seed` is not sent for Veo: the same SDK converters (`generateVideosConfigToMldev`) throw "seed
 *   parameter is not supported in Gemini API" before any request; only Vertex takes it.
 *
 * Never retries (the worker decides): the SDK retries only when `httpOptions.retryOptions` is set,
 * and it is not. Its `ApiError` carries the status and the JSON body but no headers, so each call
 * passes its own `fetch` to read Retry-After; the body's `google.rpc.RetryInfo.retryDelay` (what the
 * Gemini API sends with a 429) counts too.
 */
import { retryAfterMsOf } from '../retry-after';
import { ApiError, GenerateVideosOperation, GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import {
  faultOfStatus,
  ModelProviderError,
  type ImageModelClient,
  type ImageRequest,
  type ProviderFaultClass,
  type ProviderOutput,
  type ReferenceImage,
  type VideoModelClient,
  type VideoOperationState,
  type VideoRequest,
} from '../../domain/model-clients';
import { checkedReference } from './reference-image';

export interface GeminiClientOptions {
  readonly apiKey: string;
  /** Defaults to https://generativelanguage.googleapis.com (tests point it at the fake). */
  readonly baseUrl?: string;
  /** Images generated at once when `count` > 1 (each image is its own call). Default 2. */
  readonly imageConcurrency?: number;
}

const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

/** finishReason values that mean the model refused for safety or policy, in words for the user. */
const REFUSALS: Readonly<Record<string, string>> = {
  SAFETY: 'the request was blocked by the safety filters',
  IMAGE_SAFETY: 'the image was blocked by the safety filters',
  PROHIBITED_CONTENT: 'the request asks for prohibited content',
  IMAGE_PROHIBITED_CONTENT: 'the image would show prohibited content',
  BLOCKLIST: 'the request contains blocked terms',
  SPII: 'the request contains sensitive personal information',
  RECITATION: 'the output would reproduce protected material',
  OTHER: 'the model declined the request',
};

/**
 * Nano Banana answers one image per `generateContent` call (image models take no `candidateCount`),
 * so `count` images are `count` calls, at most `imageConcurrency` at a time. All or nothing: the
 * first failure is thrown (the worker refunds or retries the whole job).
 */
export class GeminiImageClient implements ImageModelClient {
  // The provider documents no idempotency key: a call that may have run is never made again (mayHaveRun).
  readonly acceptsIdempotencyKey = false;
  private readonly ai: GoogleGenAI;
  private readonly concurrency: number;

  constructor(options: GeminiClientOptions) {
    this.ai = new GoogleGenAI({ apiKey: options.apiKey, httpOptions: { baseUrl: options.baseUrl ?? DEFAULT_BASE_URL } });
    this.concurrency = Math.max(1, options.imageConcurrency ?? 2);
  }

  async generateImages(request: ImageRequest, signal?: AbortSignal): Promise<readonly ProviderOutput[]> {
    // Checked once, before any call: a malformed one is never sent.
    const references = (request.referenceImages ?? []).map((image) => checkedReference(image));
    const outputs: ProviderOutput[] = [];
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < request.count && !failed) {
        next += 1;
        try {
          outputs.push(...(await this.generateOne(request, references, signal)));
        } catch (error) {
          failed = true; // no further calls once one failed
          throw error;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.concurrency, request.count) }, worker));
    } catch (error) {
      // Other calls of this job ran (and were billed): a transient fault must not retry the whole job.
      if (error instanceof ModelProviderError && error.fault === 'transient' && next > 1) {
        throw new ModelProviderError('transient', 'partly_run', `${outputs.length} of ${request.count} images were made before a call failed (${error.code}).`, error.retryAfterMs, { cause: error });
      }
      throw error;
    }
    return outputs;
  }

  private async generateOne(request: ImageRequest, references: readonly ReferenceImage[], signal?: AbortSignal): Promise<ProviderOutput[]> {
    const headers = new HeaderCapture();
    let response: GenerateContentResponse;
    try {
      response = await this.ai.models.generateContent({
        model: request.providerModel,
        // One user turn: the prompt, then the reference images in the order given.
        contents: [{ role: 'user', parts: [{ text: request.prompt }, ...references.map((image) => ({ inlineData: { mimeType: image.contentType, data: image.base64 } }))] }],
        config: {
          responseModalities: ['IMAGE'],
          ...(request.aspectRatio ? { imageConfig: { aspectRatio: request.aspectRatio } } : {}),
          ...(request.seed !== undefined ? { seed: request.seed } : {}),
          abortSignal: signal,
          httpOptions: { fetch: headers.fetch },
        },
      });
    } catch (error) {
      throw classifyError(error, headers.retryAfter);
    }
    return imagesOf(response);
  }
}

function imagesOf(response: GenerateContentResponse): ProviderOutput[] {
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason) {
    const said = response.promptFeedback?.blockReasonMessage;
    throw new ModelProviderError('user', `blocked_${blockReason.toLowerCase()}`, `The prompt was refused: ${REFUSALS[blockReason] ?? 'it was blocked'}${said ? ` (${said})` : ''}.`);
  }
  const candidate = response.candidates?.[0];
  const images: ProviderOutput[] = [];
  const texts: string[] = [];
  for (const part of candidate?.content?.parts ?? []) {
    if (part.inlineData?.data && part.inlineData.mimeType?.startsWith('image/')) {
      images.push({ kind: 'inline', contentType: part.inlineData.mimeType, base64: part.inlineData.data });
    } else if (part.text && !part.thought) {
      texts.push(part.text);
    }
  }
  if (images.length > 0) return images;
  const reason = candidate?.finishReason;
  if (reason && reason in REFUSALS) {
    const said = candidate.finishMessage;
    throw new ModelProviderError('user', `refused_${reason.toLowerCase()}`, `The model refused: ${REFUSALS[reason]}${said ? ` (${said})` : ''}.`);
  }
  if (!candidate) throw new ModelProviderError('transient', 'empty_answer', 'The model answered without any candidate.');
  // An answer in words and no image: the model declined the prompt as asked (its words say why).
  const words = texts.join(' ').trim().slice(0, 500);
  throw new ModelProviderError('user', 'no_image', words ? `The model returned no image: ${words}` : 'The model returned no image for this prompt.');
}

/**
 * Veo through the Gemini Developer API. The operation id is the operation's resource name
 * (`models/{model}/operations/{id}`). The finished video is a Files API URI
 * (…/files/{id}:download?alt=media): it is not public, downloading it needs the same API key
 * (`x-goog-api-key` header), and Google deletes it after two days, so the storage step must copy it
 * with the key, soon.
 */
export class VeoVideoClient implements VideoModelClient {
  // The provider documents no idempotency key: a call that may have run is never made again (mayHaveRun).
  readonly acceptsIdempotencyKey = false;
  private readonly ai: GoogleGenAI;
  private readonly apiKey: string;
  private readonly baseUrl: string;

  constructor(options: GeminiClientOptions) {
    this.apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.ai = new GoogleGenAI({ apiKey: options.apiKey, apiVersion: 'v1beta', httpOptions: { baseUrl: this.baseUrl } });
  }

  /**
   * The Gemini API accepts no idempotency key for predictLongRunning: the key is unused, and a
   * submit whose answer was lost may have started (and be billed for) an operation we never learn of.
   */
  async submit(request: VideoRequest, _idempotencyKey: string, signal?: AbortSignal): Promise<{ readonly operationId: string }> {
    const parameters: Record<string, unknown> = {};
    if (request.aspectRatio) parameters.aspectRatio = request.aspectRatio;
    if (request.resolution) parameters.resolution = request.resolution;
    if (request.durationSeconds !== undefined) parameters.durationSeconds = request.durationSeconds;
    // `seed` is not sent: the Developer API takes none for Veo (see the file comment; Vertex only).
    const instance: Record<string, unknown> = { prompt: request.prompt };
    if (request.referenceImage) {
      const frame = checkedReference(request.referenceImage);
      instance.image = { bytesBase64Encoded: frame.base64, mimeType: frame.contentType };
    }
    const model = request.providerModel.startsWith('models/') ? request.providerModel : `models/${request.providerModel}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/v1beta/${model}:predictLongRunning`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-goog-api-key': this.apiKey },
        body: JSON.stringify({ instances: [instance], parameters }),
        signal,
      });
    } catch (error) {
      throw classifyError(error, undefined);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      throw classifyError(new ApiError({ status: response.status, message: text }), retryAfterMsOf(response.headers.get('retry-after')));
    }
    const name = (safeJson(text) as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || name === '') {
      // Accepted (2xx) but no readable operation: it may be running and billed; never resubmitted without a key.
      throw new ModelProviderError('transient', 'lost_answer', 'The video submit was accepted but its answer had no operation name.');
    }
    return { operationId: name };
  }

  async poll(operationId: string, signal?: AbortSignal): Promise<VideoOperationState> {
    const operation = new GenerateVideosOperation();
    operation.name = operationId;
    const headers = new HeaderCapture();
    let current: GenerateVideosOperation;
    try {
      current = await this.ai.operations.getVideosOperation({ operation, config: { abortSignal: signal, httpOptions: { fetch: headers.fetch } } });
    } catch (error) {
      throw classifyError(error, headers.retryAfter);
    }
    if (!current.done) return { state: 'running' };
    if (current.error) {
      const { code, message } = current.error as { code?: number; message?: string };
      return { state: 'failed', error: operationError(code, message) };
    }
    const outputs: ProviderOutput[] = [];
    for (const generated of current.response?.generatedVideos ?? []) {
      const uri = generated.video?.uri;
      if (uri) outputs.push({ kind: 'url', url: uri, contentType: generated.video?.mimeType ?? null });
    }
    if (outputs.length > 0) return { state: 'succeeded', outputs };
    const reasons = current.response?.raiMediaFilteredReasons ?? [];
    if (reasons.length > 0 || (current.response?.raiMediaFilteredCount ?? 0) > 0) {
      return { state: 'failed', error: new ModelProviderError('user', 'video_filtered', `The video was blocked by the safety filters${reasons.length ? `: ${reasons.join(' ')}` : '.'}`) };
    }
    return { state: 'failed', error: new ModelProviderError('transient', 'empty_answer', 'The video operation finished without a video.') };
  }

  /** The Gemini API has no cancel for video operations (only get): nothing to ask. */
  async cancel(_operationId: string, _signal?: AbortSignal): Promise<boolean> {
    return false;
  }
}

/** A failed operation's google.rpc.Status: its code is a gRPC code, not an HTTP status. */
function operationError(code: number | undefined, message: string | undefined): ModelProviderError {
  const fault: ProviderFaultClass =
    code === 3 || code === 9 || code === 11 ? 'user' // INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE
    : code === 7 || code === 16 || code === 5 || code === 12 ? 'ours' // PERMISSION_DENIED, UNAUTHENTICATED, NOT_FOUND, UNIMPLEMENTED
    : 'transient'; // RESOURCE_EXHAUSTED, INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, UNKNOWN, none
  return new ModelProviderError(fault, `operation_${code ?? 'unknown'}`, message ? `The video failed: ${message}` : 'The video failed.');
}

/** One call's `fetch`, remembering the Retry-After of the answer it saw. */
class HeaderCapture {
  retryAfter: number | undefined;
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    if (!response.ok) this.retryAfter = retryAfterMsOf(response.headers.get('retry-after'));
    return response;
  };
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: Array<Record<string, unknown>> };
}

function classifyError(error: unknown, retryAfterMs: number | undefined): ModelProviderError {
  if (error instanceof ModelProviderError) return error;
  if (error instanceof ApiError) {
    const body = (safeJson(error.message) as GoogleErrorBody | undefined)?.error;
    const details = body?.details ?? [];
    const retryDelay = details.find((d) => String(d['@type']).endsWith('google.rpc.RetryInfo'))?.retryDelay;
    const bodyRetryMs = typeof retryDelay === 'string' && /^\d+(\.\d+)?s$/.test(retryDelay) ? Math.round(parseFloat(retryDelay) * 1000) : undefined;
    // The Gemini API answers an invalid key with 400 INVALID_ARGUMENT, reason API_KEY_INVALID.
    const badKey = details.some((d) => d.reason === 'API_KEY_INVALID') || /API key not valid/i.test(body?.message ?? '');
    const fault = badKey ? 'ours' : faultOfStatus(error.status);
    const message = body?.message ?? error.message;
    const words = fault === 'user' ? `The request was refused: ${message}` : `Gemini API ${error.status}: ${message}`;
    return new ModelProviderError(fault, badKey ? 'api_key_invalid' : (body?.status ?? `http_${error.status}`).toLowerCase(), words, retryAfterMs ?? bodyRetryMs, { cause: error });
  }
  if (isAbort(error)) {
    return new ModelProviderError('transient', 'aborted', 'The call to the Gemini API was aborted (timeout).', undefined, { cause: error });
  }
  // fetch's TypeError ("fetch failed": refused, reset, DNS) and anything else unexpected.
  const what = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  return new ModelProviderError('transient', 'network', `The Gemini API could not be reached: ${what}`, undefined, { cause: error });
}

/**
 * An AbortSignal's DOMException, maybe from another realm (so compared by name, not class), maybe
 * wrapped by the SDK (`exception … sending request`, the abort as its cause).
 */
function isAbort(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const name = (e as { name?: unknown }).name;
    if (name === 'AbortError' || name === 'TimeoutError') return true;
  }
  return false;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
