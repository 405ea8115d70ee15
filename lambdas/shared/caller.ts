/**
 * Who is calling, read from the claims the JWT authorizer verified (Cognito in AWS, the local
 * gateway's HS256 check locally). The account always comes from here, never from a body or path.
 */
import { DomainError } from '../domain/errors';
import type { HttpEvent } from './http-route';

/** Who the verified token says is calling, and which wallet it selects; the role on it comes from our records (team.ts). */
export interface Caller {
  readonly userId: string;
  /** The wallet the token selects (`account_id`, default the caller's own); only authorize() says whether they may use it. */
  readonly accountId: string;
  /** In the platform's admin group (issues coupons). */
  readonly isAdmin: boolean;
}

/** A user id (a token's `sub`) and a wallet id: what the API accepts, in tokens and in paths. */
export const USER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@|+-]{0,127}$/;

/** The token's facts. An `account_role` claim is ignored: roles come from membership records alone. */
export function callerFromEvent(event: HttpEvent): Caller {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const userId = claims.sub;
  if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) throw new DomainError('unauthorized', 'A valid bearer token is required.');
  const accountId = claims.account_id ?? userId;
  if (typeof accountId !== 'string' || !USER_ID_PATTERN.test(accountId)) throw new DomainError('unauthorized', 'The token names no valid account.');
  return { userId, accountId, isAdmin: parseGroups(claims['cognito:groups']).includes('admin') };
}

export function assertPlatformAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw new DomainError('forbidden', 'This needs the admin group.');
}

/** API Gateway passes array claims as "[a b]"; tokens may also carry a real array or JSON text. */
export function parseGroups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('[') && text.includes('"')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // Not JSON: fall through to the API Gateway form.
    }
  }
  return text.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
}
