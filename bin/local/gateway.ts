/**
 * A local stand-in for API Gateway HTTP API with a JWT authorizer: it matches `METHOD /path/{template}`
 * routes, verifies HS256 bearer tokens (what Cognito's RS256 tokens are in AWS), builds the payload
 * format 2.0 event the handlers receive in AWS, and calls the handler in-process.
 *
 * Differences from AWS kept on purpose: unknown paths and wrong methods answer in our JSON error
 * envelope (404 route_not_found / 405 method_not_allowed) instead of `{"message":"Not Found"}`, and
 * 401s likewise; issuer and audience are not checked (dev tokens carry none).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, errors, jwtVerify, type JWTPayload } from 'jose';
import type { HttpEvent, HttpRoute } from '../../lambdas/shared/http-route';
import { localLambdaContext } from './lambda-context';
import { TIME_BUDGETS } from '../../lambdas/shared/time-budget';

export interface GatewayRequest {
  readonly method: string;
  /** Path as received, percent-encoded, optionally with `?query`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  /** @default '127.0.0.1' */
  readonly sourceIp?: string;
}

export interface GatewayResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** `Set-Cookie` values from the handler's `cookies`. */
  readonly cookies?: readonly string[];
  /** True when `body` is base64 of a binary payload. */
  readonly isBase64Encoded?: boolean;
}

export type LocalGateway = (request: GatewayRequest) => Promise<GatewayResponse>;

export interface LocalGatewayOptions {
  readonly routes: readonly HttpRoute[];
  /** HS256 secret of the dev tokens (`LOCAL_JWT_SECRET`). */
  readonly jwtSecret: string;
  /** The gateway's clock: token expiry and request times follow it. @default () => new Date() */
  readonly now?: () => Date;
  /** Where handler crashes are reported. @default console.error */
  readonly logError?: (message: string, error: unknown) => void;
  /**
   * The HTTP functions' timeout, as deployed: the handler's context has this much time, and a
   * handler still running at the end is answered as Lambda and API Gateway would (500, their body,
   * not ours). @default TIME_BUDGETS.httpFunctionTimeoutSeconds
   */
  readonly functionTimeoutMs?: number;
}

/** What each dev token may carry; `groups` becomes the `cognito:groups` array claim. */
export interface DevTokenClaims {
  readonly sub: string;
  readonly account_id?: string;
  readonly account_role?: 'owner' | 'member';
  readonly groups?: readonly string[];
  /** @default 3600 */
  readonly expiresInSeconds?: number;
  /** Issue time (use the local clock's now). @default new Date() */
  readonly now?: Date;
}

const JWT_ALGORITHM = 'HS256';
/** What HTTP API answers when its Lambda integration fails (a timeout included): its own body, not our envelope. */
export const AWS_INTEGRATION_FAILURE = { statusCode: 500, body: JSON.stringify({ message: 'Internal Server Error' }) } as const;
const LOCAL_ACCOUNT_ID = '000000000000';
const LOCAL_REGION = 'us-east-1';

// ---------------------------------------------------------------------------------------------------
// Path templates

type SegmentKind = 0 | 1 | 2; // literal, {param}, {proxy+}

export interface PathTemplate {
  readonly template: string;
  /** Path parameters, URL-decoded, when `rawPath` matches; undefined otherwise. Throws URIError on bad %-encoding. */
  match(rawPath: string): Record<string, string> | undefined;
  /** Sort key: literal segments before `{param}` before `{greedy+}`, segment by segment. */
  readonly specificity: readonly SegmentKind[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles an API Gateway path template such as `/v1/generations/{id}` or `/files/{proxy+}`. */
export function compilePathTemplate(template: string): PathTemplate {
  if (!template.startsWith('/')) throw new Error(`Route path must start with '/': ${template}`);
  const names: string[] = [];
  const specificity: SegmentKind[] = [];
  const segments = template.split('/').slice(1);
  const pattern = segments
    .map((segment, index) => {
      const param = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/.exec(segment);
      if (!param) {
        specificity.push(0);
        return escapeRegExp(segment);
      }
      const [, name = '', greedy] = param;
      if (greedy && index !== segments.length - 1) throw new Error(`Greedy parameter must be last: ${template}`);
      names.push(name);
      specificity.push(greedy ? 2 : 1);
      return greedy ? '(.+)' : '([^/]+)';
    })
    .join('/');
  const regex = new RegExp(`^/${pattern}$`);
  return {
    template,
    specificity,
    match(rawPath) {
      const found = regex.exec(rawPath);
      if (!found) return undefined;
      return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]));
    },
  };
}

function compareSpecificity(a: readonly SegmentKind[], b: readonly SegmentKind[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return b.length - a.length;
}

// ---------------------------------------------------------------------------------------------------
// Responses

export function errorResponse(statusCode: number, code: string, message: string, headers: Record<string, string> = {}): GatewayResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ error: { code, message } }),
  };
}

