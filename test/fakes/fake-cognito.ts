/**
 * A stand-in for Cognito's managed login, strict where the web app could get it wrong: the authorize
 * endpoint requires response_type=code, the client id, the exact redirect URI and an S256 PKCE
 * challenge; the token endpoint exchanges a code once, only with the verifier that hashes to that
 * challenge, and refreshes with the refresh token it issued; /logout requires the client id and sends
 * the browser to the logout URI. Access tokens are HS256, signed with the local stack's dev secret, so
 * the local gateway accepts them as it would Cognito's in AWS. Short token lifetimes make the app refresh.
 * `accountIdOf` stands in for the pool's pre-token-generation trigger: asked at every token issue
 * (sign-in and refresh), it names the wallet the user is an active member of, written as `account_id`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signDevToken } from '../../bin/local/gateway';

export interface FakeCognitoOptions {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly jwtSecret: string;
  readonly sub: string;
  /** What the token endpoint says in expires_in (the app refreshes a minute before). */
  readonly expiresInSeconds: number;
  /** The pre-token trigger: the wallet to put in `account_id` (none: the user's own). */
  readonly accountIdOf?: (sub: string) => Promise<string | undefined>;
}

export interface FakeCognito {
  readonly url: string;
  /** Every grant the token endpoint accepted or refused, in order. */
  readonly grants: Array<{ grantType: string; ok: boolean; reason?: string }>;
  readonly logouts: string[];
  stop(): Promise<void>;
}

const base64Url = (bytes: Buffer) => bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export async function startFakeCognito(options: FakeCognitoOptions): Promise<FakeCognito> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const refreshTokens = new Set<string>();
  const grants: FakeCognito['grants'] = [];
  const logouts: string[] = [];

  const issue = async () => {
    const refreshToken = base64Url(randomBytes(24));
    refreshTokens.add(refreshToken);
    const accountId = await options.accountIdOf?.(options.sub);
    const accessToken = await signDevToken(options.jwtSecret, { sub: options.sub, ...(accountId ? { account_id: accountId } : {}), expiresInSeconds: 3600 });
    return { access_token: accessToken, id_token: accessToken, refresh_token: refreshToken, token_type: 'Bearer', expires_in: options.expiresInSeconds };
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const send = (status: number, body: string, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'access-control-allow-origin': '*', ...headers });
        response.end(body);
      };
      if (request.method === 'GET' && url.pathname === '/oauth2/authorize') {
        const q = url.searchParams;
        const problem =
          q.get('response_type') !== 'code' ? 'response_type must be code' :
          q.get('client_id') !== options.clientId ? 'unknown client_id' :
          q.get('redirect_uri') !== options.redirectUri ? `redirect_uri ${q.get('redirect_uri')} is not registered` :
          q.get('code_challenge_method') !== 'S256' ? 'PKCE S256 required' :
          !/^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? '') ? 'bad code_challenge' :
          !q.get('state') ? 'state required' :
          !(q.get('scope') ?? '').split(' ').includes('openid') ? 'openid scope required' : null;
        if (problem) return send(400, `<p>${problem}</p>`, { 'content-type': 'text/html' });
        const code = base64Url(randomBytes(16));
        codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')! });
        const back = `${options.redirectUri}?code=${code}&state=${encodeURIComponent(q.get('state')!)}`;
        return send(200, `<!doctype html><title>Managed login</title><main><h1>Managed login (fake)</h1><a href="${back}">Continue as ${options.sub}</a></main>`, { 'content-type': 'text/html' });
      }
      if (request.method === 'POST' && url.pathname === '/oauth2/token') {
        let raw = '';
        for await (const chunk of request) raw += String(chunk);
        const form = new URLSearchParams(raw);
        const grantType = form.get('grant_type') ?? '';
        const refuse = (reason: string) => {
          grants.push({ grantType, ok: false, reason });
          send(400, JSON.stringify({ error: 'invalid_grant', reason }), { 'content-type': 'application/json' });
        };
        if (form.get('client_id') !== options.clientId) return refuse('client_id');
        if (grantType === 'authorization_code') {
          const pending = codes.get(form.get('code') ?? '');
          codes.delete(form.get('code') ?? '');
          if (!pending) return refuse('unknown or used code');
          if (form.get('redirect_uri') !== pending.redirectUri) return refuse('redirect_uri differs');
          if (base64Url(createHash('sha256').update(form.get('code_verifier') ?? '').digest()) !== pending.challenge) return refuse('code_verifier does not match the challenge');
        } else if (grantType === 'refresh_token') {
          if (!refreshTokens.has(form.get('refresh_token') ?? '')) return refuse('unknown refresh token');
        } else return refuse('grant_type');
        grants.push({ grantType, ok: true });
        return send(200, JSON.stringify(await issue()), { 'content-type': 'application/json' });
      }
      if (request.method === 'GET' && url.pathname === '/logout') {
        if (url.searchParams.get('client_id') !== options.clientId) return send(400, 'client_id');
        logouts.push(url.searchParams.get('logout_uri') ?? '');
        return send(302, '', { location: url.searchParams.get('logout_uri') ?? '/' });
      }
      return send(404, 'not found');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    grants,
    logouts,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
