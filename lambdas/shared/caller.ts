/**
 * Who is calling, read from the claims the JWT authorizer verified (Cognito in AWS, the local
 * gateway's HS256 check locally). The account always comes from here, never from a body or path.
 */
import { DomainError } from '../domain/errors';
import type { HttpEvent } from './http-route';

export type AccountRole = 'owner' | 'member';

export interface Caller {
  readonly userId: string;
  readonly accountId: string;
  readonly role: AccountRole;
  readonly isAdmin: boolean;
}

export type AccessRule = 'account' | 'owner' | 'admin';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@|+-]{0,127}$/;

export function callerFromEvent(event: HttpEvent): Caller {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const userId = claims.sub;
  if (typeof userId !== 'string' || !ID_PATTERN.test(userId)) throw new DomainError('unauthorized', 'A valid bearer token is required.');
  const accountId = claims.account_id ?? userId;
  if (typeof accountId !== 'string' || !ID_PATTERN.test(accountId)) throw new DomainError('unauthorized', 'The token names no valid account.');
  const roleClaim = claims.account_role ?? 'owner';
  if (roleClaim !== 'owner' && roleClaim !== 'member') throw new DomainError('unauthorized', 'The token has an unknown account role.');
  return { userId, accountId, role: roleClaim, isAdmin: parseGroups(claims['cognito:groups']).includes('admin') };
}

export function assertAccess(caller: Caller, rule: AccessRule): void {
  if (rule === 'owner' && caller.role !== 'owner') throw new DomainError('forbidden', "Only the account's owner can do this.");
  if (rule === 'admin' && !caller.isAdmin) throw new DomainError('forbidden', 'This needs the admin group.');
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