function unauthorized(message: string): GatewayResponse {
  return errorResponse(401, 'unauthorized', message, { 'www-authenticate': 'Bearer' });
}

// ---------------------------------------------------------------------------------------------------
// Tokens

function secretKey(secret: string): Uint8Array {
  if (secret.length === 0) throw new Error('The JWT secret must not be empty');
  return new TextEncoder().encode(secret);
}

/** Signs an HS256 dev token the local gateway accepts (Cognito-like claims). */
export async function signDevToken(secret: string, claims: DevTokenClaims): Promise<string> {
  const { sub, account_id, account_role, groups, expiresInSeconds = 3600, now = new Date() } = claims;
  const issuedAtSeconds = Math.floor(now.getTime() / 1000);
  const payload: JWTPayload = {
    ...(account_id !== undefined && { account_id }),
    ...(account_role !== undefined && { account_role }),
    ...(groups !== undefined && { 'cognito:groups': [...groups] }),
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: JWT_ALGORITHM, typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(issuedAtSeconds)
    .setExpirationTime(issuedAtSeconds + expiresInSeconds)
    .sign(secretKey(secret));
}

/**
 * Claims the way the HTTP API JWT authorizer hands them over (measured against real API Gateway):
 * strings as they are, numbers and booleans as strings, arrays as `[a b]`, nulls left out, nested
 * objects as JSON text.
 */
export function toApiGatewayClaims(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  const render = (value: unknown): string => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));
  for (const [name, value] of Object.entries(payload)) {
    if (value === null || value === undefined) continue;
    claims[name] = Array.isArray(value) ? `[${value.map(render).join(' ')}]` : render(value);
  }
  return claims;
}

type Verification = { ok: true; claims: Record<string, string> } | { ok: false; response: GatewayResponse };

async function verifyBearer(authorization: string | undefined, key: Uint8Array, now: Date): Promise<Verification> {
  // API Gateway takes the token from the Authorization header, with or without the `Bearer ` prefix.
  const token = authorization?.replace(/^Bearer\s+/i, '').trim();
  if (!token) return { ok: false, response: unauthorized('Missing bearer token in the Authorization header') };
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: [JWT_ALGORITHM], currentDate: now, requiredClaims: ['exp'] });
    return { ok: true, claims: toApiGatewayClaims(payload) };
  } catch (error) {
    return { ok: false, response: unauthorized(describeTokenError(error)) };
  }
}

function describeTokenError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'Token has expired';
  if (error instanceof errors.JOSEAlgNotAllowed) return `Token algorithm not allowed (only ${JWT_ALGORITHM})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'Token signature is invalid';
  if (error instanceof errors.JWTClaimValidationFailed) return `Token claim "${error.claim}" is invalid: ${error.message}`;
  return 'Token is malformed';
}

// ---------------------------------------------------------------------------------------------------
// Event

function normalizeHeaders(input: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]},${value}`;
  }
  return headers;
}

function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = parameters[name] === undefined ? value : `${parameters[name]},${value}`;
  }
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time`, e.g. `12/Mar/2020:19:03:58 +0000`. */
function formatRequestTime(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`;
}

// ---------------------------------------------------------------------------------------------------
// Gateway

interface CompiledRoute {
  readonly route: HttpRoute;
  readonly path: PathTemplate;
}

