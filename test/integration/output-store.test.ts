/**
 * Issue 14, "Outputs": S3OutputStore against a local S3 (s3rver, in-process) and a small node:http
 * server standing in for a provider's temporary output URLs.
 */
import { providerFailure } from '../support/provider-errors';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { extensionOf, outputKey, outputPrefix } from '../../lambdas/domain/output-store';
import { S3OutputStore } from '../../lambdas/adapters/s3/output-store';
import { startLocalS3, type LocalS3 } from '../../bin/local/local-s3';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(300)]);
const VIDEO = randomBytes(64 * 1024);

type Route = (res: ServerResponse, headers: IncomingHttpHeaders) => void;

/** A provider's output host: each path answers as scripted; every request's headers are kept. */
const routes: Record<string, Route> = {
  '/video.mp4': (res, headers) => {
    if (headers['x-goog-api-key'] !== 'goog-key') {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden');
      return;
    }
    res.writeHead(200, { 'content-type': 'video/mp4; codecs="avc1"', 'content-length': String(VIDEO.byteLength) }).end(VIDEO);
  },
  '/octet.bin': (res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(VIDEO),
  '/expired.mp4': (res) => res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>'),
  '/gone.mp4': (res) => res.writeHead(410).end(),
  '/busy.mp4': (res) => res.writeHead(503, { 'retry-after': '7' }).end(),
  '/big-declared.mp4': (res) => res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(4096) }).end(randomBytes(4096)),
  '/big-chunked.mp4': (res) => {
    // No Content-Length: the cap must hold while reading.
    res.writeHead(200, { 'content-type': 'video/mp4' });
    let sent = 0;
    const tick = (): void => {
      if (sent >= 8192 || res.destroyed) {
        res.end();
        return;
      }
      res.write(randomBytes(512));
      sent += 512;
      setTimeout(tick, 1);
    };
    tick();
  },
  '/hang.mp4': () => undefined,
  // Like Gemini's file download URI: the API host redirects to a storage host on another origin.
  '/redirect.mp4': (res) => res.writeHead(302, { location: `${storageBase}/blob?sig=x` }).end(),
  '/loop.mp4': (res) => res.writeHead(302, { location: '/loop.mp4' }).end(),
};

let s3: LocalS3;
let source: Server;
let sourceBase: string;
const seenHeaders: IncomingHttpHeaders[] = [];
/** Another origin, standing in for the storage host a download URI redirects to. */
let storage: Server;
let storageBase: string;
const storageHeaders: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  s3 = await startLocalS3('outputs-test');
  source = createServer((req, res) => {
    seenHeaders.push(req.headers);
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) route(res, req.headers);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
  sourceBase = `http://127.0.0.1:${(source.address() as AddressInfo).port}`;
  storage = createServer((req, res) => {
    storageHeaders.push(req.headers);
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(VIDEO.byteLength) }).end(VIDEO);
  });
  await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
  storageBase = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
});

afterAll(async () => {
  source.closeAllConnections();
  await new Promise((resolve) => source.close(resolve));
  storage.closeAllConnections();
  await new Promise((resolve) => storage.close(resolve));
  await s3.stop();
});

function store(options: Partial<ConstructorParameters<typeof S3OutputStore>[0]> = {}): S3OutputStore {
  return new S3OutputStore({ client: s3.client, bucket: s3.bucket, ...options });
}

async function readBack(key: string): Promise<{ bytes: Buffer; contentType: string | undefined; length: number | undefined }> {
  const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  const bytes = Buffer.from(await object.Body!.transformToByteArray());
  return { bytes, contentType: object.ContentType, length: object.ContentLength };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key!).sort();
}

