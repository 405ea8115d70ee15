/**
 * Seedance 2.0 (and the other Seedance models) through BytePlus ModelArk's content-generation tasks
 * API: a small typed HTTP client on Node 22's global fetch, since no well-kept official Node SDK
 * covers the video tasks.
 *
 * Reference followed (BytePlus ModelArk docs, "Video Generation API" docs.byteplus.com/docs/ModelArk/1520757,
 * the video generation tutorial /1366799, "Return Structure" /1298460 and "Error codes" /1299023):
 * - Create: `POST {base}/api/v3/contents/generations/tasks`, `Authorization: Bearer <API key>`, body
 *   `{ model, content: [{ type: 'text', text }], ratio?, duration?, resolution?, seed? }` → `{ id }`.
 *   At most 120 queued tasks per account (more is refused).
 * - Image-to-video (first frame): the content array gains one item `{ type: 'image_url', image_url:
 *   { url }, role: 'first_frame' }`. `url` is a public URL or the image's bytes as a data URL
 *   `data:image/<format>;base64,<base64>`, the format in lowercase (e.g. `data:image/png;base64,…`).
 *   The API reference says that for "Image-to-Video-First Frame" exactly one image_url item is given
 *   and its role "is optional. If provided, the value must be first_frame"; first frame, first+last
 *   frames and reference images are mutually exclusive modes, so the role is sent explicitly to say
 *   which one this is. Input images: JPEG, PNG, WebP, BMP, TIFF or GIF, aspect ratio 0.4–2.5, sides
 *   300–6000 px, under 30 MB, the whole request body at most 64 MB (the provider checks these and
 *   refuses with a 400). The newer API pages (ai.byteplus.com/ark/…/docs/create-video-generation-task-api,
 *   as quoted by integrators) add `asset://<id>` URLs and say the Seedance 2.x models refuse input
 *   images showing real people's faces unless they are the account's own recent outputs; such a
 *   refusal comes back at create time and is classified like any content-safety refusal (the user's).
 * - Get: `GET {base}/api/v3/contents/generations/tasks/{id}` → `{ id, model, status, error, content,
 *   created_at, updated_at, … }`; `status` is queued | running | cancelled | succeeded | failed |
 *   expired; `content.video_url` once succeeded (a temporary URL: the storage step copies it);
 *   `error { code, message }` once failed, null otherwise.
 * - Cancel or delete: `DELETE {base}/api/v3/contents/generations/tasks/{id}`. Only a queued task is
 *   cancelled (it becomes `cancelled`); a running or cancelled one is refused; a succeeded, failed or
 *   expired one has its record DELETED. So `cancel` reads the task first and deletes only a queued one.
 * - Errors: `{ error: { code, message, param?, type? } }` with the HTTP status; content-safety codes
 *   are `SensitiveContentDetected*`, `Input{Text,Image,Video}SensitiveContentDetected*`,
 *   `Output{Image,Video}SensitiveContentDetected`, `*RiskDetection` (seen on the Volcengine edition).
 *
 * Could not confirm (so the client is tolerant there, and the fake is our reading, not a recording):
 * - Whether Seedance 2.0 takes ratio/duration/resolution/seed as body fields (the newer API pages and
 *   the task's echoed fields say so) or only as text commands (`--ratio 16:9 --duration 5`, the 1.x
 *   form). Body fields are sent; switching to text commands is one function (`createBody`).
 * - The HTTP status and code of a refused DELETE (a running task): any 400/404/409 is read as "cannot".
 * - Idempotency: ModelArk documents no idempotency or client-request-id header for these tasks, so
 *   none is sent and `idempotencyKey` is NOT enforced by the provider. `submit` is therefore never
 *   retried here; a worker that resubmits after an unknown outcome (timeout, network error) may create
 *   (and pay for) a second task.
 * - Whether a task that failed is billed (the docs bill succeeded generations by tokens).
 */
import { retryAfterMsOf } from '../retry-after';
import { z } from 'zod';
import {
  faultOfStatus,
  ModelProviderError,
  type ProviderOutput,
  type ReferenceImage,
  type VideoModelClient,
  type VideoOperationState,
  type VideoRequest,
} from '../../domain/model-clients';
import { checkedReference } from './reference-image';

/** The BytePlus (international) ModelArk endpoint, ap-southeast-1; API keys belong to one region. */
export const MODELARK_DEFAULT_BASE_URL = 'https://ark.ap-southeast.bytepluses.com';
const TASKS_PATH = '/api/v3/contents/generations/tasks';

