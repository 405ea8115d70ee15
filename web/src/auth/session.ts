/**
 * Who is signed in. The API decides what a token may do (from its verified claims and our records);
 * the claims read here only shape the page (hide what a member cannot do, show the Admin entry).
 */
export interface Session {
  readonly sub: string;
  readonly accountId: string;
  readonly role: 'owner' | 'member';
  readonly isAdmin: boolean;
  accessToken(): Promise<string | null>;
}

/** The claims a session shows, decoded from a JWT's payload (not verified: the API verifies). */
/** A JWT's payload, decoded and not verified. */
export function jwtPayload(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
}

export function claimsOf(token: string): { sub: string; accountId: string; role: 'owner' | 'member'; isAdmin: boolean } {
  const json = jwtPayload(token);
  const sub = String(json.sub ?? '');
  const accountId = typeof json.account_id === 'string' ? json.account_id : sub;
  // As the API reads it (lambdas/shared/caller.ts): your own wallet is yours, another is a member's unless the token says owner.
  const role = accountId === sub || json.account_role === 'owner' ? 'owner' : 'member';
  const groups = json['cognito:groups'];
  const isAdmin = Array.isArray(groups) ? groups.includes('admin') : typeof groups === 'string' && groups.split(/[\s,[\]]+/).includes('admin');
  return { sub, accountId, role, isAdmin };
}
