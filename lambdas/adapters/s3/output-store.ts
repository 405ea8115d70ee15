/**
 * The OutputStore on S3 (issue 14, "Outputs"): provider outputs copied into the stage's outputs bucket
 * and served through presigned GET URLs.
 *
 * - Inline outputs: the base64 decoded and PutObject'ed with the provider's content type.
 * - URL outputs: fetched (own timeout on top of the caller's signal, optional extra headers such as
 *   Google's `x-goog-api-key`, asked for per URL and per redirect hop, at most 5 redirects), BUFFERED in memory up to `maxBytes` (default 200 MiB), then one
 *   PutObject with ContentLength. Buffering, not streaming: a PutObject of a stream of unknown length
 *   needs multipart (@aws-sdk/lib-storage, not a dependency) and every output here is far below S3's
 *   5 GiB single-PUT limit. The cost is memory: the worker Lambda needs roughly maxBytes plus its
 *   baseline. The download stops as soon as it passes maxBytes (Content-Length is checked first).
 * - Content type: the provider's when it declared one (ModelArk and Veo do; a signed storage URL often
 *   answers application/octet-stream), else the response's Content-Type, else application/octet-stream.
 * - Encryption and retention are the bucket's (default encryption, lifecycle rule): nothing per object.
 *
 * How a failed copy is classified (ModelProviderError, for the worker):
 * - 403 / 404 / 410 from the source URL: the provider's output is gone (expired, deleted) or we may not
 *   read it (a missing or wrong API key header). Retrying the download cannot bring it back, and
 *   re-running the generation would charge the provider again for our own failure, so it is `ours`
 *   (failed, refunded, alarmed), code `output_unavailable`. Not `user`: the job's owner did nothing
 *   wrong, and the alarm is what we want, because an expiry means the worker copied too late.
 * - Too large (by Content-Length or while reading): `ours`, code `output_too_large` (a limit we set).
 * - 408 / 429 / 5xx, network errors, our timeout: `transient`, with Retry-After when given; the URL is
 *   still valid, so the worker may retry within the job's budget. The caller's own abort is `transient`
 *   too (code `aborted`), as in the provider adapters.
 * - Other 4xx: as faultOfStatus says (`user` for the remaining 4xx is wrong here: nothing the user sent
 *   reaches the download), so `ours`, code `output_download_failed`.
 * - Inline base64 that decodes to nothing: `ours`, code `malformed_output`.
 * A failing PutObject is thrown as the SDK raised it: our storage failed, not the provider.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ModelProviderError, type ProviderOutput } from '../../domain/model-clients';
import { retryAfterMsOf } from '../retry-after';
import { baseContentType, outputKey, type OutputStore, type SaveOutputInput, type StoredOutput } from '../../domain/output-store';

export const DEFAULT_MAX_OUTPUT_BYTES = 200 * 1024 * 1024;
const FALLBACK_CONTENT_TYPE = 'application/octet-stream';
const MAX_REDIRECTS = 5;

export interface S3OutputStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** The largest output copied; larger ones are refused. @default 200 MiB */
  readonly maxBytes?: number;
  /** The whole download's limit (headers and body), on top of the caller's signal. @default 120 000 */
  readonly downloadTimeoutMs?: number;
  /** Extra request headers for a source URL (e.g. `x-goog-api-key` for Veo's file URIs); undefined → none. */
  readonly headersFor?: (url: URL) => Readonly<Record<string, string>> | undefined;
  /** For tests. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Downloads held in memory at once, each up to `maxBytes` (a worker runs a batch's jobs together):
   * the worker's memory bound is this × maxBytes. @default 2
   */
  readonly maxConcurrentDownloads?: number;
}

/** At most `limit` holders at a time; the others wait in turn. */
class Permits {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(limit: number) {
    this.free = limit;
  }
  async with<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}

