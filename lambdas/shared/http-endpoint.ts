/**
 * The middy stack every HTTP handler shares: header normalisation, request-scoped log keys, caller
 * and access check, JSON body and query parsing with zod (unknown fields refused), and one error
 * envelope. Handlers only describe their input and call one use case.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { DomainError } from '../domain/errors';
import type { Account } from '../domain/account';
import type { TeamAccessRule, TeamRole } from '../domain/team';
import { authorize } from '../domain/team';
import type { Caller } from './caller';
import { assertPlatformAdmin, callerFromEvent } from './caller';
import { errorResult, jsonResult } from './http-errors';
import type { HttpEvent, HttpHandler, HttpResult } from './http-route';
import { runWithLogKeys } from './logger';
import { remainingTimeOf, runWithDeadline } from './time-budget';

/** Request bodies are small JSON documents; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Stripe's events: Stripe publishes no maximum, and an event embeds one API object whose lists are
 * truncated (an invoice's first lines, `has_more`), so real ones are tens of KiB. A refused event is
 * retried for days and can get the endpoint disabled, so the webhook takes up to 1 MiB: far above
 * any real event, the local server's cap, and well under Lambda's 6 MB request limit once API
 * Gateway has base64-encoded it.
 */
export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;

/** Reads the wallet a team rule is checked against (strongly consistent: a removal counts at once). */
export interface AccountReader {
  loadAccount(accountId: string): Promise<Account | null>;
}

/**
 * Who may call: nobody in particular ('public'); the platform's admin group ('admin'); a role on the
 * selected wallet, checked here by authorize() (team.ts) against the wallet as read now (none for
 * the caller's own wallet); or any verified caller ('token'), for routes whose use case authorizes
 * against its own read (a debit checks membership and cap in its one transaction; a join has no
 * wallet yet).
 */
export type EndpointAccess = 'public' | 'admin' | 'token' | { readonly team: TeamAccessRule; readonly accounts: AccountReader };

export interface EndpointSpec<B extends z.ZodType, Q extends z.ZodType> {
  readonly access: EndpointAccess;
  readonly body?: B;
  readonly query?: Q;
  /** @default MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
}

export interface EndpointRequest<B, Q> {
  readonly caller: Caller;
  /** The caller's role on the selected wallet, when the route's access is a team rule. */
  readonly role: TeamRole | null;
  readonly body: B;
  readonly query: Q;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received (signature checks need the raw bytes, not re-serialized JSON). */
  readonly rawBody: string;
}

export interface EndpointResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

const ANONYMOUS: Caller = { userId: 'anonymous', accountId: 'anonymous', isAdmin: false };

/** The one place a route's access is enforced; the role on a wallet comes from authorize(). */
async function admit(access: EndpointAccess, event: HttpEvent): Promise<{ caller: Caller; role: TeamRole | null }> {
  if (access === 'public') return { caller: ANONYMOUS, role: null };
  const caller = callerFromEvent(event);
  if (access === 'admin') assertPlatformAdmin(caller);
  if (access === 'admin' || access === 'token') return { caller, role: null };
  const account = caller.accountId === caller.userId ? null : await access.accounts.loadAccount(caller.accountId);
  return { caller, role: authorize(account, caller, access.team) };
}

export function httpEndpoint<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined>(
  spec: EndpointSpec<B, Q>,
  run: (request: EndpointRequest<z.infer<B>, z.infer<Q>>) => Promise<EndpointResponse>,
): HttpHandler {
  const base = async (event: HttpEvent, context: Context | undefined): Promise<HttpResult> => {
    const requestId = event.requestContext?.requestId;
    return runWithDeadline(remainingTimeOf(context), () => runWithLogKeys({ requestId }, async () => {
      try {
        const { caller, role } = await admit(spec.access, event);
        return await runWithLogKeys({ requestId, accountId: spec.access === 'public' ? undefined : caller.accountId }, async () => {
          // Without a schema the value is undefined, which is exactly z.infer<ZodUndefined>.
          const maxBodyBytes = spec.maxBodyBytes ?? MAX_BODY_BYTES;
          const body = (spec.body ? parseWith(spec.body, readJsonBody(event, maxBodyBytes), 'body') : undefined) as z.infer<B>;
          const query = (spec.query ? parseWith(spec.query, event.queryStringParameters ?? {}, 'query') : undefined) as z.infer<Q>;
          const response = await run({ caller, role, body, query, pathParameters: event.pathParameters ?? {}, headers: event.headers ?? {}, rawBody: rawBodyOf(event, maxBodyBytes) });
          // 204 has no body at all (not even `null`).
          if (response.statusCode === 204) return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
          return jsonResult(response.statusCode, response.body);
        });
      } catch (error) {
        return errorResult(error);
      }
    }));
  };
  const handler = middy<HttpEvent, HttpResult, Error, Context>(base).use(httpHeaderNormalizer());
  return (event, context) => handler(event, context);
}

function rawBodyOf(event: HttpEvent, maxBodyBytes: number): string {
  const raw = event.body === undefined || event.body === null ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > maxBodyBytes) throw new DomainError('payload_too_large', `Request bodies are limited to ${maxBodyBytes} bytes.`);
  return raw;
}

function readJsonBody(event: HttpEvent, maxBodyBytes: number): unknown {
  const raw = rawBodyOf(event, maxBodyBytes);
  const contentType = event.headers?.['content-type'];
  if (contentType && !/^application\/json\b/i.test(contentType)) throw new DomainError('unsupported_media_type', 'Send the body as application/json.');
  if (raw.trim() === '') throw new DomainError('invalid_json', 'A JSON body is required.');
  try {
    return JSON.parse(raw);
  } catch {
    throw new DomainError('invalid_json', 'The body is not valid JSON.');
  }
}

function parseWith<T extends z.ZodType>(schema: T, input: unknown, where: 'body' | 'query'): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new DomainError('invalid_request', `The ${where} is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}

/** A route open to a role on the selected wallet, checked against the wallet read from `accounts`. */
export const teamAccess = (team: TeamAccessRule, accounts: AccountReader): EndpointAccess => ({ team, accounts });
