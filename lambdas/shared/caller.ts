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
  const roleClaim = claims.account_role;
  if (roleClaim !== undefined && roleClaim !== 'owner' && roleClaim !== 'member') throw new DomainError('unauthorized', 'The token has an unknown account role.');
  return { userId, accountId, role: roleOnWallet(userId, accountId, roleClaim), isAdmin: parseGroups(claims['cognito:groups']).includes('admin') };
}

/**
 * The caller's role on the wallet the token names; never owner by default. The caller's own wallet
 * (account_id absent or equal to sub) is theirs: owner. Another wallet is a member's unless the
 * token says `account_role: owner`: that claim is written only by our own pre-token-generation
 * trigger in Cognito (a trusted issuer, from attributes users cannot write), so it is honoured.
 * Issue 13 replaces the claim by team membership records this service keeps; until then a token
 * that names someone else's wallet and says nothing (or `member`) can read it, not spend from it.
 */
export function roleOnWallet(userId: string, accountId: string, roleClaim: AccountRole | undefined): AccountRole {
  if (accountId === userId) return 'owner';
  return roleClaim === 'owner' ? 'owner' : 'member';
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
