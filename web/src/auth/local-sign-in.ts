/**
 * Local stack only: dev users signed by POST /_local/token (never deployed). The token is kept for the
 * browser tab (sessionStorage) so a reload stays signed in; in AWS tokens stay in memory (cognito.ts).
 *
 * The dev users are real: the owner is the user whose id is the wallet; the member is
 * `<wallet>-member`, made an active member of the wallet by POST /_local/dev-team (on a plan with
 * seats, through the real invite and join) before its token is minted; the admin is `dev-admin` (the
 * admin group) on its own wallet. A person with an invite code joins as the user named by the wallet
 * field, then signs in with a token selecting the wallet they joined.
 */
import { joinTeam } from './join-team';
import { claimsOf, jwtPayload, type Session } from './session';

export type DevUser = 'owner' | 'member' | 'admin' | { readonly inviteCode: string };

const STORAGE_KEY = 'banana-flow-local-token';
/** A wallet id that is also a valid user id (its owner's): starts with a letter or digit. */
export const WALLET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const TOKEN_SECONDS = 12 * 3600;

function sessionFrom(token: string): Session {
  return { ...claimsOf(token), accessToken: async () => token };
}

async function localPost<T>(path: string, body: unknown, refused: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw new Error('The local stack could not be reached. Is npm start running?');
  }
  const answer = (await response.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
  if (!response.ok || !answer) throw new Error(`${refused}${answer?.error?.message ? `: ${answer.error.message}` : ` (HTTP ${response.status}).`}`);
  return answer;
}

async function mint(claims: { sub: string; account_id?: string; groups?: string[] }): Promise<string> {
  const { token } = await localPost<{ token: string }>('/_local/token', { ...claims, expiresInSeconds: TOKEN_SECONDS }, 'The local stack refused to sign you in');
  return token;
}

async function tokenFor(user: DevUser, wallet: string): Promise<string> {
  if (user === 'admin') return mint({ sub: 'dev-admin', groups: ['admin'] });
  if (user === 'owner') return mint({ sub: wallet });
  if (user === 'member') {
    const team = await localPost<{ member: string }>('/_local/dev-team', { wallet }, `The local stack could not make ${wallet}-member a member of ${wallet}`);
    return mint({ sub: team.member, account_id: wallet });
  }
  // Joining: as yourself (your own wallet's owner), then a token selecting the wallet you joined.
  const own = await mint({ sub: wallet });
  const joined = await joinTeam(own, user.inviteCode);
  return mint({ sub: wallet, account_id: joined.accountId });
}

export async function signInLocally(user: DevUser, wallet: string): Promise<Session> {
  if (!WALLET_PATTERN.test(wallet)) throw new Error('A wallet is 1 to 40 letters, digits, "-" or "_", starting with a letter or digit.');
  const token = await tokenFor(user, wallet);
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
