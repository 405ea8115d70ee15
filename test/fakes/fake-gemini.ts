/**
 * A small fake of the Gemini Developer API for the calls lambdas/adapters/providers/gemini.ts makes,
 * speaking the REST wire format @google/genai 3.1.0 uses (paths confirmed by recording its requests):
 * - POST /{v1|v1beta}/models/{model}:generateContent → `{ candidates: [{ content: { parts: [{ inlineData }] }, finishReason }] }`
 * - POST /v1beta/models/{model}:predictLongRunning → `{ name: 'models/{model}/operations/{id}' }`
 * - GET  /{v1|v1beta}/models/{model}/operations/{id} → `{ name, done, response: { generateVideoResponse: { generatedSamples: [{ video: { uri } }] } } | error }`
 *
 * Like Google it wants the key in `x-goog-api-key` and answers a wrong or missing one with 400
 * INVALID_ARGUMENT, reason API_KEY_INVALID; errors are `{ error: { code, message, status, details } }`.
 *
 * Input images are read as the API reads them, and a malformed one is answered 400 INVALID_ARGUMENT
 * before any behaviour is taken from the queue (no image made, nothing billed):
 * - generateContent: every `contents[].parts[]` may carry `inlineData` (or `inline_data`, the proto
 *   JSON name) `{ mimeType, data }`: the type must be one Gemini takes as image input (PNG, JPEG,
 *   WebP, HEIC, HEIF) and `data` standard base64 ("Base64 decoding failed" otherwise).
 * - predictLongRunning: `instances[0].image` must be `{ bytesBase64Encoded, mimeType }` with a JPEG
 *   or PNG type; `inlineData` there is refused as the real endpoint refuses it ("`inlineData` isn't
 *   supported by this model"), and so is `gcsUri` (Vertex only).
 * `inputImages(request)` lists a recorded request's images in order (mime type and base64).
 *
 * Scripted per call: each generateContent or predictLongRunning takes the next behaviour from its
 * queue (a success once the queue is empty); each submitted operation takes the next video script;
 * an operation GET can be made to fail or hang first (`scriptPolls`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

/** A 1×1 transparent PNG. */
import { TINY_PNG_BASE64 } from './tiny-png';
export { TINY_PNG_BASE64 };

export type CallBehaviour =
  | { readonly kind: 'success' }
  /** `promptFeedback.blockReason`, no candidates. */
  | { readonly kind: 'blocked'; readonly reason: string }
  /** A candidate with this finishReason and no image part. */
  | { readonly kind: 'refused'; readonly finishReason: string }
  /** A candidate with only text (the model declined in words). */
  | { readonly kind: 'text'; readonly text: string }
  /** An error answer; `retryAfter` sets the Retry-After header, `retryDelay` a google.rpc.RetryInfo detail. */
  | { readonly kind: 'error'; readonly status: number; readonly retryAfter?: string; readonly retryDelay?: string }
  /** Never answers (the connection stays open until the client gives up). */
  | { readonly kind: 'hang' };

export type VideoScript =
  /** Running for `pollsBeforeDone` polls, then done with one video. */
  | { readonly kind: 'succeeds'; readonly pollsBeforeDone: number }
  | { readonly kind: 'never' }
  /** Done with a google.rpc.Status error after `pollsBeforeDone` polls. */
  | { readonly kind: 'fails'; readonly pollsBeforeDone: number; readonly code: number; readonly message: string }
  /** Done, every video removed by the safety filters. */
  | { readonly kind: 'filtered'; readonly reason: string };

export interface RecordedGeminiRequest {
  readonly method: string;
  readonly path: string;
  readonly apiKey: string | null;
  readonly body: unknown;
  /** The status answered; null while hanging. */
  status: number | null;
}

/** An input image as the fake read it from a request. */
export interface InputImage {
  readonly mimeType: string;
  readonly base64: string;
}

/** What Gemini takes as image input (https://ai.google.dev/gemini-api/docs/image-understanding). */
const GEMINI_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif']);
/** What Veo takes as the first frame (Veo's image input: JPEG or PNG). */
const VEO_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg']);

