/**
 * The ModelArk (Seedance) video client against a fake of ModelArk's content-generation tasks API
 * (test/fakes/fake-modelark.ts): the task's life through submit / poll / cancel, and every failure
 * classified as the worker needs it (user, transient, ours).
 */
import { providerFailure } from '../support/provider-errors';
import { ModelProviderError } from '../../lambdas/domain/model-clients';
import { createBody, ModelArkVideoClient } from '../../lambdas/adapters/providers/modelark-video';
import { retryAfterMsOf } from '../../lambdas/adapters/retry-after';
import { startFakeModelArk, type RunningFakeModelArk } from '../fakes/fake-modelark';
import { TINY_PNG_BASE64 } from '../fakes/tiny-png';

const API_KEY = 'ark-test-key';
const REQUEST = { providerModel: 'dreamina-seedance-2-0-260128', prompt: 'A red fox running through snow', durationSeconds: 5, aspectRatio: '16:9', resolution: '720p', seed: 42 } as const;

let fake: RunningFakeModelArk;
let client: ModelArkVideoClient;

beforeEach(async () => {
  fake = await startFakeModelArk({ apiKey: API_KEY });
  client = new ModelArkVideoClient({ apiKey: API_KEY, baseUrl: fake.url });
});

afterEach(async () => {
  await fake.stop();
});

const creates = (): number => fake.requests.filter((r) => r.method === 'POST').length;

