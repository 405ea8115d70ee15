/**
 * A small fake of BytePlus ModelArk's content-generation tasks API (the wire format
 * lambdas/adapters/providers/modelark-video.ts follows; our reading of the docs, not a recording):
 *
 * - `POST /api/v3/contents/generations/tasks` `{ model, content: [{ type: 'text', text }], … }` → `{ id }`;
 * - `GET /api/v3/contents/generations/tasks/{id}` → `{ id, model, status, error, content, created_at, updated_at }`;
 * - `DELETE /api/v3/contents/generations/tasks/{id}`: a queued task becomes `cancelled` (`{}`); a running
 *   or cancelled one is refused (400); a succeeded, failed or expired one has its record deleted.
 * - Errors as `{ error: { code, message, param, type } }`; `Authorization: Bearer <key>` checked (401).
 * - Image items of the content array are read as the API reference describes them: `{ type:
 *   'image_url', image_url: { url }, role? }`, `url` an http(s) URL, an `asset://` id or `data:image/<format>;base64,<b64>`
 *   with the format lowercase and one of JPEG, PNG, WebP, BMP, TIFF, GIF (HEIC/HEIF too); `role` one of
 *   first_frame, last_frame, reference_image. One image may go without a role (or first_frame); two
 *   must be first_frame then last_frame; reference images must all say so; the modes do not mix. A
 *   malformed item is refused with 400 InvalidParameter before any scripted behaviour (no task made).
 *   `inputImages(request)` lists a recorded create's images in order.
 *
 * Scripted behaviours, taken in order by the next creates (`script(...)`; the default is a task that
 * succeeds after 2 polls): a task that succeeds after N polls, fails (content safety, or any code),
 * never finishes, or stays queued; a create answered 429 with Retry-After, 500, a malformed body or
 * left hanging (no task made for any of these). `answerNext(...)` overrides the next request of any
 * kind (a hang or a raw answer), e.g. a malformed GET. Every request is recorded.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const TASKS_PATH = '/api/v3/contents/generations/tasks';

export type TaskScript =
  /** Queued for `queuedPolls` GETs (default 0), then running for the rest of `afterPolls`, then succeeded. */
  | { readonly kind: 'succeeds'; readonly afterPolls: number; readonly queuedPolls?: number; readonly videoUrl?: string }
  /** Runs for `afterPolls` GETs (default 1), then failed with this error. */
  | { readonly kind: 'fails'; readonly afterPolls?: number; readonly code: string; readonly message: string }
  /** Running forever (after `queuedPolls` queued GETs, default 0). */
  | { readonly kind: 'never_finishes'; readonly queuedPolls?: number }
  /** Queued until cancelled. */
  | { readonly kind: 'stays_queued' }
  /** Expired after `afterPolls` GETs (default 1). */
  | { readonly kind: 'expires'; readonly afterPolls?: number };

export type CreateScript =
  | TaskScript
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number }
  | { readonly kind: 'server_error'; readonly status?: number }
  | { readonly kind: 'refused'; readonly status: number; readonly code: string; readonly message: string }
  | { readonly kind: 'hang' };

export type RawAnswer =
  | { readonly kind: 'hang' }
  | { readonly kind: 'raw'; readonly status: number; readonly body: string; readonly headers?: Readonly<Record<string, string>> };

export type TaskStatus = 'queued' | 'running' | 'cancelled' | 'succeeded' | 'failed' | 'expired';

/** An image item of a create request as the fake read it. */
export interface ModelArkInputImage {
  readonly url: string;
  readonly role: string | undefined;
  /** For a data URL: its type and base64; undefined for an http(s) or asset URL. */
  readonly mimeType?: string;
  readonly base64?: string;
}

export interface RecordedModelArkRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly authorization: string | null;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly status: number | 'hung';
}

interface FakeTask {
  readonly id: string;
  readonly model: string;
  readonly script: TaskScript;
  readonly createdAt: number;
  status: TaskStatus;
  polls: number;
  updatedAt: number;
  error: { code: string; message: string } | null;
  videoUrl: string | null;
}

export interface RunningFakeModelArk {
  /** The base URL to give the client (no path). */
  readonly url: string;
  readonly requests: readonly RecordedModelArkRequest[];
  /** The behaviours of the next creates, in order. */
  script(...behaviours: CreateScript[]): void;
  /** Raw answers for the next requests (any method), in order, before any other handling. */
  answerNext(...answers: RawAnswer[]): void;
  /** The image items of a recorded create request, in order (empty for any other request). */
  inputImages(request: RecordedModelArkRequest | undefined): ModelArkInputImage[];
  /** The task's current status, without polling it (undefined once deleted). */
  taskStatus(id: string): TaskStatus | undefined;
  stop(): Promise<void>;
}