function isBase64(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The images of a generateContent body in order, or the INVALID_ARGUMENT message Gemini would answer. */
function generateContentImages(body: unknown): InputImage[] | string {
  const contents = asRecord(body)?.contents;
  if (!Array.isArray(contents) || contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
  const images: InputImage[] = [];
  for (const [c, content] of contents.entries()) {
    const parts = asRecord(content)?.parts;
    if (!Array.isArray(parts) || parts.length === 0) return `* GenerateContentRequest.contents[${c}].parts: contents.parts must not be empty.`;
    for (const [p, part] of parts.entries()) {
      const record = asRecord(part);
      const blob = asRecord(record?.inlineData ?? record?.inline_data);
      if (record && ('inlineData' in record || 'inline_data' in record)) {
        const mimeType = blob?.mimeType ?? blob?.mime_type;
        const data = blob?.data;
        if (!isBase64(data)) return `Invalid value at 'contents[${c}].parts[${p}].inline_data.data' (TYPE_BYTES), Base64 decoding failed for "${String(data).slice(0, 20)}"`;
        if (typeof mimeType !== 'string' || mimeType === '') return `* GenerateContentRequest.contents[${c}].parts[${p}].inline_data.mime_type: mime_type is not specified`;
        if (!GEMINI_IMAGE_TYPES.has(mimeType)) return `Unsupported MIME type: ${mimeType}`;
        images.push({ mimeType, base64: data });
      } else if (typeof record?.text !== 'string') {
        return `* GenerateContentRequest.contents[${c}].parts[${p}].data: required oneof field 'data' must have one initialized field`;
      }
    }
  }
  return images;
}

/** The first frame of a predictLongRunning body (none, or one), or the INVALID_ARGUMENT message. */
function predictImages(body: unknown): InputImage[] | string {
  const instances = asRecord(body)?.instances;
  if (!Array.isArray(instances) || instances.length !== 1) return 'instances must hold exactly one instance.';
  const instance = asRecord(instances[0]);
  if (typeof instance?.prompt !== 'string' || instance.prompt === '') return 'A prompt is required.';
  if (!('image' in instance)) return [];
  const image = asRecord(instance.image);
  if (!image) return 'Invalid value at \'instances[0].image\': not an object.';
  if ('inlineData' in image || 'inline_data' in image) return '`inlineData` isn\'t supported by this model.';
  if ('gcsUri' in image) return '`gcsUri` isn\'t supported by this model.';
  if (!isBase64(image.bytesBase64Encoded)) return 'Invalid value at \'instances[0].image.bytesBase64Encoded\' (TYPE_BYTES), Base64 decoding failed.';
  if (typeof image.mimeType !== 'string' || !VEO_IMAGE_TYPES.has(image.mimeType)) return `Unsupported MIME type for the input image: ${String(image.mimeType)}.`;
  return [{ mimeType: image.mimeType, base64: image.bytesBase64Encoded }];
}

const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export class FakeGemini {
  readonly requests: RecordedGeminiRequest[] = [];
  private readonly imageQueue: CallBehaviour[] = [];
  private readonly submitQueue: CallBehaviour[] = [];
  private readonly pollQueue: CallBehaviour[] = [];
  private readonly videoScripts: VideoScript[] = [];
  private readonly operations = new Map<string, { model: string; script: VideoScript; polls: number }>();
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private port = 0;

  constructor(readonly apiKey = 'test-gemini-key') {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  scriptImages(...behaviours: CallBehaviour[]): void {
    this.imageQueue.push(...behaviours);
  }

  scriptSubmits(...behaviours: CallBehaviour[]): void {
    this.submitQueue.push(...behaviours);
  }

  /** Behaviours for the next operation GETs (only `error` and `hang` make sense; others answer normally). */
  scriptPolls(...behaviours: CallBehaviour[]): void {
    this.pollQueue.push(...behaviours);
  }

  scriptVideos(...scripts: VideoScript[]): void {
    this.videoScripts.push(...scripts);
  }

  /** The input images of a recorded generateContent or predictLongRunning request, in order. */
  inputImages(request: RecordedGeminiRequest | undefined): InputImage[] {
    if (!request) return [];
    const images = request.path.endsWith(':predictLongRunning') ? predictImages(request.body) : generateContentImages(request.body);
    return typeof images === 'string' ? [] : images;
  }

  /** The URI a succeeded operation's video gets (a Files API download URI, as Google's). */
  videoUri(operationId: string): string {
    return `${this.baseUrl}/v1beta/files/${operationId}:download?alt=media`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const apiKey = typeof req.headers['x-goog-api-key'] === 'string' ? req.headers['x-goog-api-key'] : null;
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const record: RecordedGeminiRequest = { method: req.method ?? '', path, apiKey, body, status: null };
    this.requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });

    if (apiKey !== this.apiKey) {
      return json(res, 400, {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
        },
      });
    }
    let match: RegExpExecArray | null;
    if (req.method === 'POST' && (match = /^\/v1(?:beta)?\/models\/([^/:]+):generateContent$/.exec(path))) {
      const images = generateContentImages(body);
      if (typeof images === 'string') return invalidArgument(res, images);
      return this.answer(res, this.imageQueue.shift() ?? { kind: 'success' }, () => ({
        candidates: [{ content: { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: TINY_PNG_BASE64 } }] }, finishReason: 'STOP', index: 0 }],
        modelVersion: match?.[1],
      }));
    }
    if (req.method === 'POST' && (match = /^\/v1beta\/models\/([^/:]+):predictLongRunning$/.exec(path))) {
      const model = match[1] ?? '';
      const images = predictImages(body);
      if (typeof images === 'string') return invalidArgument(res, images);
      return this.answer(res, this.submitQueue.shift() ?? { kind: 'success' }, () => {
        const name = `models/${model}/operations/${randomUUID().replaceAll('-', '').slice(0, 12)}`;
        this.operations.set(name, { model, script: this.videoScripts.shift() ?? { kind: 'succeeds', pollsBeforeDone: 1 }, polls: 0 });
        return { name };
      });
    }
    if (req.method === 'GET' && (match = /^\/v1(?:beta)?\/(models\/[^/]+\/operations\/[^/]+)$/.exec(path))) {
      const name = match[1] ?? '';
      const scripted = this.pollQueue.shift();
      if (scripted && (scripted.kind === 'error' || scripted.kind === 'hang')) return this.answer(res, scripted, () => undefined);
      const operation = this.operations.get(name);
      if (!operation) return json(res, 404, { error: { code: 404, message: `Operation ${name} not found.`, status: 'NOT_FOUND' } });
      operation.polls += 1;
      const { script } = operation;
      if (script.kind === 'never' || (script.kind !== 'filtered' && operation.polls <= script.pollsBeforeDone)) {
        return json(res, 200, { name });
      }
      if (script.kind === 'fails') return json(res, 200, { name, done: true, error: { code: script.code, message: script.message } });
      if (script.kind === 'filtered') {
        return json(res, 200, { name, done: true, response: { '@type': 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse', generateVideoResponse: { raiMediaFilteredCount: 1, raiMediaFilteredReasons: [script.reason] } } });
      }
      const id = name.split('/').pop() ?? '';
      return json(res, 200, {
        name,
        done: true,
        response: {
          '@type': 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse',
          generateVideoResponse: { generatedSamples: [{ video: { uri: this.videoUri(id) } }] },
        },
      });
    }
    return json(res, 404, { error: { code: 404, message: `No route ${req.method} ${path}.`, status: 'NOT_FOUND' } });
  }

  private answer(res: ServerResponse, behaviour: CallBehaviour, success: () => unknown): void {
    switch (behaviour.kind) {
      case 'success':
        return json(res, 200, success());
      case 'blocked':
        return json(res, 200, { promptFeedback: { blockReason: behaviour.reason } });
      case 'refused':
        return json(res, 200, { candidates: [{ content: { role: 'model', parts: [] }, finishReason: behaviour.finishReason, index: 0 }] });
      case 'text':
        return json(res, 200, { candidates: [{ content: { role: 'model', parts: [{ text: behaviour.text }] }, finishReason: 'STOP', index: 0 }] });
      case 'error': {
        const details = behaviour.retryDelay ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: behaviour.retryDelay }] : [];
        if (behaviour.retryAfter) res.setHeader('retry-after', behaviour.retryAfter);
        const status = STATUS_NAMES[behaviour.status] ?? 'UNKNOWN';
        return json(res, behaviour.status, { error: { code: behaviour.status, message: `Fake ${status}.`, status, details } });
      }
      case 'hang':
        return; // never answered; stop() destroys the socket
    }
  }
}

function invalidArgument(res: ServerResponse, message: string): void {
  json(res, 400, { error: { code: 400, message, status: 'INVALID_ARGUMENT' } });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}