export interface ModelArkVideoClientOptions {
  readonly apiKey: string;
  /** Without the `/api/v3` path. @default MODELARK_DEFAULT_BASE_URL */
  readonly baseUrl?: string;
  /** Each HTTP call's own limit, on top of the caller's signal. @default 30 000 */
  readonly requestTimeoutMs?: number;
  /** For tests. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

const createdTaskSchema = z.object({ id: z.string().min(1) });

const taskErrorSchema = z.object({ code: z.string(), message: z.string().optional().default('') });

const taskSchema = z.object({
  id: z.string().min(1),
  status: z.enum(['queued', 'running', 'cancelled', 'succeeded', 'failed', 'expired']),
  error: taskErrorSchema.nullish(),
  content: z.object({ video_url: z.string().url().optional() }).nullish(),
});

const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string().optional().default(''), type: z.string().optional() }),
});

/** ModelArk's content-safety refusals (input or output), whatever the status or task state that carries them. */
export function isContentSafetyCode(code: string): boolean {
  return /SensitiveContentDetected|RiskDetection/.test(code);
}

/** Words for the job's owner; ModelArk's own message carries request ids and policy labels. */
function safetyReason(code: string): string {
  if (/^Input(Text)?/.test(code) || code.startsWith('SensitiveContentDetected')) {
    if (code.startsWith('InputImage')) return 'The input image was refused by the provider\'s content safety check.';
    if (code.startsWith('InputVideo')) return 'The input video was refused by the provider\'s content safety check.';
    return 'The prompt was refused by the provider\'s content safety check. Please change it and try again.';
  }
  if (code.startsWith('Output')) return 'The generated video was blocked by the provider\'s content safety check. Please change the prompt and try again.';
  return 'The request was refused by the provider\'s content safety check.';
}

export class ModelArkVideoClient implements VideoModelClient {
  // The provider documents no idempotency key: a call that may have run is never made again (mayHaveRun).
  readonly acceptsIdempotencyKey = false;
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly requestTimeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ModelArkVideoClientOptions) {
    if (!options.apiKey) throw new ModelProviderError('ours', 'missing_api_key', 'ModelArk API key is not configured');
    this.apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? MODELARK_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /**
   * Creates the task, once. `idempotencyKey` cannot be passed on: ModelArk has no such header (see the
   * file comment); an error after the request left (timeout, network) means the task may exist.
   */
  async submit(request: VideoRequest, _idempotencyKey: string, signal?: AbortSignal): Promise<{ readonly operationId: string }> {
    const body = await this.call('POST', TASKS_PATH, createBody(request), signal);
    const parsed = createdTaskSchema.safeParse(body);
    if (!parsed.success) throw malformed('create', parsed.error);
    return { operationId: parsed.data.id };
  }

  async poll(operationId: string, signal?: AbortSignal): Promise<VideoOperationState> {
    const body = await this.call('GET', taskPath(operationId), undefined, signal);
    const parsed = taskSchema.safeParse(body);
    if (!parsed.success) throw malformed('get task', parsed.error);
    const task = parsed.data;
    switch (task.status) {
      case 'queued':
      case 'running':
        return { state: 'running' };
      case 'succeeded': {
        const url = task.content?.video_url;
        if (!url) throw new ModelProviderError('ours', 'malformed_response', 'ModelArk task succeeded without content.video_url');
        const output: ProviderOutput = { kind: 'url', url, contentType: 'video/mp4' };
        return { state: 'succeeded', outputs: [output] };
      }
      case 'failed':
        return { state: 'failed', error: taskFailure(task.error ?? null) };
      case 'expired':
        return { state: 'failed', error: new ModelProviderError('transient', 'task_expired', 'ModelArk task expired before it ran to completion') };
      case 'cancelled':
        return { state: 'failed', error: new ModelProviderError('ours', 'task_cancelled', 'ModelArk task was cancelled') };
    }
  }

  /**
   * Cancels a queued task. Reads it first, because DELETE on a finished task deletes its record (and
   * its video) instead; a running task cannot be cancelled. A task that starts between the read and the
   * DELETE is refused by ModelArk (false).
   */
  async cancel(operationId: string, signal?: AbortSignal): Promise<boolean> {
    const body = await this.call('GET', taskPath(operationId), undefined, signal);
    const parsed = taskSchema.safeParse(body);
    if (!parsed.success) throw malformed('get task', parsed.error);
    if (parsed.data.status !== 'queued') return false;
    try {
      await this.call('DELETE', taskPath(operationId), undefined, signal);
      return true;
    } catch (error) {
      if (error instanceof ModelProviderError && (error.code.startsWith('http_400') || error.code.startsWith('http_404') || error.code.startsWith('http_409'))) return false;
      throw error;
    }
  }

  /** One HTTP call, never retried. Answers the parsed JSON of a 2xx; throws a classified ModelProviderError otherwise. */
  private async call(method: 'GET' | 'POST' | 'DELETE', path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const what = `ModelArk ${method} ${path.startsWith(`${TASKS_PATH}/`) ? `${TASKS_PATH}/{id}` : path}`;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: combined,
      });
      text = await response.text();
    } catch (error) {
      if (combined.aborted) {
        const reason: unknown = combined.reason;
        const timedOut = reason instanceof DOMException && reason.name === 'TimeoutError';
        throw new ModelProviderError('transient', timedOut ? 'timeout' : 'aborted', `${what} ${timedOut ? 'timed out' : 'was aborted'}${method === 'POST' ? ' (the task may have been created)' : ''}`, undefined, { cause: error });
      }
      throw new ModelProviderError('transient', 'network_error', `${what} failed: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
    }

    const json = parseJson(text);
    if (response.ok) {
      if (json === undefined) throw new ModelProviderError('ours', 'malformed_response', `${what} answered ${response.status} with a body that is not JSON`);
      return json;
    }

    const retryAfterMs = retryAfterMsOf(response.headers.get('retry-after'));
    const providerError = errorBodySchema.safeParse(json);
    const code = providerError.success ? providerError.data.error.code : undefined;
    if (code !== undefined && isContentSafetyCode(code)) {
      throw new ModelProviderError('user', code, safetyReason(code), retryAfterMs);
    }
    const detail = providerError.success ? `${providerError.data.error.code}: ${providerError.data.error.message}` : `HTTP ${response.status}`;
    // The status decides (faultOfStatus); the code is kept after it for the logs and for `cancel`.
    throw new ModelProviderError(faultOfStatus(response.status), `http_${response.status}${code ? `:${code}` : ''}`, `${what} failed: ${detail}`, retryAfterMs);
  }
}

/** The create body. Parameters as body fields (see the file comment for the text-command alternative). */
export function createBody(request: VideoRequest): Record<string, unknown> {
  return {
    model: request.providerModel,
    content: [
      { type: 'text', text: request.prompt },
      ...(request.referenceImage === undefined ? [] : [{ type: 'image_url', image_url: { url: dataUrlOf(request.referenceImage) }, role: 'first_frame' }]),
    ],
    ...(request.aspectRatio === undefined ? {} : { ratio: request.aspectRatio }),
    ...(request.durationSeconds === undefined ? {} : { duration: request.durationSeconds }),
    ...(request.resolution === undefined ? {} : { resolution: request.resolution }),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
  };
}

/** A reference image as the data URL ModelArk documents (`data:image/<format>;base64,<base64>`, the format lowercase); a malformed one is refused before the call. */
export function dataUrlOf(image: ReferenceImage): string {
  const { contentType, base64 } = checkedReference(image, 'The first-frame image');
  return `data:${contentType};base64,${base64}`;
}

function taskPath(operationId: string): string {
  return `${TASKS_PATH}/${encodeURIComponent(operationId)}`;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A 2xx answer we cannot read is 'ours': retrying does not change what ModelArk sends (our reading
 * of the API is wrong or it changed), and a blindly retried create could pay for a second task.
 * The alarm makes someone look. (Unreadable error answers are classified by their status instead.)
 */
function malformed(what: string, error: z.ZodError): ModelProviderError {
  return new ModelProviderError('ours', 'malformed_response', `ModelArk ${what} answer did not match the expected shape: ${error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ')}`, undefined, { cause: error });
}

/**
 * A failed task: content safety is the user's (the reason in words); a parameter ModelArk refused is
 * the request's, as faultOfStatus reads a 400; anything else (an internal error, no error at all) is
 * taken as the provider's transient fault, retried within the job's budget.
 */
function taskFailure(error: { code: string; message: string } | null): ModelProviderError {
  if (!error) return new ModelProviderError('transient', 'task_failed', 'ModelArk task failed without an error');
  if (isContentSafetyCode(error.code)) return new ModelProviderError('user', error.code, safetyReason(error.code));
  if (/^(InvalidParameter|MissingParameter)/.test(error.code)) return new ModelProviderError('user', error.code, `The provider refused the request: ${error.message}`);
  return new ModelProviderError('transient', error.code, `ModelArk task failed: ${error.code}: ${error.message}`);
}