export interface FakeModelArkOptions {
  /** The API key the fake accepts. @default 'ark-test-key' */
  readonly apiKey?: string;
}

export async function startFakeModelArk(options: FakeModelArkOptions = {}): Promise<RunningFakeModelArk> {
  const apiKey = options.apiKey ?? 'ark-test-key';
  const requests: RecordedModelArkRequest[] = [];
  const scripts: CreateScript[] = [];
  const rawAnswers: RawAnswer[] = [];
  const tasks = new Map<string, FakeTask>();
  const hanging = new Set<ServerResponse>();
  let sequence = 0;

  const server = createServer((req, res) => {
    void readBody(req).then((text) => handle(req, res, text));
  });

  function handle(req: IncomingMessage, res: ServerResponse, text: string): void {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    const record = (status: number | 'hung'): void => {
      requests.push({ method, path, body, authorization: req.headers.authorization ?? null, headers: { ...req.headers }, status });
    };
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      record(status);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const fail = (status: number, type: string, code: string, message: string, headers: Record<string, string> = {}): void => {
      send(status, { error: { code, message: `${message} Request id: ${requestId()}`, param: '', type } }, headers);
    };
    const hang = (): void => {
      record('hung');
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
    };

    const raw = rawAnswers.shift();
    if (raw?.kind === 'hang') return hang();
    if (raw?.kind === 'raw') {
      record(raw.status);
      res.writeHead(raw.status, { 'content-type': 'application/json', ...raw.headers });
      res.end(raw.body);
      return;
    }

    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return fail(401, 'Unauthorized', 'AuthenticationError', 'The API key or AK/SK in the request is missing or invalid.');
    }

    if (path === TASKS_PATH && method === 'POST') {
      const parsed = parseCreate(body);
      if (typeof parsed === 'string') return fail(400, 'BadRequest', 'MissingParameter', parsed);
      const images = parseImages(body);
      if (typeof images === 'string') return fail(400, 'BadRequest', 'InvalidParameter', images);
      const behaviour = scripts.shift() ?? { kind: 'succeeds', afterPolls: 2 };
      switch (behaviour.kind) {
        case 'rate_limited':
          return fail(429, 'TooManyRequests', 'RateLimitExceeded.EndpointRPMExceeded', 'The Requests Per Minute (RPM) limit of the associated endpoint for your account has been exceeded.', { 'retry-after': String(behaviour.retryAfterSeconds) });
        case 'server_error':
          return fail(behaviour.status ?? 500, 'InternalServiceError', 'InternalServiceError', 'The service encountered an unexpected internal error.');
        case 'refused':
          return fail(behaviour.status, 'BadRequest', behaviour.code, behaviour.message);
        case 'hang':
          return hang();
        default: {
          const now = Math.floor(Date.now() / 1000);
          const id = `cgt-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${(++sequence).toString(36)}${randomBytes(2).toString('hex')}`;
          tasks.set(id, { id, model: parsed.model, script: behaviour, createdAt: now, updatedAt: now, status: 'queued', polls: 0, error: null, videoUrl: null });
          return send(200, { id });
        }
      }
    }

    const match = path.startsWith(`${TASKS_PATH}/`) ? decodeURIComponent(path.slice(TASKS_PATH.length + 1)) : undefined;
    if (match !== undefined && (method === 'GET' || method === 'DELETE')) {
      const task = tasks.get(match);
      if (!task) return fail(404, 'NotFound', 'ResourceNotFound', `The specified task ${match} is not found.`);
      if (method === 'GET') {
        advance(task);
        return send(200, taskBody(task));
      }
      if (task.status === 'queued') {
        task.status = 'cancelled';
        task.updatedAt = Math.floor(Date.now() / 1000);
        return send(200, {});
      }
      if (task.status === 'running' || task.status === 'cancelled') {
        return fail(400, 'BadRequest', 'InvalidParameter', `The task ${task.id} in status ${task.status} cannot be cancelled or deleted.`);
      }
      tasks.delete(task.id);
      return send(200, {});
    }

    return fail(404, 'NotFound', 'NotFound', `No route for ${method} ${path}.`);
  }

  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...behaviours) => void scripts.push(...behaviours),
    answerNext: (...answers) => void rawAnswers.push(...answers),
    inputImages: (request) => {
      if (request?.method !== 'POST' || request.path !== TASKS_PATH) return [];
      const images = parseImages(request.body);
      return typeof images === 'string' ? [] : images;
    },
    taskStatus: (id) => tasks.get(id)?.status,
    stop: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One GET moves the task along its script. */