describe('ModelArkVideoClient against the fake ModelArk', () => {
  it('submits once with the bearer key and the wire body, polls running, then succeeds with the video URL', async () => {
    fake.script({ kind: 'succeeds', afterPolls: 2, queuedPolls: 1 });

    const { operationId } = await client.submit(REQUEST, 'job-1');
    expect(operationId).toMatch(/^cgt-/);
    const create = fake.requests[0]!;
    expect(create).toMatchObject({ method: 'POST', path: '/api/v3/contents/generations/tasks', authorization: `Bearer ${API_KEY}`, status: 200 });
    expect(create.body).toEqual({ model: REQUEST.providerModel, content: [{ type: 'text', text: REQUEST.prompt }], ratio: '16:9', duration: 5, resolution: '720p', seed: 42 });

    expect(await client.poll(operationId)).toEqual({ state: 'running' }); // queued
    expect(await client.poll(operationId)).toEqual({ state: 'running' }); // running
    const done = await client.poll(operationId);
    expect(done.state).toBe('succeeded');
    if (done.state !== 'succeeded') throw new Error('unreachable');
    expect(done.outputs).toHaveLength(1);
    expect(done.outputs[0]).toEqual({ kind: 'url', url: expect.stringMatching(new RegExp(`/seedance/${operationId}\\.mp4`)), contentType: 'video/mp4' });
    expect(fake.requests.filter((r) => r.method === 'GET').every((r) => r.path === `/api/v3/contents/generations/tasks/${operationId}` && r.authorization === `Bearer ${API_KEY}`)).toBe(true);
  });

  it('leaves optional parameters out of the body', () => {
    expect(createBody({ providerModel: 'm', prompt: 'p' })).toEqual({ model: 'm', content: [{ type: 'text', text: 'p' }] });
  });

  it('a task refused by content safety fails as the user\'s fault, the reason in words', async () => {
    fake.script({ kind: 'fails', afterPolls: 1, code: 'OutputVideoSensitiveContentDetected', message: 'The request failed because the output video may contain sensitive information. Request id: 0217abc' });
    const { operationId } = await client.submit(REQUEST, 'job-2');
    expect(await client.poll(operationId)).toEqual({ state: 'running' });
    const failed = await client.poll(operationId);
    expect(failed.state).toBe('failed');
    if (failed.state !== 'failed') throw new Error('unreachable');
    expect(failed.error).toBeInstanceOf(ModelProviderError);
    expect(failed.error.fault).toBe('user');
    expect(failed.error.code).toBe('OutputVideoSensitiveContentDetected');
    expect(failed.error.message).toMatch(/generated video was blocked by the provider's content safety check/);
    expect(failed.error.message).not.toMatch(/Request id/);
  });

  it('a prompt refused at create (400 InputTextSensitiveContentDetected) is the user\'s fault', async () => {
    fake.script({ kind: 'refused', status: 400, code: 'InputTextSensitiveContentDetected', message: 'The request failed because the input text may contain sensitive information.' });
    const error = await providerFailure(client.submit(REQUEST, 'job-3'));
    expect(error).toMatchObject({ fault: 'user', code: 'InputTextSensitiveContentDetected' });
    expect(error.message).toMatch(/prompt was refused/);
  });

  it('a task failed for another reason is transient; an expired one too', async () => {
    fake.script({ kind: 'fails', afterPolls: 0, code: 'InternalServiceError', message: 'internal error' }, { kind: 'expires', afterPolls: 0 });
    const a = await client.submit(REQUEST, 'job-4a');
    const b = await client.submit(REQUEST, 'job-4b');
    expect(await client.poll(a.operationId)).toMatchObject({ state: 'failed', error: { fault: 'transient', code: 'InternalServiceError' } });
    expect(await client.poll(b.operationId)).toMatchObject({ state: 'failed', error: { fault: 'transient', code: 'task_expired' } });
  });

  it('a task that never finishes stays running', async () => {
    fake.script({ kind: 'never_finishes', queuedPolls: 2 });
    const { operationId } = await client.submit(REQUEST, 'job-5');
    for (let i = 0; i < 6; i += 1) expect(await client.poll(operationId)).toEqual({ state: 'running' });
    expect(fake.taskStatus(operationId)).toBe('running');
  });

  it('429 on create is transient with retryAfterMs, and the client made exactly one create request', async () => {
    fake.script({ kind: 'rate_limited', retryAfterSeconds: 7 });
    const error = await providerFailure(client.submit(REQUEST, 'job-6'));
    expect(error).toMatchObject({ fault: 'transient', retryAfterMs: 7000 });
    expect(error.code).toMatch(/^http_429/);
    expect(creates()).toBe(1);
  });

  it('500 on create is transient and not retried', async () => {
    fake.script({ kind: 'server_error' });
    const error = await providerFailure(client.submit(REQUEST, 'job-7'));
    expect(error).toMatchObject({ fault: 'transient', retryAfterMs: undefined });
    expect(error.code).toMatch(/^http_500/);
    expect(creates()).toBe(1);
  });

  it('a create that hangs is aborted by the caller\'s signal: transient, one request, outcome unknown', async () => {
    fake.script({ kind: 'hang' });
    const started = Date.now();
    const error = await providerFailure(client.submit(REQUEST, 'job-8', AbortSignal.timeout(200)));
    expect(error).toMatchObject({ fault: 'transient', code: 'timeout' });
    expect(error.message).toMatch(/may have been created/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(creates()).toBe(1);
  });

  it('a poll that hangs is cut by the client\'s own request timeout; an aborted signal is transient too', async () => {
    const quick = new ModelArkVideoClient({ apiKey: API_KEY, baseUrl: fake.url, requestTimeoutMs: 150 });
    const { operationId } = await quick.submit(REQUEST, 'job-9');
    fake.answerNext({ kind: 'hang' });
    expect(await providerFailure(quick.poll(operationId))).toMatchObject({ fault: 'transient', code: 'timeout' });

    const controller = new AbortController();
    fake.answerNext({ kind: 'hang' });
    const pending = providerFailure(quick.poll(operationId, controller.signal));
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toMatchObject({ fault: 'transient', code: 'aborted' });
  });

  it('a network error (nothing listening) is transient', async () => {
    const url = fake.url;
    await fake.stop();
    const offline = new ModelArkVideoClient({ apiKey: API_KEY, baseUrl: url });
    expect(await providerFailure(offline.poll('cgt-x'))).toMatchObject({ fault: 'transient', code: 'network_error' });
    fake = await startFakeModelArk({ apiKey: API_KEY }); // for afterEach
  });

  it('cancels a queued task (then cancelled); refuses a running one and never deletes a finished one', async () => {
    fake.script({ kind: 'stays_queued' }, { kind: 'never_finishes' }, { kind: 'succeeds', afterPolls: 0 });
    const queued = await client.submit(REQUEST, 'job-10a');
    const running = await client.submit(REQUEST, 'job-10b');
    const finished = await client.submit(REQUEST, 'job-10c');

    expect(await client.cancel(queued.operationId)).toBe(true);
    expect(fake.taskStatus(queued.operationId)).toBe('cancelled');
    expect(await client.poll(queued.operationId)).toMatchObject({ state: 'failed', error: { fault: 'ours', code: 'task_cancelled' } });

    expect(await client.poll(running.operationId)).toEqual({ state: 'running' });
    expect(await client.cancel(running.operationId)).toBe(false);
    expect(fake.taskStatus(running.operationId)).toBe('running');

    expect((await client.poll(finished.operationId)).state).toBe('succeeded');
    expect(await client.cancel(finished.operationId)).toBe(false);
    expect(fake.taskStatus(finished.operationId)).toBe('succeeded');
    expect(fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/api/v3/contents/generations/tasks/${queued.operationId}`]);
  });

  it('a DELETE refused by ModelArk (the task started between the read and the DELETE) answers false', async () => {
    fake.script({ kind: 'never_finishes' });
    const { operationId } = await client.submit(REQUEST, 'job-11');
    expect(await client.poll(operationId)).toEqual({ state: 'running' });
    // The read still says queued (as it was a moment before); the fake's DELETE then finds it running and refuses (400).
    fake.answerNext({ kind: 'raw', status: 200, body: JSON.stringify({ id: operationId, status: 'queued', error: null }) });
    expect(await client.cancel(operationId)).toBe(false);
    const refused = fake.requests.at(-1)!;
    expect(refused).toMatchObject({ method: 'DELETE', status: 400 });
    expect(fake.taskStatus(operationId)).toBe('running');
  });

  it('a wrong API key is our fault (401), as is an unknown task (404)', async () => {
    const wrong = new ModelArkVideoClient({ apiKey: 'not-the-key', baseUrl: fake.url });
    expect(await providerFailure(wrong.submit(REQUEST, 'job-12'))).toMatchObject({ fault: 'ours', code: 'http_401:AuthenticationError' });
    expect(await providerFailure(client.poll('cgt-unknown'))).toMatchObject({ fault: 'ours' });
  });

  describe('malformed answers', () => {
    // A 2xx we cannot read is ours: a retry gets the same answer (our reading of the API is wrong or
    // it changed), and a retried create could pay for a second task. Unreadable error answers (an
    // HTML 502 from a gateway) are classified by their status instead.
    it('a create answered 200 without an id is ours', async () => {
      fake.answerNext({ kind: 'raw', status: 200, body: JSON.stringify({ task_id: 'cgt-1' }) });
      expect(await providerFailure(client.submit(REQUEST, 'job-13'))).toMatchObject({ fault: 'ours', code: 'malformed_response' });
      expect(creates()).toBe(1);
    });

    it('a poll answered 200 with a body that is not JSON, an unknown status or a success without a URL is ours', async () => {
      fake.answerNext(
        { kind: 'raw', status: 200, body: '<html>oops</html>' },
        { kind: 'raw', status: 200, body: JSON.stringify({ id: 'cgt-1', status: 'paused' }) },
        { kind: 'raw', status: 200, body: JSON.stringify({ id: 'cgt-1', status: 'succeeded', content: {} }) },
      );
      for (let i = 0; i < 3; i += 1) expect(await providerFailure(client.poll('cgt-1'))).toMatchObject({ fault: 'ours', code: 'malformed_response' });
    });

    it('an error answer that is not JSON is classified by its status', async () => {
      fake.answerNext({ kind: 'raw', status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html', 'retry-after': '3' } });
      expect(await providerFailure(client.poll('cgt-1'))).toMatchObject({ fault: 'transient', code: 'http_502', retryAfterMs: 3000 });
    });
  });

  describe('image-to-video (a first frame)', () => {
    const JPEG_BASE64 = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]).toString('base64');

    it('the content gains one image_url item after the text: a lowercase data URL with the bytes, role first_frame', async () => {
      const { operationId } = await client.submit({ ...REQUEST, referenceImage: { contentType: 'image/png', base64: TINY_PNG_BASE64 } }, 'job-20');
      expect(operationId).toMatch(/^cgt-/);
      const create = fake.requests[0]!;
      expect(create.status).toBe(200);
      expect(create.body).toEqual({
        model: REQUEST.providerModel,
        content: [
          { type: 'text', text: REQUEST.prompt },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}` }, role: 'first_frame' },
        ],
        ratio: '16:9',
        duration: 5,
        resolution: '720p',
        seed: 42,
      });
      const [frame] = fake.inputImages(create);
      expect(frame).toMatchObject({ role: 'first_frame', mimeType: 'image/png', base64: TINY_PNG_BASE64 });
      expect(Buffer.from(frame?.base64 ?? '', 'base64').subarray(1, 4).toString()).toBe('PNG');
    });

    it('the format is lowercased and stripped of parameters, as the API requires', async () => {
      await client.submit({ ...REQUEST, referenceImage: { contentType: 'IMAGE/JPEG; q=0.9', base64: JPEG_BASE64 } }, 'job-21');
      expect(fake.inputImages(fake.requests[0])).toEqual([{ url: `data:image/jpeg;base64,${JPEG_BASE64}`, role: 'first_frame', mimeType: 'image/jpeg', base64: JPEG_BASE64 }]);
    });

    it('without a first frame the body is unchanged', () => {
      expect(createBody(REQUEST)).toEqual({ model: REQUEST.providerModel, content: [{ type: 'text', text: REQUEST.prompt }], ratio: '16:9', duration: 5, resolution: '720p', seed: 42 });
    });

    it('a malformed first frame is refused as ours before the create (no task, nothing billed)', async () => {
      for (const referenceImage of [{ contentType: 'image/png', base64: '%%%' }, { contentType: 'text/plain', base64: TINY_PNG_BASE64 }, { contentType: 'image/png', base64: '' }]) {
        expect(await providerFailure(client.submit({ ...REQUEST, referenceImage }, 'job-22'))).toMatchObject({ fault: 'ours', code: 'invalid_reference_image' });
      }
      expect(fake.requests).toHaveLength(0);
    });

    it('an image format ModelArk does not take is answered 400 InvalidParameter: the user’s, no task made', async () => {
      const error = await providerFailure(client.submit({ ...REQUEST, referenceImage: { contentType: 'image/svg+xml', base64: TINY_PNG_BASE64 } }, 'job-23'));
      expect(error).toMatchObject({ fault: 'user', code: 'http_400:InvalidParameter' });
      expect(fake.requests[0]?.status).toBe(400);
    });

    it('the fake refuses malformed image items as the API reference describes them', async () => {
      const post = async (content: unknown[]): Promise<{ status: number; body: { error?: { code?: string } } }> => {
        const response = await fetch(`${fake.url}/api/v3/contents/generations/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
          body: JSON.stringify({ model: REQUEST.providerModel, content: [{ type: 'text', text: 'x' }, ...content] }),
        });
        return { status: response.status, body: (await response.json()) as { error?: { code?: string } } };
      };
      const image = (url: string, role?: string): Record<string, unknown> => ({ type: 'image_url', image_url: { url }, ...(role ? { role } : {}) });
      const png = `data:image/png;base64,${TINY_PNG_BASE64}`;
      for (const content of [
        [image(`data:image/PNG;base64,${TINY_PNG_BASE64}`)], // the format must be lowercase
        [image('data:image/png;base64,@@@@')], // not base64
        [image(TINY_PNG_BASE64)], // bare base64, no data URL
        [image(png, 'middle_frame')], // no such role
        [image(png, 'last_frame')], // one image is a first frame
        [image(png, 'first_frame'), image(png, 'reference_image')], // modes do not mix
      ]) {
        expect(await post(content)).toMatchObject({ status: 400, body: { error: { code: 'InvalidParameter' } } });
      }
      expect(await post([image(png)])).toMatchObject({ status: 200 }); // role optional for a single first frame
      expect(await post([image('https://example.com/a.png', 'first_frame'), image(png, 'last_frame')])).toMatchObject({ status: 200 });
    });
  });

  it('reads Retry-After in seconds and as an HTTP date', () => {
    expect(retryAfterMsOf('2')).toBe(2000);
    expect(retryAfterMsOf(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMsOf(null)).toBeUndefined();
    expect(retryAfterMsOf('soon')).toBeUndefined();
  });
});
