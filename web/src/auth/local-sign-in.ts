/**
 * Local stack only: dev users signed by POST /_local/token (never deployed). The token is kept for the
 * browser tab (sessionStorage) so a reload stays signed in; in AWS tokens stay in memory (cognito.ts).
 */
import { claimsOf, jwtPayload, type Session } from './session';

export type DevUser = 'owner' | 'member' | 'admin';

const STORAGE_KEY = 'banana-flow-local-token';
export const WALLET_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

function claimsFor(user: DevUser, wallet: string): Record<string, unknown> {
  if (user === 'admin') return { sub: 'dev-admin', account_id: 'acct_admin', account_role: 'owner', groups: ['admin'] };
  return { sub: `${wallet}-${user}`, account_id: wallet, account_role: user };
}

function sessionFrom(token: string): Session {
  return { ...claimsOf(token), accessToken: async () => token };
}

export async function signInLocally(user: DevUser, wallet: string): Promise<Session> {
  if (!WALLET_PATTERN.test(wallet)) throw new Error('A wallet is 1 to 40 letters, digits, "-" or "_".');
  const response = await fetch('/_local/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...claimsFor(user, wallet), expiresInSeconds: 12 * 3600 }),
  });
  if (!response.ok) throw new Error(`The local stack refused to sign you in (HTTP ${response.status}).`);
  const { token } = (await response.json()) as { token: string };
  sessionStorage.setItem(STORAGE_KEY, token);
  return sessionFrom(token);
}

export function restoreLocalSession(): Session | null {
  const token = sessionStorage.getItem(STORAGE_KEY);
  if (!token) return null;
  try {
    const { exp } = jwtPayload(token);
    if (typeof exp === 'number' && exp * 1000 < Date.now()) throw new Error('expired');
    return sessionFrom(token);
  } catch {
    sessionStorage.removeItem(STORAGE_KEY);
    return null;
  }
}

export function signOutLocally(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
