/**
 * A small fake of the OpenAI Images API (`POST /v1/images/generations`), so OpenAiImageClient can be
 * tested through the real `openai` SDK (`baseURL`).
 *
 * Like OpenAI it: needs `Authorization: Bearer <key>` (401 `invalid_api_key` otherwise); takes a JSON
 * body and refuses unknown parameters, a missing model or prompt, `n` outside 1–10 and a malformed
 * size (400 `invalid_request_error` naming the `param`); answers `{ created, data: [{ b64_json }],
 * output_format, size, quality, background, usage }` with `n` images; answers errors as
 * `{ error: { message, type, param, code } }`; refuses unsafe prompts with 400
 * `moderation_blocked` (`type: image_generation_user_error`).
 *
 * Test controls: `script(...behaviours)` queues what the next calls do, one behaviour per request
 * (once the queue is empty, calls succeed): `success`, `moderation`, `rate_limit` (429 with
 * `Retry-After`), `server_error` (500), `unauthorized` (401), `hang` (reads the request and never
 * answers). Every request is recorded (path, Authorization, Idempotency-Key, parsed body, the status
 * answered, or `null` when none was, and whether the client hung up before an answer).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A valid 1×1 PNG (the 8-byte signature, IHDR, IDAT, IEND). */
import { TINY_PNG_BASE64 } from './tiny-png';
export { TINY_PNG_BASE64 };

export type FakeOpenAiBehaviour =
  /**
   * `outputFormat` overrides the format the answer names (default: the request's, else png);
   * `images` how many images it holds (default: `n`).
   */
  | { readonly kind: 'success'; readonly outputFormat?: string; readonly images?: number }
  | { readonly kind: 'moderation' }
  | { readonly kind: 'rate_limit'; readonly retryAfterSeconds: number }
  | { readonly kind: 'server_error' }
  | { readonly kind: 'unauthorized' }
  | { readonly kind: 'hang' };

export interface FakeOpenAiRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | null;
  readonly idempotencyKey: string | null;
  readonly body: Record<string, unknown> | null;
  /** The status answered; null while hanging or when the client hung up first. */
  status: number | null;
  /** The client closed the connection before an answer. */
  clientClosed: boolean;
}

export interface FakeOpenAi {
  /** The SDK's `baseURL` (ends in `/v1`). */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly requests: FakeOpenAiRequest[];
  /** Queues behaviours for the next requests, in order. */
  script(...behaviours: FakeOpenAiBehaviour[]): void;
  stop(): Promise<void>;
}

const KNOWN_PARAMS = new Set([
  'model',
  'prompt',
  'n',
  'size',
  'quality',
  'background',
  'moderation',
  'output_format',
  'output_compression',
  'partial_images',
  'response_format',
  'stream',
  'style',
  'user',
  'safety_identifier',
]);

const STANDARD_SIZES = new Set(['auto', '1024x1024', '1536x1024', '1024x1536']);

export async function startFakeOpenAi(options: { apiKey?: string } = {}): Promise<FakeOpenAi> {
  const apiKey = options.apiKey ?? 'sk-fake-openai-key';
  const queue: FakeOpenAiBehaviour[] = [];
  const requests: FakeOpenAiRequest[] = [];

  const sendJson = (
    response: ServerResponse,
    record: FakeOpenAiRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    record.status = status;
    response.writeHead(status, {
      'content-type': 'application/json',
      'x-request-id': `req_${requests.length}`,
      ...headers,
    });
    response.end(JSON.stringify(body));
  };
  const sendError = (
    response: ServerResponse,
    record: FakeOpenAiRequest,
    status: number,
    error: { message: string; type: string; param?: string | null; code: string | null },
    headers: Record<string, string> = {},
  ) => sendJson(response, record, status, { error: { param: null, ...error } }, headers);

  const handle = (request: IncomingMessage, response: ServerResponse, raw: string) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    let body: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = raw.length > 0 ? JSON.parse(raw) : null;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        body = parsed as Record<string, unknown>;
      }
    } catch {
      body = null;
    }
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : null;
    };
    const record: FakeOpenAiRequest = {
      method: request.method ?? '',
      path,
      authorization: header('authorization'),
      idempotencyKey: header('idempotency-key'),
      body,
      status: null,
      clientClosed: false,
    };
    requests.push(record);
    response.on('close', () => {
      if (!response.writableFinished) record.clientClosed = true;
    });

    if (request.method !== 'POST' || path !== '/v1/images/generations') {
      return sendError(response, record, 404, {
        message: `Invalid URL (${request.method} ${path})`,
        type: 'invalid_request_error',
        code: null,
      });
    }
    if (record.authorization !== `Bearer ${apiKey}`) {
      return sendError(response, record, 401, {
        message: 'Incorrect API key provided.',
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      });
    }
    if (body === null || !(header('content-type') ?? '').startsWith('application/json')) {
      return sendError(response, record, 400, {
        message: 'We could not parse the JSON body of your request.',
        type: 'invalid_request_error',
        code: null,
      });
    }
    const invalid = (param: string, message: string) =>
      sendError(response, record, 400, { message, type: 'invalid_request_error', param, code: 'invalid_value' });
    for (const key of Object.keys(body)) {
      if (!KNOWN_PARAMS.has(key)) {
        return sendError(response, record, 400, {
          message: `Unrecognized request argument supplied: ${key}`,
          type: 'invalid_request_error',
          param: key,
          code: 'unknown_parameter',
        });
      }
    }
    if (typeof body.model !== 'string' || body.model.length === 0) return invalid('model', 'model is required.');
    if (typeof body.prompt !== 'string' || body.prompt.length === 0) return invalid('prompt', 'prompt is required.');
    const n = body.n ?? 1;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10) {
      return invalid('n', 'n must be between 1 and 10.');
    }
    const size = body.size ?? 'auto';
    if (typeof size !== 'string' || !(STANDARD_SIZES.has(size) || /^\d+x\d+$/.test(size))) {
      return invalid('size', `Invalid size '${String(size)}'.`);
    }

    const behaviour = queue.shift() ?? { kind: 'success' };
    switch (behaviour.kind) {
      case 'hang':
        return; // never answered; the client's signal or timeout ends it
      case 'unauthorized':
        return sendError(response, record, 401, {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        });
      case 'moderation':
        return sendError(response, record, 400, {
          message:
            'Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID req_fake. safety_violations=[violence].',
          type: 'image_generation_user_error',
          code: 'moderation_blocked',
        });
      case 'rate_limit':
        return sendError(
          response,
          record,
          429,
          { message: 'Rate limit reached for images per minute.', type: 'requests', code: 'rate_limit_exceeded' },
          { 'retry-after': String(behaviour.retryAfterSeconds) },
        );
      case 'server_error':
        return sendError(response, record, 500, {
          message: 'The server had an error processing your request.',
          type: 'server_error',
          code: null,
        });
      case 'success': {
        const outputFormat =
          behaviour.outputFormat ?? (typeof body.output_format === 'string' ? body.output_format : 'png');
        return sendJson(response, record, 200, {
          created: Math.floor(Date.now() / 1000),
          background: 'opaque',
          data: Array.from({ length: behaviour.images ?? n }, () => ({ b64_json: TINY_PNG_BASE64 })),
          output_format: outputFormat,
          quality: 'medium',
          size: size === 'auto' ? '1024x1024' : size,
          usage: { input_tokens: 10, output_tokens: 100 * n, total_tokens: 10 + 100 * n },
        });
      }
    }
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    script: (...behaviours) => {
      queue.push(...behaviours);
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