describe('output keys', () => {
  it('lays keys out as outputs/<accountId>/<jobId>/<index>.<ext>', () => {
    expect(outputKey('acc_1', 'gen_01J', 0, 'image/png')).toBe('outputs/acc_1/gen_01J/0.png');
    expect(outputKey('acc_1', 'gen_01J', 3, 'Image/JPEG; q=1')).toBe('outputs/acc_1/gen_01J/3.jpeg');
    expect(extensionOf('image/webp')).toBe('webp');
    expect(extensionOf('video/mp4')).toBe('mp4');
    expect(extensionOf('application/octet-stream')).toBe('bin');
    expect(extensionOf('video/quicktime')).toBe('bin');
    expect(outputPrefix('acc_1')).toBe('outputs/acc_1/');
  });

  it('refuses ids that would leave their prefix', () => {
    expect(() => outputKey('../acc_2', 'gen_1', 0, 'image/png')).toThrow(RangeError);
    expect(() => outputKey('acc_1', 'a/b', 0, 'image/png')).toThrow(RangeError);
    expect(() => outputKey('acc_1', '..', 0, 'image/png')).toThrow(RangeError);
    expect(() => outputKey('', 'gen_1', 0, 'image/png')).toThrow(RangeError);
    expect(() => outputKey('acc_1', 'gen_1', -1, 'image/png')).toThrow(RangeError);
    expect(() => outputKey('acc_1', 'gen_1', 1.5, 'image/png')).toThrow(RangeError);
  });
});

