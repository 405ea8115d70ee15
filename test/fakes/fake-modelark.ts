/**
 * A small fake of BytePlus ModelArk's content-generation tasks API (the wire format
 * lambdas/adapters/providers/modelark-video.ts follows; our reading of the docs, not a recording):
 *
 * - `POST /api/v3/contents/generations/tasks` `{ model, content: [{ type: 'text', text }], … }` → `{ id }`;
 * - `GET /api/v3/contents/generations/tasks/{id}` → `{ id, model, status, error, content, created_at, updated_at }`;
 * - `DELETE /api/v3/contents/generations/tasks/{id}`: a queued task becomes `cancelled` (`{}`); a running
 *   or cancelled one is refused (400); a succeeded, failed or expired one has its record deleted.
 * - Errors as `{ error: { code, message, param, type } }`; `Authorization: Bearer <key>` checked (401).
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
