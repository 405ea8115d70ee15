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

/** A JWT's payload, decoded and not verified. */
export function jwtPayload(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
}

/** The claims a session shows, decoded from a JWT's payload (not verified: the API verifies). */
export function claimsOf(token: string): { sub: string; accountId: string; role: 'owner' | 'member'; isAdmin: boolean } {
  const json = jwtPayload(token);
  const sub = String(json.sub ?? '');
  const accountId = typeof json.account_id === 'string' ? json.account_id : sub;
  // As the API reads it (domain/team.ts): a wallet's owner is the user whose id it is; on anyone
  // else's wallet the caller is a member (an admin member manages the team, never the plan or cards).
  const role = accountId === sub ? 'owner' : 'member';
  const groups = json['cognito:groups'];
  const isAdmin = Array.isArray(groups) ? groups.includes('admin') : typeof groups === 'string' && groups.split(/[\s,[\]]+/).includes('admin');
  return { sub, accountId, role, isAdmin };
}
