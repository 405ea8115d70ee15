/**
 * The local stack serves the built web app (web/dist) at `/`, on the same origin as the API, as
 * CloudFront does in AWS: files by path, any extension-less path is the app's index.html (client-side
 * routes such as /billing), and `/config.json` tells the app it runs against the local stack.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { GatewayResponse } from './gateway';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** What the app reads at start: locally, dev sign-in and the payment simulator. */
export const LOCAL_WEB_CONFIG = { auth: { mode: 'local' }, payments: { mode: 'simulator' } } as const;

export type StaticSite = (method: string, rawPath: string) => Promise<GatewayResponse | undefined>;

/** Answers GET/HEAD for the app's files; undefined for paths it does not serve (the API's, /_local's). */
export function createStaticSite(distDir: string): StaticSite {
  const root = normalize(distDir);
  return async (method, rawPath) => {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    if (rawPath.startsWith('/v1/') || rawPath === '/v1' || rawPath.startsWith('/_local/')) return undefined;
    if (rawPath === '/config.json') return file(JSON.stringify(LOCAL_WEB_CONFIG), '.json', 'no-cache');
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return undefined;
    }
    const isAppRoute = extname(path) === '';
    const target = normalize(join(root, isAppRoute ? 'index.html' : path));
    if (target !== root && !target.startsWith(root + sep)) return undefined;
    try {
      const body = await readFile(target);
      const immutable = target.startsWith(join(root, 'assets') + sep);
      return file(body, extname(target), immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    } catch {
      if (isAppRoute) return file('<!doctype html><title>Web app not built</title><p>Run <code>npm run build:web</code> (npm start builds it).</p>', '.html', 'no-cache', 503);
      return undefined;
    }
  };
}

function file(body: Buffer | string, extension: string, cacheControl: string, statusCode = 200): GatewayResponse {
  const buffer = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    statusCode,
    headers: {
      'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
      'cache-control': cacheControl,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'strict-origin-when-cross-origin',
    },
    body: buffer.toString('base64'),
    isBase64Encoded: true,
  };
}