export class S3OutputStore implements OutputStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly maxBytes: number;
  private readonly downloadTimeoutMs: number;
  private readonly headersFor: (url: URL) => Readonly<Record<string, string>> | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly downloads: Permits;

  constructor(options: S3OutputStoreOptions) {
    this.downloads = new Permits(options.maxConcurrentDownloads ?? 2);
    this.client = options.client;
    this.bucket = options.bucket;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    this.downloadTimeoutMs = options.downloadTimeoutMs ?? 120_000;
    this.headersFor = options.headersFor ?? (() => undefined);
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  async save(input: SaveOutputInput, signal?: AbortSignal): Promise<StoredOutput> {
    // A download's bytes are held until they are put: the permit covers both.
    return input.output.kind === 'url' ? this.downloads.with(() => this.copy(input, signal)) : this.copy(input, signal);
  }

  private async copy(input: SaveOutputInput, signal?: AbortSignal): Promise<StoredOutput> {
    const { body, contentType } = await this.bytesOf(input.output, signal);
    const key = outputKey(input.accountId, input.jobId, input.index, contentType);
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.byteLength }),
      { abortSignal: signal },
    );
    return { key, contentType, sizeBytes: body.byteLength };
  }

  async signedUrl(key: string, expiresInSeconds: number): Promise<string> {
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > 604_800) {
      throw new RangeError(`a presigned URL lives 1 s to 7 days, got ${expiresInSeconds}`);
    }
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: expiresInSeconds });
  }

  async read(key: string, signal?: AbortSignal): Promise<{ readonly contentType: string; readonly bytes: Uint8Array }> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
    if (!object.Body) throw new Error(`output ${key} has no body`);
    return { contentType: object.ContentType ?? FALLBACK_CONTENT_TYPE, bytes: await object.Body.transformToByteArray() };
  }

  private async bytesOf(output: ProviderOutput, signal?: AbortSignal): Promise<{ body: Uint8Array; contentType: string }> {
    if (output.kind === 'inline') {
      const body = Buffer.from(output.base64, 'base64');
      if (body.byteLength === 0) throw new ModelProviderError('ours', 'malformed_output', 'The provider returned an empty or unreadable inline output');
      if (body.byteLength > this.maxBytes) throw tooLarge(body.byteLength, this.maxBytes);
      return { body, contentType: normalised(output.contentType) ?? FALLBACK_CONTENT_TYPE };
    }
    return this.download(output.url, output.contentType, signal);
  }

  private async download(source: string, declaredType: string | null, signal?: AbortSignal): Promise<{ body: Uint8Array; contentType: string }> {
    let url: URL;
    try {
      url = new URL(source);
    } catch (error) {
      throw new ModelProviderError('ours', 'malformed_output', 'The provider returned an output URL that is not a URL', undefined, { cause: error });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ModelProviderError('ours', 'malformed_output', `The provider returned an output URL with scheme ${url.protocol}`);
    }
    const where = `${url.origin}${url.pathname}`; // never the query: it often carries the signature
    const timeout = AbortSignal.timeout(this.downloadTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await this.follow(url, combined);
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw statusError(response.status, response.headers.get('retry-after'), where);
      }
      const declaredLength = Number(response.headers.get('content-length') ?? Number.NaN);
      if (Number.isFinite(declaredLength) && declaredLength > this.maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw tooLarge(declaredLength, this.maxBytes);
      }
      const body = await readCapped(response, this.maxBytes);
      if (body.byteLength === 0) throw new ModelProviderError('ours', 'malformed_output', `The output at ${where} is empty`);
      const contentType = normalised(declaredType) ?? normalised(response.headers.get('content-type')) ?? FALLBACK_CONTENT_TYPE;
      return { body, contentType };
    } catch (error) {
      if (error instanceof ModelProviderError) throw error;
      if (combined.aborted) {
        const reason: unknown = combined.reason;
        const timedOut = reason instanceof DOMException && reason.name === 'TimeoutError';
        throw new ModelProviderError('transient', timedOut ? 'timeout' : 'aborted', `Copying the output at ${where} ${timedOut ? 'timed out' : 'was aborted'}`, undefined, { cause: error });
      }
      throw new ModelProviderError('transient', 'network_error', `Copying the output at ${where} failed: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
    }
  }

  /**
   * GETs the URL, following redirects here rather than in fetch so that `headersFor` is asked again
   * for every hop: an API key header meant for the provider's host never reaches the storage host a
   * download URI redirects to (fetch itself drops only Authorization on a cross-origin redirect).
   */
  private async follow(start: URL, signal: AbortSignal): Promise<Response> {
    let url = start;
    for (let hop = 0; ; hop += 1) {
      const response = await this.fetchImpl(url, { headers: { ...this.headersFor(url) }, redirect: 'manual', signal });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || response.status === 304 || location === null) return response;
      await response.body?.cancel().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) throw new ModelProviderError('ours', 'output_download_failed', `The output at ${start.origin}${start.pathname} redirected more than ${MAX_REDIRECTS} times`);
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new ModelProviderError('ours', 'output_download_failed', `The output at ${start.origin}${start.pathname} redirected to scheme ${next.protocol}`);
      url = next;
    }
  }
}

/** Reads the body, giving up (and cancelling the download) as soon as it passes maxBytes. */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(total, maxBytes, true);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function statusError(status: number, retryAfter: string | null, where: string): ModelProviderError {
  if (status === 403 || status === 404 || status === 410) {
    return new ModelProviderError('ours', 'output_unavailable', `The output at ${where} is gone or refused (HTTP ${status}): it may have expired before it was copied`);
  }
  if (status === 408 || status === 429 || status >= 500) {
    return new ModelProviderError('transient', `http_${status}`, `Copying the output at ${where} answered HTTP ${status}`, retryAfterMsOf(retryAfter));
  }
  return new ModelProviderError('ours', 'output_download_failed', `Copying the output at ${where} answered HTTP ${status}`);
}

function tooLarge(bytes: number, maxBytes: number, atLeast = false): ModelProviderError {
  return new ModelProviderError('ours', 'output_too_large', `The output is ${atLeast ? 'more than ' : ''}${bytes} bytes, over the ${maxBytes}-byte limit`);
}

function normalised(contentType: string | null | undefined): string | undefined {
  if (!contentType) return undefined;
  const base = baseContentType(contentType);
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(base) ? base : undefined;
}
