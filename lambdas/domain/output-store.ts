/**
 * Issue 14, "Outputs": where a generation's outputs live once the provider hands them over. A
 * provider's output is inline bytes or a temporary URL that expires (model-clients.ts); the worker
 * copies each one into the stage's private, encrypted outputs bucket under the owning account's
 * prefix, records the key, content type and size on the job, and the owner's wallet members read it
 * back through short-lived presigned GET URLs. The S3 adapter is lambdas/adapters/s3/output-store.ts.
 */
import type { ProviderOutput } from './model-clients';

/** What the job records for one stored output. */
export interface StoredOutput {
  /** The object key: `outputs/<accountId>/<jobId>/<index>.<ext>` (see outputKey). */
  readonly key: string;
  readonly contentType: string;
  readonly sizeBytes: number;
}

export interface SaveOutputInput {
  /** The account that owns the job (and its wallet): the key's prefix, so access can be scoped by prefix. */
  readonly accountId: string;
  readonly jobId: string;
  /** The output's position among the job's outputs, from 0. */
  readonly index: number;
  readonly output: ProviderOutput;
}

/**
 * Copies provider outputs into storage and serves them back. `save` throws ModelProviderError for a
 * source that cannot be copied (an expired or refused URL, too large, a network fault), classified for
 * the worker; a failure of the store itself is thrown as it is (a worker crash, retried by the queue).
 * Saving the same (accountId, jobId, index) again overwrites the same key: a redelivered job is safe.
 */
export interface OutputStore {
  save(input: SaveOutputInput, signal?: AbortSignal): Promise<StoredOutput>;
  /** A URL that GETs the object without credentials until it expires. Callers check ownership first. */
  signedUrl(key: string, expiresInSeconds: number): Promise<string>;
  /** The stored object's bytes (a reference image for a later generation). Callers check ownership first. */
  read(key: string, signal?: AbortSignal): Promise<{ readonly contentType: string; readonly bytes: Uint8Array }>;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
};

/** The media type without parameters, lower-cased: `Image/PNG; charset=x` → `image/png`. */
export function baseContentType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** The file extension for a content type: png, jpeg, webp, mp4; anything else `bin`. */
export function extensionOf(contentType: string): string {
  return EXTENSIONS[baseContentType(contentType)] ?? 'bin';
}

/** Ids become key segments: no separators, no dot segments, nothing that needs escaping in a URL. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/** `outputs/<accountId>/<jobId>/<index>.<ext>`. Refuses ids that would escape their prefix. */
export function outputKey(accountId: string, jobId: string, index: number, contentType: string): string {
  if (!SAFE_SEGMENT.test(accountId) || accountId.includes('..')) throw new RangeError(`unsafe account id for an output key: ${JSON.stringify(accountId)}`);
  if (!SAFE_SEGMENT.test(jobId) || jobId.includes('..')) throw new RangeError(`unsafe job id for an output key: ${JSON.stringify(jobId)}`);
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`output index must be a non-negative integer, got ${index}`);
  return `${outputPrefix(accountId)}${jobId}/${index}.${extensionOf(contentType)}`;
}

/** Every output of an account lives under this prefix. */
export function outputPrefix(accountId: string): string {
  return `outputs/${accountId}/`;
}