describe('S3OutputStore', () => {
  it('saves an inline PNG and reads back the same bytes, content type and size', async () => {
    const saved = await store().save({
      accountId: 'acc_inline',
      jobId: 'gen_1',
      index: 0,
      output: { kind: 'inline', contentType: 'image/png', base64: PNG.toString('base64') },
    });
    expect(saved).toEqual({ key: 'outputs/acc_inline/gen_1/0.png', contentType: 'image/png', sizeBytes: PNG.byteLength });
    const back = await readBack(saved.key);
    expect(back.bytes.equals(PNG)).toBe(true);
    expect(back.contentType).toBe('image/png');
    expect(back.length).toBe(PNG.byteLength);
  });

  it('copies a URL output with the extra request headers, its type from the response when the provider gave none', async () => {
    seenHeaders.length = 0;
    const saved = await store({ headersFor: (url) => (url.host === new URL(sourceBase).host ? { 'x-goog-api-key': 'goog-key' } : undefined) }).save({
      accountId: 'acc_url',
      jobId: 'gen_2',
      index: 1,
      output: { kind: 'url', url: `${sourceBase}/video.mp4?sig=secret`, contentType: null },
    });
    expect(seenHeaders).toHaveLength(1);
    expect(seenHeaders[0]!['x-goog-api-key']).toBe('goog-key');
    expect(saved).toEqual({ key: 'outputs/acc_url/gen_2/1.mp4', contentType: 'video/mp4', sizeBytes: VIDEO.byteLength });
    const back = await readBack(saved.key);
    expect(back.bytes.equals(VIDEO)).toBe(true);
    expect(back.contentType).toBe('video/mp4');
  });

  it('follows a redirect to another origin without forwarding the API key header there; refuses a redirect loop', async () => {
    seenHeaders.length = 0;
    storageHeaders.length = 0;
    const sourceHost = new URL(sourceBase).host;
    const outputs = store({ headersFor: (url) => (url.host === sourceHost ? { 'x-goog-api-key': 'goog-key' } : undefined) });
    const saved = await outputs.save({ accountId: 'acc_url', jobId: 'gen_r', index: 0, output: { kind: 'url', url: `${sourceBase}/redirect.mp4`, contentType: 'video/mp4' } });
    expect(saved).toEqual({ key: 'outputs/acc_url/gen_r/0.mp4', contentType: 'video/mp4', sizeBytes: VIDEO.byteLength });
    expect((await readBack(saved.key)).bytes.equals(VIDEO)).toBe(true);
    expect(seenHeaders.map((headers) => headers['x-goog-api-key'])).toEqual(['goog-key']);
    expect(storageHeaders).toHaveLength(1);
    expect(storageHeaders[0]!['x-goog-api-key']).toBeUndefined();

    const loop = await providerFailure(outputs.save({ accountId: 'acc_url', jobId: 'gen_r', index: 1, output: { kind: 'url', url: `${sourceBase}/loop.mp4`, contentType: 'video/mp4' } }));
    expect([loop.fault, loop.code]).toEqual(['ours', 'output_download_failed']);
  });

  it("prefers the provider's declared content type to a generic response header", async () => {
    const saved = await store().save({ accountId: 'acc_url', jobId: 'gen_3', index: 0, output: { kind: 'url', url: `${sourceBase}/octet.bin`, contentType: 'video/mp4' } });
    expect(saved).toEqual({ key: 'outputs/acc_url/gen_3/0.mp4', contentType: 'video/mp4', sizeBytes: VIDEO.byteLength });
  });

  it('classifies a source URL that answers 404 or 410 (expired) as ours, output_unavailable, and stores nothing', async () => {
    for (const path of ['/expired.mp4', '/gone.mp4']) {
      const error = await providerFailure(store().save({ accountId: 'acc_gone', jobId: 'gen_4', index: 0, output: { kind: 'url', url: `${sourceBase}${path}?X-Goog-Signature=abc`, contentType: 'video/mp4' } }));
      expect(error.fault).toBe('ours');
      expect(error.code).toBe('output_unavailable');
      expect(error.message).not.toContain('X-Goog-Signature'); // the URL's signature never reaches logs
    }
    expect(await keysUnder(outputPrefix('acc_gone'))).toEqual([]);
  });

  it('classifies a refused download (403, e.g. no API key header) the same way', async () => {
    const error = await providerFailure(store().save({ accountId: 'acc_gone', jobId: 'gen_5', index: 0, output: { kind: 'url', url: `${sourceBase}/video.mp4`, contentType: 'video/mp4' } }));
    expect([error.fault, error.code]).toEqual(['ours', 'output_unavailable']);
  });

  it('classifies a 503 with Retry-After as transient', async () => {
    const error = await providerFailure(store().save({ accountId: 'acc_gone', jobId: 'gen_6', index: 0, output: { kind: 'url', url: `${sourceBase}/busy.mp4`, contentType: 'video/mp4' } }));
    expect([error.fault, error.code, error.retryAfterMs]).toEqual(['transient', 'http_503', 7000]);
  });

  it('refuses an over-size source, by Content-Length or while reading a chunked body, and stores nothing', async () => {
    const small = store({ maxBytes: 1024 });
    for (const path of ['/big-declared.mp4', '/big-chunked.mp4']) {
      const error = await providerFailure(small.save({ accountId: 'acc_big', jobId: 'gen_7', index: 0, output: { kind: 'url', url: `${sourceBase}${path}`, contentType: 'video/mp4' } }));
      expect([error.fault, error.code]).toEqual(['ours', 'output_too_large']);
    }
    const inline = await providerFailure(small.save({ accountId: 'acc_big', jobId: 'gen_7', index: 1, output: { kind: 'inline', contentType: 'image/png', base64: randomBytes(2048).toString('base64') } }));
    expect(inline.code).toBe('output_too_large');
    expect(await keysUnder(outputPrefix('acc_big'))).toEqual([]);
  });

  it('gives up on a source that never answers (transient timeout) and honours the caller abort', async () => {
    const timedOut = await providerFailure(store({ downloadTimeoutMs: 200 }).save({ accountId: 'acc_slow', jobId: 'gen_8', index: 0, output: { kind: 'url', url: `${sourceBase}/hang.mp4`, contentType: 'video/mp4' } }));
    expect([timedOut.fault, timedOut.code]).toEqual(['transient', 'timeout']);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const aborted = await providerFailure(store().save({ accountId: 'acc_slow', jobId: 'gen_8', index: 0, output: { kind: 'url', url: `${sourceBase}/hang.mp4`, contentType: 'video/mp4' } }, controller.signal));
    expect([aborted.fault, aborted.code]).toEqual(['transient', 'aborted']);
  });

  it('refuses a malformed output: empty inline bytes, a non-http URL', async () => {
    const empty = await providerFailure(store().save({ accountId: 'acc_bad', jobId: 'gen_9', index: 0, output: { kind: 'inline', contentType: 'image/png', base64: '' } }));
    expect([empty.fault, empty.code]).toEqual(['ours', 'malformed_output']);
    const file = await providerFailure(store().save({ accountId: 'acc_bad', jobId: 'gen_9', index: 0, output: { kind: 'url', url: 'file:///etc/passwd', contentType: null } }));
    expect([file.fault, file.code]).toEqual(['ours', 'malformed_output']);
  });

  it('keeps every output under its own account prefix', async () => {
    const outputs = store();
    const png = { kind: 'inline', contentType: 'image/png', base64: PNG.toString('base64') } as const;
    await outputs.save({ accountId: 'acc_a', jobId: 'gen_a', index: 0, output: png });
    await outputs.save({ accountId: 'acc_a', jobId: 'gen_a', index: 1, output: { kind: 'inline', contentType: 'image/webp', base64: PNG.toString('base64') } });
    await outputs.save({ accountId: 'acc_b', jobId: 'gen_b', index: 0, output: png });
    expect(await keysUnder(outputPrefix('acc_a'))).toEqual(['outputs/acc_a/gen_a/0.png', 'outputs/acc_a/gen_a/1.webp']);
    expect(await keysUnder(outputPrefix('acc_b'))).toEqual(['outputs/acc_b/gen_b/0.png']);
    // Saving the same output again (a redelivered job) overwrites the same key.
    await outputs.save({ accountId: 'acc_b', jobId: 'gen_b', index: 0, output: png });
    expect(await keysUnder(outputPrefix('acc_b'))).toEqual(['outputs/acc_b/gen_b/0.png']);
  });

  it('serves a presigned GET that plain fetch can read before it expires and is refused after', async () => {
    const outputs = store();
    const { key } = await outputs.save({ accountId: 'acc_sign', jobId: 'gen_s', index: 0, output: { kind: 'inline', contentType: 'image/png', base64: PNG.toString('base64') } });

    const url = await outputs.signedUrl(key, 60);
    const parsed = new URL(url);
    expect(parsed.pathname).toBe(`/${s3.bucket}/${key}`);
    expect(parsed.searchParams.get('X-Amz-Expires')).toBe('60');
    const fresh = await fetch(url);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await fresh.arrayBuffer()).equals(PNG)).toBe(true);

    // s3rver enforces X-Amz-Date + X-Amz-Expires (to the second): a 1 s URL is refused 2.5 s later.
    const short = await outputs.signedUrl(key, 1);
    expect(new URL(short).searchParams.get('X-Amz-Expires')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const stale = await fetch(short);
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain('Request has expired');

    await expect(outputs.signedUrl(key, 0)).rejects.toThrow(RangeError);
    await expect(outputs.signedUrl(key, 604_801)).rejects.toThrow(RangeError);
  });
});

