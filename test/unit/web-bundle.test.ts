/**
 * The web app's first load stays within its budget: ≤ 150 KB of JavaScript gzipped (issue 12). Reads
 * the build npm test makes before jest (`npm run build:web`): every script index.html loads, and
 * every module they preload.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = join(__dirname, '..', '..', 'web', 'dist');
const BUDGET_GZIP_BYTES = 150 * 1024;

test('first load is at most 150 KB of JavaScript gzipped', () => {
  expect(existsSync(join(DIST, 'index.html'))).toBe(true); // run `npm run build:web` first
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\/([^"]+\.js)"/g)].map((m) => m[1]!);
  expect(scripts.length).toBeGreaterThan(0);
  const gzipBytes = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length, 0);
  console.log(`web app first load: ${scripts.length} script(s), ${(gzipBytes / 1024).toFixed(1)} KB gzipped`);
  expect(gzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  expect(gzipBytes).toBeGreaterThan(20 * 1024); // React alone is more: a smaller number means the wrong files were measured
});
