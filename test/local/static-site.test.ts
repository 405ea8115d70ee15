import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaticSite, LOCAL_WEB_CONFIG } from '../../bin/local/static-site';

function builtSite() {
  const dir = mkdtempSync(join(tmpdir(), 'site-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dir, '..', 'secret-outside.txt'), 'nope');
  return createStaticSite(dir);
}

const text = (body: string) => Buffer.from(body, 'base64').toString('utf8');

test('app routes answer index.html, not cached; hashed assets are immutable', async () => {
  const site = builtSite();
  for (const path of ['/', '/billing', '/generate']) {
    const answer = await site('GET', path);
    expect(answer?.statusCode).toBe(200);
    expect(answer?.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer?.headers['cache-control']).toBe('no-cache');
    expect(text(answer!.body)).toContain('<title>app</title>');
  }
  const asset = await site('GET', '/assets/index-abc.js');
  expect(asset?.headers['content-type']).toBe('text/javascript; charset=utf-8');
  expect(asset?.headers['cache-control']).toContain('immutable');
});

test('/config.json tells the app it runs against the local stack', async () => {
  const answer = await builtSite()('GET', '/config.json');
  expect(JSON.parse(text(answer!.body))).toEqual(LOCAL_WEB_CONFIG);
});

test('the API, control routes, other methods, missing files and paths outside the build are not served', async () => {
  const site = builtSite();
  expect(await site('GET', '/v1/balance')).toBeUndefined();
  expect(await site('GET', '/_local/clock')).toBeUndefined();
  expect(await site('POST', '/billing')).toBeUndefined();
  expect(await site('GET', '/assets/missing.js')).toBeUndefined();
  expect(await site('GET', '/../secret-outside.txt')).toBeUndefined();
  expect(await site('GET', '/%2e%2e/secret-outside.txt')).toBeUndefined();
});
