/**
 * The local stack's HTTP front door: a node:http server that reads each request (1 MiB at most, as
 * a guard), offers it to the local-only control routes first, and hands everything else to the gateway.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import type { StaticSite } from './static-site';
import { compilePathTemplate, errorResponse, type GatewayRequest, type GatewayResponse, type LocalGateway, type PathTemplate } from './gateway';

export const MAX_BODY_BYTES = 1024 * 1024;

/** What a control route handler gets: the request plus its path parameters and parsed query. */
export interface ControlRequest extends GatewayRequest {
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

/**
 * A local-only route served before the gateway, with no authorizer (e.g. `POST /_local/clock`).
 * Throw a `ControlRouteError` to answer with an error; other throws become a 500.
 */
export interface ControlRoute {
  readonly method: string;
  /** Path template, like the gateway's: `/_local/jobs/{name}`. */
  readonly path: string;
  handle(request: ControlRequest): Promise<{ readonly statusCode: number; readonly body: unknown }>;
}

export class ControlRouteError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ControlRouteError';
  }
}

/**
 * A control route's JSON body, checked against `schema` (use strict objects: unknown fields are
 * refused, as on the API). An empty body reads as `{}`. Bad JSON or a bad shape is a 400 invalid_request.
 */
export function parseControlBody<T>(request: Pick<ControlRequest, 'body'>, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = request.body ? JSON.parse(request.body) : {};
  } catch {
    throw new ControlRouteError(400, 'invalid_request', 'Body must be JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ControlRouteError(400, 'invalid_request', z.prettifyError(parsed.error).replace(/\n/g, ' '));
  }
  return parsed.data;
}

export interface LocalHttpServerOptions {
  readonly gateway: LocalGateway;
  readonly controlRoutes?: readonly ControlRoute[];
  /** @default MAX_BODY_BYTES (1 MiB) */
  readonly maxBodyBytes?: number;
  /** The web app's files, tried after the control routes and before the gateway. */
  readonly staticSite?: StaticSite;
}

class PayloadTooLargeError extends Error {}

function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new PayloadTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.removeAllListeners('data');
        request.resume(); // drain the rest so the client can read our 413
        reject(new PayloadTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Headers as received, duplicates joined with commas (what API Gateway does). */
function collectHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    const value = raw[i + 1] ?? '';
    if (name === 'cookie') headers[name] = headers[name] === undefined ? value : `${headers[name]}; ${value}`;
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
}

function writeResponse(response: ServerResponse, result: GatewayResponse): void {
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  response.statusCode = result.statusCode;
  for (const [name, value] of Object.entries(result.headers)) response.setHeader(name, value);
  if (result.cookies && result.cookies.length > 0) response.setHeader('set-cookie', [...result.cookies]);
  response.setHeader('content-length', body.length);
  response.end(body);
}

function jsonResponse(statusCode: number, body: unknown): GatewayResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function createLocalHttpServer(options: LocalHttpServerOptions): Server {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const controlRoutes = (options.controlRoutes ?? []).map((route) => ({ route, path: compilePathTemplate(route.path) }));

  async function dispatch(request: GatewayRequest): Promise<GatewayResponse> {
    const queryStart = request.path.indexOf('?');
    const rawPath = queryStart === -1 ? request.path : request.path.slice(0, queryStart);
    const control = matchControlRoute(controlRoutes, request.method, rawPath);
    if (!control) return (await options.staticSite?.(request.method.toUpperCase(), rawPath)) ?? options.gateway(request);
    try {
      const query = new URLSearchParams(queryStart === -1 ? '' : request.path.slice(queryStart + 1));
      const result = await control.route.handle({ ...request, pathParameters: control.pathParameters, query });
      return jsonResponse(result.statusCode, result.body);
    } catch (error) {
      if (error instanceof ControlRouteError) return errorResponse(error.statusCode, error.code, error.message);
      console.error(`[local] ${request.method} ${rawPath} failed:`, error);
      return errorResponse(500, 'internal_error', 'Internal server error');
    }
  }

  return createServer((request, response) => {
    void (async () => {
      let result: GatewayResponse;
      try {
        const body = await readBody(request, maxBodyBytes);
        result = await dispatch({
          method: request.method ?? 'GET',
          path: request.url ?? '/',
          headers: collectHeaders(request),
          body,
          sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, ''),
        });
      } catch (error) {
        if (error instanceof PayloadTooLargeError) {
          result = errorResponse(413, 'payload_too_large', `Request body exceeds ${maxBodyBytes} bytes`, { connection: 'close' });
        } else {
          console.error('[local] request failed:', error);
          result = errorResponse(500, 'internal_error', 'Internal server error');
        }
      }
      if (!response.headersSent && !response.destroyed) writeResponse(response, result);
    })();
  });
}

function matchControlRoute(
  routes: readonly { route: ControlRoute; path: PathTemplate }[],
  method: string,
  rawPath: string,
): { route: ControlRoute; pathParameters: Record<string, string> } | undefined {
  for (const { route, path } of routes) {
    if (route.method !== method.toUpperCase()) continue;
    try {
      const pathParameters = path.match(rawPath);
      if (pathParameters) return { route, pathParameters };
    } catch {
      // malformed %-encoding: leave it to the gateway's 400
    }
  }
  return undefined;
}

/** Starts listening and resolves with the bound address. */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops accepting connections, drops idle keep-alive ones, and resolves once the server is closed. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeIdleConnections();
    // Requests still in flight get a moment to finish, then their connections go too.
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}