/** The handler's result, or 'timed_out' once the deadline passes (the handler is left to finish, as a killed Lambda's writes may have). */
async function answerBefore<T>(deadlineMs: number, work: Promise<T>): Promise<T | 'timed_out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed_out'>((resolve) => {
    timer = setTimeout(() => resolve('timed_out'), Math.max(0, deadlineMs - Date.now()));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createLocalGateway(options: LocalGatewayOptions): LocalGateway {
  const now = options.now ?? (() => new Date());
  const logError = options.logError ?? ((message, error) => console.error(message, error));
  const functionTimeoutMs = options.functionTimeoutMs ?? TIME_BUDGETS.httpFunctionTimeoutSeconds * 1000;
  const key = secretKey(options.jwtSecret);
  const compiled: CompiledRoute[] = options.routes
    .map((route) => ({ route, path: compilePathTemplate(route.path) }))
    .sort((a, b) => compareSpecificity(a.path.specificity, b.path.specificity));
  const routeKeys = new Set<string>();
  for (const { route } of compiled) {
    const routeKey = `${route.method} ${route.path}`;
    if (routeKeys.has(routeKey)) throw new Error(`Duplicate route: ${routeKey}`);
    routeKeys.add(routeKey);
  }

  return async function handle(request) {
    const requestId = randomUUID();
    const method = request.method.toUpperCase();
    const queryStart = request.path.indexOf('?');
    const rawPath = queryStart === -1 ? request.path : request.path.slice(0, queryStart);
    const rawQueryString = queryStart === -1 ? '' : request.path.slice(queryStart + 1);

    // 1. Route: the most specific template for this method; a path known only under other methods is a 405.
    let selected: { route: HttpRoute; pathParameters: Record<string, string> } | undefined;
    const allowed = new Set<string>();
    try {
      for (const { route, path } of compiled) {
        const pathParameters = path.match(rawPath);
        if (!pathParameters) continue;
        if (route.method !== method) {
          allowed.add(route.method);
          continue;
        }
        selected = { route, pathParameters };
        break;
      }
    } catch {
      return errorResponse(400, 'invalid_request', `Malformed percent-encoding in path ${rawPath}`);
    }
    if (!selected) {
      if (allowed.size > 0) {
        return errorResponse(405, 'method_not_allowed', `${method} is not allowed on ${rawPath}`, { allow: [...allowed].join(', ') });
      }
      return errorResponse(404, 'route_not_found', `No route for ${method} ${rawPath}`);
    }
    const { route, pathParameters } = selected;

    // 2. Authorize: JWT routes never reach the handler without a valid token (checked on the gateway's clock).
    const requestTime = now();
    const headers = normalizeHeaders(request.headers);
    let authorizer: HttpEvent['requestContext']['authorizer'] | undefined;
    if (route.auth === 'jwt') {
      const verification = await verifyBearer(headers.authorization, key, requestTime);
      if (!verification.ok) return verification.response;
      authorizer = { principalId: '', integrationLatency: 0, jwt: { claims: verification.claims, scopes: null } };
    }

    // 3. Build the payload format 2.0 event.
    const sourceIp = request.sourceIp ?? '127.0.0.1';
    const cookies = headers.cookie?.split(';').map((c) => c.trim()).filter((c) => c.length > 0);
    delete headers.cookie;
    headers['x-forwarded-for'] ??= sourceIp;
    headers['x-forwarded-proto'] ??= 'http';
    headers['x-amzn-trace-id'] ??= `Root=1-${Math.floor(requestTime.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const host = headers.host ?? 'localhost';
    const routeKey = `${route.method} ${route.path}`;
    const event = {
      version: '2.0',
      routeKey,
      rawPath,
      rawQueryString,
      ...(cookies && cookies.length > 0 && { cookies }),
      headers,
      queryStringParameters: parseQuery(rawQueryString),
      pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : undefined,
      body: request.body === undefined || request.body === '' ? undefined : request.body,
      isBase64Encoded: false,
      requestContext: {
        accountId: LOCAL_ACCOUNT_ID,
        apiId: 'local',
        domainName: host,
        domainPrefix: host.split('.')[0] ?? host,
        http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp, userAgent: headers['user-agent'] ?? '' },
        requestId,
        routeKey,
        stage: '$default',
        time: formatRequestTime(requestTime),
        timeEpoch: requestTime.getTime(),
        // Routes without an authorizer get no `authorizer` in AWS either.
        ...(authorizer && { authorizer }),
      },
    } as HttpEvent;

    // 4. Invoke; a crash or a malformed result becomes a 500 in our error envelope.
    try {
      const deadlineMs = Date.now() + functionTimeoutMs;
      const context = localLambdaContext({ functionName: route.functionName, region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID, deadlineMs, requestId, invoker: 'local gateway' });
      const result = await answerBefore(deadlineMs, route.handler(event, context));
      if (result === 'timed_out') {
        logError(`${routeKey} timed out after ${functionTimeoutMs} ms (Lambda would kill it; API Gateway answers 500)`, null);
        return { statusCode: AWS_INTEGRATION_FAILURE.statusCode, headers: { 'apigw-requestid': requestId, 'content-type': 'application/json' }, body: AWS_INTEGRATION_FAILURE.body };
      }
      if (!result || typeof result.statusCode !== 'number' || typeof result.body !== 'string') {
        throw new Error(`Handler of ${routeKey} returned no { statusCode: number, body: string }`);
      }
      const responseHeaders: Record<string, string> = { 'apigw-requestid': requestId };
      for (const [name, value] of Object.entries(result.headers ?? {})) responseHeaders[name.toLowerCase()] = String(value);
      return {
        statusCode: result.statusCode,
        headers: responseHeaders,
        body: result.body,
        ...(result.cookies && result.cookies.length > 0 && { cookies: result.cookies }),
        ...(result.isBase64Encoded && { isBase64Encoded: true }),
      };
    } catch (error) {
      logError(`[local gateway] ${routeKey} (request ${requestId}) failed:`, error);
      return errorResponse(500, 'internal_error', 'Internal server error', { 'apigw-requestid': requestId });
    }
  };
}