function advance(task: FakeTask): void {
  if (task.status !== 'queued' && task.status !== 'running') return;
  task.polls += 1;
  const script = task.script;
  const before = task.status;
  switch (script.kind) {
    case 'stays_queued':
      break;
    case 'never_finishes':
      task.status = task.polls > (script.queuedPolls ?? 0) ? 'running' : 'queued';
      break;
    case 'succeeds':
      if (task.polls > script.afterPolls) {
        task.status = 'succeeded';
        task.videoUrl = script.videoUrl ?? `https://ark-content-generation-ap-southeast-1.tos-ap-southeast-1.bytepluses.com/seedance/${task.id}.mp4?X-Tos-Expires=86400`;
      } else {
        task.status = task.polls > (script.queuedPolls ?? 0) ? 'running' : 'queued';
      }
      break;
    case 'fails':
      if (task.polls > (script.afterPolls ?? 1)) {
        task.status = 'failed';
        task.error = { code: script.code, message: script.message };
      } else {
        task.status = 'running';
      }
      break;
    case 'expires':
      task.status = task.polls > (script.afterPolls ?? 1) ? 'expired' : 'running';
      break;
  }
  if (task.status !== before) task.updatedAt = Math.floor(Date.now() / 1000);
}

function taskBody(task: FakeTask): Record<string, unknown> {
  return {
    id: task.id,
    model: task.model,
    status: task.status,
    error: task.error,
    created_at: task.createdAt,
    updated_at: task.updatedAt,
    ...(task.videoUrl ? { content: { video_url: task.videoUrl }, usage: { completion_tokens: 108900, total_tokens: 108900 } } : {}),
  };
}

function parseCreate(body: unknown): { model: string } | string {
  if (typeof body !== 'object' || body === null) return 'The request body must be a JSON object.';
  const { model, content } = body as { model?: unknown; content?: unknown };
  if (typeof model !== 'string' || model === '') return 'The request failed because it is missing one or multiple required parameters: model.';
  if (!Array.isArray(content) || content.length === 0) return 'The request failed because it is missing one or multiple required parameters: content.';
  const text = content.find((item: unknown) => typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'text') as { text?: unknown } | undefined;
  if (!text || typeof text.text !== 'string') return 'The request failed because it is missing one or multiple required parameters: content.text.';
  return { model };
}

const IMAGE_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'jpg', 'png', 'webp', 'bmp', 'tiff', 'gif', 'heic', 'heif']);
const ROLES: ReadonlySet<string> = new Set(['first_frame', 'last_frame', 'reference_image']);

/** The image items of a create body (already known to be an object with a content array), or why they are refused. */
function parseImages(body: unknown): ModelArkInputImage[] | string {
  const content = (body as { content: unknown[] }).content;
  const images: ModelArkInputImage[] = [];
  for (const [index, item] of content.entries()) {
    const { type, image_url: imageUrl, role } = (item ?? {}) as { type?: unknown; image_url?: unknown; role?: unknown };
    if (type === 'text') continue;
    if (type !== 'image_url') return `The parameter \`content[${index}].type\` specified in the request is not valid: ${String(type)}.`;
    const url = (imageUrl as { url?: unknown } | null | undefined)?.url;
    if (typeof url !== 'string' || url === '') return `The request failed because it is missing one or multiple required parameters: content[${index}].image_url.url.`;
    if (role !== undefined && (typeof role !== 'string' || !ROLES.has(role))) return `The parameter \`content[${index}].role\` specified in the request is not valid: ${String(role)}.`;
    const data = /^data:image\/([^;,]+);base64,(.*)$/s.exec(url);
    if (data) {
      const [, format = '', base64 = ''] = data;
      if (!IMAGE_FORMATS.has(format)) return `The parameter \`content[${index}].image_url.url\` specified in the request is not valid: image format ${format} is not supported (it must be lowercase, e.g. data:image/png;base64,…).`;
      if (base64.length === 0 || base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return `The parameter \`content[${index}].image_url.url\` specified in the request is not valid: the Base64 data cannot be decoded.`;
      images.push({ url, role: role as string | undefined, mimeType: `image/${format}`, base64 });
    } else if (/^(https?:\/\/|asset:\/\/)/.test(url)) {
      images.push({ url, role: role as string | undefined });
    } else {
      return `The parameter \`content[${index}].image_url.url\` specified in the request is not valid: it must be an accessible URL or data:image/<format>;base64,<Base64 encoding>.`;
    }
  }
  const roles = images.map((image) => image.role);
  const valid =
    images.length === 0 ||
    (images.length === 1 && (roles[0] === undefined || roles[0] === 'first_frame')) ||
    (images.length === 2 && roles[0] === 'first_frame' && roles[1] === 'last_frame') ||
    roles.every((r) => r === 'reference_image');
  if (!valid) return `The roles of the content images (${roles.map((r) => r ?? 'none').join(', ')}) do not form one of the supported modes (first frame, first and last frames, reference images).`;
  return images;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function requestId(): string {
  return `0217${Date.now()}${randomBytes(8).toString('hex')}`;
}
