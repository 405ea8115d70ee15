/**
 * AWS: Cognito's managed login, authorization code + PKCE (S256). Tokens live in memory only (a
 * reload signs in again through Cognito's own session, without a password prompt while it lasts);
 * only the PKCE verifier and state cross the redirect, in sessionStorage, and are removed on return.
 * The access token is refreshed a minute before it expires.
 *
 * Joining a team from the sign-in page: the invite code rides along with the PKCE state; on return the
 * person joins with their own token, then the tokens are refreshed so the pool's pre-token trigger
 * writes `account_id` (the joined wallet) into the new ones.
 */
import { joinTeam } from './join-team';
import { claimsOf, type Session } from './session';

export interface CognitoSettings {
  readonly domain: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

interface Tokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAtMs: number;
}

const PENDING_KEY = 'banana-flow-pkce';
const INVITE_KEY = 'banana-flow-invite-code';
const REFRESH_MARGIN_MS = 60_000;

const redirectUri = () => `${window.location.origin}/`;

function base64Url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The next sign-in also joins the team this invite code leads to. */
export function joinOnSignIn(inviteCode: string): void {
  sessionStorage.setItem(INVITE_KEY, inviteCode.trim());
}

export async function startCognitoSignIn(settings: CognitoSettings): Promise<void> {
  const verifier = randomString();
  const state = randomString();
  const inviteCode = sessionStorage.getItem(INVITE_KEY);
  sessionStorage.removeItem(INVITE_KEY);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo: window.location.pathname, inviteCode }));
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
    scope: settings.scopes.join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  window.location.assign(`${settings.domain}/oauth2/authorize?${query}`);
}

async function tokenRequest(settings: CognitoSettings, form: Record<string, string>): Promise<Tokens> {
  const response = await fetch(`${settings.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: settings.clientId, ...form }),
  });
  if (!response.ok) throw new Error(`Sign-in failed (HTTP ${response.status}). Please sign in again.`);
  const body = (await response.json()) as { access_token: string; refresh_token?: string; expires_in: number };
  return { accessToken: body.access_token, refreshToken: body.refresh_token ?? form.refresh_token ?? null, expiresAtMs: Date.now() + body.expires_in * 1000 };
}

/** On return from the managed login (`?code=…&state=…`): exchanges the code; null when this is not a return. */
export async function completeCognitoSignIn(settings: CognitoSettings): Promise<{ session: Session; returnTo: string } | null> {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('code');
  const pendingText = sessionStorage.getItem(PENDING_KEY);
  if (!code || !pendingText) return null;
  sessionStorage.removeItem(PENDING_KEY);
  const pending = JSON.parse(pendingText) as { verifier: string; state: string; returnTo: string; inviteCode?: string | null };
  window.history.replaceState(null, '', '/');
  if (params.get('state') !== pending.state) throw new Error('The sign-in answer did not match this browser tab. Please sign in again.');
  let tokens = await tokenRequest(settings, { grant_type: 'authorization_code', code, redirect_uri: redirectUri(), code_verifier: pending.verifier });
  if (pending.inviteCode) tokens = await joinAndRefresh(settings, tokens, pending.inviteCode);
  let refreshing: Promise<Tokens> | null = null;
  const session: Session = {
    ...claimsOf(tokens.accessToken),
    async accessToken() {
      if (Date.now() < tokens.expiresAtMs - REFRESH_MARGIN_MS) return tokens.accessToken;
      if (!tokens.refreshToken) return null;
      refreshing ??= tokenRequest(settings, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken }).finally(() => (refreshing = null));
      tokens = await refreshing;
      return tokens.accessToken;
    },
  };
  return { session, returnTo: pending.returnTo.startsWith('/') ? pending.returnTo : '/' };
}

/** Joins with the person's own token, then refreshes: the pre-token trigger puts the joined wallet in the new tokens. */
async function joinAndRefresh(settings: CognitoSettings, tokens: Tokens, inviteCode: string): Promise<Tokens> {
  let joined;
  try {
    joined = await joinTeam(tokens.accessToken, inviteCode);
  } catch (error) {
    throw new Error(`Joining the team failed: ${error instanceof Error ? error.message : 'the service did not answer.'} Sign in again to continue without joining.`, { cause: error });
  }
  if (!tokens.refreshToken) throw new Error('You joined the team. Sign in again to use its wallet.');
  const refreshed = await tokenRequest(settings, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
  if (claimsOf(refreshed.accessToken).accountId !== joined.accountId) throw new Error("You joined the team, but your sign-in does not name its wallet yet (the user pool's pre-token trigger adds it). Sign in again.");
  return refreshed;
}

/** Ends the Cognito session too, then comes back to the app signed out. */
export function cognitoSignOut(settings: CognitoSettings): void {
  const query = new URLSearchParams({ client_id: settings.clientId, logout_uri: redirectUri() });
  window.location.assign(`${settings.domain}/logout?${query}`);
}