describe('memory bound', () => {
  test('at most maxConcurrentDownloads URL outputs are held at once (download to put); inline outputs are not held back', async () => {
    const outputs = new S3OutputStore({ client: s3.client, bucket: s3.bucket, maxConcurrentDownloads: 1, headersFor: () => ({ 'x-goog-api-key': 'goog-key' }) });
    let open = 0;
    let most = 0;
    const counting = (f: () => Promise<unknown>) => async () => {
      open += 1;
      most = Math.max(most, open);
      try {
        return await f();
      } finally {
        open -= 1;
      }
    };
    // Count downloads in flight through the store's fetch.
    const tracked = new S3OutputStore({
      client: s3.client,
      bucket: s3.bucket,
      maxConcurrentDownloads: 1,
      headersFor: () => ({ 'x-goog-api-key': 'goog-key' }),
      fetch: (input, init) => counting(() => fetch(input, init))() as Promise<Response>,
    });
    const saves = [0, 1, 2].map((index) => tracked.save({ accountId: 'acct', jobId: 'gen_bound', index, output: { kind: 'url', url: `${sourceBase}/video.mp4`, contentType: 'video/mp4' } }));
    const inline = outputs.save({ accountId: 'acct', jobId: 'gen_bound', index: 9, output: { kind: 'inline', contentType: 'image/png', base64: PNG.toString('base64') } });
    const stored = await Promise.all([...saves, inline]);
    expect(stored.map((s) => s.sizeBytes)).toEqual([VIDEO.byteLength, VIDEO.byteLength, VIDEO.byteLength, PNG.byteLength]);
    expect(most).toBe(1);
  });
});
