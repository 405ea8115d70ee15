/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route table and the contract's zod
 * schemas by zod-openapi. Only `npm run openapi` (scripts/openapi.ts) and the tests call this: the
 * Lambda serving GET /v1/openapi.json returns the committed docs/openapi.json, so zod-openapi is a
 * dev dependency and never bundled.
 */
import * as z from 'zod';
import { createDocument } from 'zod-openapi';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponseObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import type { ErrorCode } from '../domain/errors';
import { HTTP_ROUTES } from '../handlers/http/routes';
import { STATUS_BY_CODE } from '../shared/http-errors';
import type { OperationContract, Security } from './operations';
import { IdempotencyKey, OPERATIONS, errorCodesOf } from './operations';
import { ErrorEnvelope } from './responses';

export const OPENAPI_TITLE = 'Banana Flow Credits API';

const SECURITY: Record<Security, Array<Record<string, string[]>>> = {
  none: [],
  account: [{ bearerJwt: [] }],
  manager: [{ bearerJwt: [] }],
  owner: [{ bearerJwt: [] }],
  'signed-in': [{ bearerJwt: [] }],
  // OpenAPI 3.1 lets a non-OAuth scheme list the roles it needs: the `cognito:groups` claim must hold `admin`.
  admin: [{ bearerJwt: ['admin'] }],
  'stripe-signature': [{ stripeSignature: [] }],
};

/** The error envelope narrowed to the codes one status of one operation can answer. */
function errorResponse(codes: ErrorCode[]) {
  const schema = z.object({
    error: z.object({ code: z.enum(codes as [ErrorCode, ...ErrorCode[]]), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
  });
  // too_many_attempts names when to come back (lambdas/shared/http-errors.ts: details.retryAfterSeconds → Retry-After).
  const headers = codes.includes('too_many_attempts') ? { headers: z.object({ 'Retry-After': z.string().regex(/^[0-9]+$/).meta({ description: 'Seconds to wait before trying again (too_many_attempts).' }) }) } : {};
  return { description: `Error: ${codes.map((c) => `\`${c}\``).join(', ')}`, ...headers, content: { 'application/json': { schema } } };
}

/**
 * What API Gateway answers itself, before or instead of the function, in its own `{ message }` shape:
 * the JWT authorizer's 401, throttling's 429, a function that crashed or ran out of time (500), an
 * integration timeout (503). Clients must read both shapes at these statuses.
 */
const GatewayMessage = z.object({ message: z.string() }).meta({ id: 'GatewayMessage', description: "API Gateway's own answer (authorizer 401, throttling 429, function failure 500, timeout 503).", example: { message: 'Too Many Requests' } });
const GATEWAY_STATUSES: Readonly<Record<number, string>> = { 401: 'Unauthorized', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

function withGatewayAnswer(status: number, response: ZodOpenApiResponseObject | undefined): ZodOpenApiResponseObject {
  const gatewayText = `API Gateway's own \`{"message":"${GATEWAY_STATUSES[status]}"}\``;
  if (!response) return { description: gatewayText, content: { 'application/json': { schema: GatewayMessage } } };
  const envelope = (response.content as Record<string, { schema: z.ZodType }>)['application/json']!.schema;
  return { ...response, description: `${response.description}; or ${gatewayText}`, content: { 'application/json': { schema: z.union([envelope, GatewayMessage]) } } };
}

function responsesOf(op: OperationContract): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(op)) {
    const status = STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const success: ZodOpenApiResponseObject = op.success.status === 204 ? { description: op.success.description } : { description: op.success.description, content: { 'application/json': { schema: op.success.schema } } };
  const responses: Record<string, ZodOpenApiResponseObject> = { [String(op.success.status)]: success };
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) responses[String(status)] = errorResponse(codes.sort());
  const signedIn = op.security !== 'none' && op.security !== 'stripe-signature';
  for (const status of [401, 429, 500, 503]) {
    if (status === 401 && !signedIn) continue;
    responses[String(status)] = withGatewayAnswer(status, responses[String(status)]);
  }
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))) as ZodOpenApiResponsesObject;
}

function operationOf(op: OperationContract): ZodOpenApiOperationObject {
  const header = op.idempotencyKey ? z.object({ 'Idempotency-Key': IdempotencyKey }) : undefined;
  const stripeHeader = op.security === 'stripe-signature' ? z.object({ 'Stripe-Signature': z.string().meta({ description: 'Stripe\'s signature of the raw body.' }) }) : undefined;
  const requestHeader = header ?? stripeHeader;
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [...op.tags],
    security: SECURITY[op.security],
    ...(op.query || op.path || requestHeader ? { requestParams: { ...(op.query ? { query: op.query } : {}), ...(op.path ? { path: op.path } : {}), ...(requestHeader ? { header: requestHeader } : {}) } } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
    responses: responsesOf(op),
  };
}

/** The route table's key for an operation: `METHOD path`. */
export const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

export function buildOpenApiDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of HTTP_ROUTES) {
    const op = OPERATIONS[routeKey(route)];
    if (!op) throw new Error(`no contract for ${routeKey(route)} (add it to lambdas/contract/operations.ts)`);
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
    paths[route.path] = { ...paths[route.path], [method]: operationOf(op) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: OPENAPI_TITLE,
      version: '1.0.0',
      description:
        'Credits and billing of Banana Flow: one pooled credit balance per account, its ledger, generations paid when accepted, coupons, top-ups, subscriptions, auto-refill and pay-as-you-go. Every error answers the `Error` envelope.',
    },
    servers: [{ url: '/', description: 'The same origin as the app' }],
    security: [],
    paths,
    components: {
      securitySchemes: {
        bearerJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Cognito ID token: `sub`, `account_id` (selects the wallet, defaults to `sub`: the caller must be an active member of it, else 403 `not_a_member`; the role comes from the team records, never from the token), `cognito:groups` (`admin` for /v1/admin/*).' },
        stripeSignature: { type: 'apiKey', in: 'header', name: 'Stripe-Signature', description: 'Stripe\'s HMAC signature of the raw body with the endpoint\'s webhook secret.' },
      },
      schemas: { Error: ErrorEnvelope },
    },
  });
}

/** The committed form: two-space JSON with a final newline. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

/** Where the served copy lives (relative to the repository root). */
export const OPENAPI_MODULE_PATH = 'lambdas/handlers/http/openapi-document.generated.ts';

/** The served copy: the same document as one compact JSON string (cheap for tsc and esbuild). */
export function renderOpenApiModule(): string {
  return [
    '// Generated by `npm run openapi` from lambdas/contract: do not edit (test/unit/openapi-document.test.ts checks it).',
    `export const OPENAPI_JSON = ${JSON.stringify(JSON.stringify(buildOpenApiDocument()))};`,
    '',
  ].join('\n');
}
