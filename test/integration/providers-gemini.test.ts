/**
 * The Google provider adapters through the real @google/genai SDK against a fake Gemini API
 * (test/fakes/fake-gemini.ts): outputs, fault classes, Retry-After, aborts, the Veo operation.
 */
import { providerFailure } from '../support/provider-errors';
import { mayHaveRun } from '../../lambdas/domain/model-clients';
import { GeminiImageClient, VeoVideoClient } from '../../lambdas/adapters/providers/gemini';
import { FakeGemini, TINY_PNG_BASE64 } from '../fakes/fake-gemini';

const IMAGE = { providerModel: 'gemini-2.5-flash-image', prompt: 'a banana on a desk', count: 1 } as const;
const VIDEO = { providerModel: 'veo-3.1-generate-preview', prompt: 'a banana surfing', durationSeconds: 8, aspectRatio: '16:9', resolution: '720p' } as const;

let fake: FakeGemini;
let images: GeminiImageClient;
let videos: VeoVideoClient;

beforeEach(async () => {
  fake = await new FakeGemini().start();
  images = new GeminiImageClient({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
  videos = new VeoVideoClient({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
});

afterEach(async () => {
  await fake.stop();
});

describe('GeminiImageClient', () => {
  test('one image: the inline PNG, through POST /v1/models/{model}:generateContent with the key header', async () => {
    const outputs = await images.generateImages({ ...IMAGE, aspectRatio: '16:9', seed: 7 });
    expect(outputs).toEqual([{ kind: 'inline', contentType: 'image/png', base64: TINY_PNG_BASE64 }]);
    expect(Buffer.from(TINY_PNG_BASE64, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/models/gemini-2.5-flash-image:generateContent', apiKey: fake.apiKey });
    expect(request?.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: IMAGE.prompt }] }],
      generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '16:9' }, seed: 7 },
    });
  });

  test('count 3 makes three calls (one image each) and returns three images', async () => {
    const outputs = await images.generateImages({ ...IMAGE, count: 3 });
    expect(outputs).toHaveLength(3);
    expect(fake.requests.filter((r) => r.path.endsWith(':generateContent'))).toHaveLength(3);
  });

  test('a blocked prompt (promptFeedback.blockReason) is the user’s fault, the reason in words', async () => {
    fake.scriptImages({ kind: 'blocked', reason: 'PROHIBITED_CONTENT' });
    const error = await providerFailure(images.generateImages(IMAGE));
    expect(error).toMatchObject({ fault: 'user', code: 'blocked_prohibited_content' });
    expect(error.message).toMatch(/prohibited content/);
  });

  test.each(['SAFETY', 'IMAGE_SAFETY', 'PROHIBITED_CONTENT'])('finishReason %s with no image is the user’s fault', async (finishReason) => {
    fake.scriptImages({ kind: 'refused', finishReason });
    const error = await providerFailure(images.generateImages(IMAGE));
    expect(error).toMatchObject({ fault: 'user', code: `refused_${finishReason.toLowerCase()}` });
    expect(error.message).toMatch(/^The model refused: /);
  });

  test('text and no image: the user’s fault, with the model’s words', async () => {
    fake.scriptImages({ kind: 'text', text: 'I cannot draw that.' });
    const error = await providerFailure(images.generateImages(IMAGE));
    expect(error).toMatchObject({ fault: 'user', code: 'no_image' });
    expect(error.message).toContain('I cannot draw that.');
  });

  test('429 with Retry-After: transient with retryAfterMs, not retried by the adapter; the next call succeeds', async () => {
    fake.scriptImages({ kind: 'error', status: 429, retryAfter: '7' });
    const error = await providerFailure(images.generateImages(IMAGE));
    expect(error).toMatchObject({ fault: 'transient', code: 'resource_exhausted', retryAfterMs: 7000 });
    expect(fake.requests).toHaveLength(1);
    await expect(images.generateImages(IMAGE)).resolves.toHaveLength(1);
  });

  test('429 with a google.rpc.RetryInfo delay in the body (what Gemini sends) gives retryAfterMs', async () => {
    fake.scriptImages({ kind: 'error', status: 429, retryDelay: '31s' });
    const error = await providerFailure(images.generateImages(IMAGE));
    expect(error).toMatchObject({ fault: 'transient', retryAfterMs: 31000 });
  });

  test('500 is transient, without retryAfterMs; no retry', async () => {
    fake.scriptImages({ kind: 'error', status: 500 });
    const error = await providerFailure(images.generateImages(IMAGE));
    expect(error).toMatchObject({ fault: 'transient', code: 'internal' });
    expect(error.retryAfterMs).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
  });

  test('401/403 and an invalid key (400 API_KEY_INVALID) are ours', async () => {
    fake.scriptImages({ kind: 'error', status: 401 }, { kind: 'error', status: 403 });
    await expect(providerFailure(images.generateImages(IMAGE))).resolves.toMatchObject({ fault: 'ours' });
    await expect(providerFailure(images.generateImages(IMAGE))).resolves.toMatchObject({ fault: 'ours' });
    const wrongKey = new GeminiImageClient({ apiKey: 'not-the-key', baseUrl: fake.baseUrl });
    await expect(providerFailure(wrongKey.generateImages(IMAGE))).resolves.toMatchObject({ fault: 'ours', code: 'api_key_invalid' });
  });

  test('a hanging call is aborted by the caller’s AbortSignal: transient', async () => {
    fake.scriptImages({ kind: 'hang' });
    const started = Date.now();
    const error = await providerFailure(images.generateImages(IMAGE, AbortSignal.timeout(200)));
    expect(error).toMatchObject({ fault: 'transient', code: 'aborted' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('an unreachable API is transient', async () => {
    const nowhere = new GeminiImageClient({ apiKey: fake.apiKey, baseUrl: 'http://127.0.0.1:9' });
    await expect(providerFailure(nowhere.generateImages(IMAGE))).resolves.toMatchObject({ fault: 'transient', code: 'network' });
  });

  test('count 2 with the second call failing fails the whole request, as partly run: the first image was made (and billed), so it is never retried blindly', async () => {
    const sequential = new GeminiImageClient({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, imageConcurrency: 1 });
    fake.scriptImages({ kind: 'success' }, { kind: 'error', status: 503 });
    const error = await providerFailure(sequential.generateImages({ ...IMAGE, count: 2 }));
    expect(error).toMatchObject({ fault: 'transient', code: 'partly_run', message: expect.stringMatching(/^1 of 2 images were made/) });
    expect(mayHaveRun(error)).toBe(true);
  });

  test('one image whose only call answers 503 did not run: transient, and may be retried', async () => {
    fake.scriptImages({ kind: 'error', status: 503 });
    const error = await providerFailure(images.generateImages(IMAGE));
    expect(error.fault).toBe('transient');
    expect(mayHaveRun(error)).toBe(false);
  });
});

/** A few bytes that start like a JPEG (the fakes read base64 and type, not pixels). */
const JPEG_BASE64 = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]).toString('base64');
const WEBP_BASE64 = Buffer.from('RIFF\x1a\x00\x00\x00WEBPVP8 ', 'latin1').toString('base64');

describe('GeminiImageClient with reference images', () => {
  test('one user turn: the prompt, then one inlineData part per reference image, in order, with its type and bytes', async () => {
    const referenceImages = [
      { contentType: 'image/jpeg', base64: JPEG_BASE64 },
      { contentType: 'image/png', base64: TINY_PNG_BASE64 },
      { contentType: 'image/webp', base64: WEBP_BASE64 },
    ];
    const outputs = await images.generateImages({ ...IMAGE, aspectRatio: '1:1', referenceImages });
    expect(outputs).toEqual([{ kind: 'inline', contentType: 'image/png', base64: TINY_PNG_BASE64 }]);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/models/gemini-2.5-flash-image:generateContent', status: 200 });
    expect(request?.body).toEqual({
      contents: [
        {
          role: 'user',
          parts: [
            { text: IMAGE.prompt },
            { inlineData: { mimeType: 'image/jpeg', data: JPEG_BASE64 } },
            { inlineData: { mimeType: 'image/png', data: TINY_PNG_BASE64 } },
            { inlineData: { mimeType: 'image/webp', data: WEBP_BASE64 } },
          ],
        },
      ],
      generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '1:1' } },
    });
    const received = fake.inputImages(request);
    expect(received.map((image) => image.mimeType)).toEqual(['image/jpeg', 'image/png', 'image/webp']);
    expect(Buffer.from(received[1]?.base64 ?? '', 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(Buffer.from(received[0]?.base64 ?? '', 'base64').subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  test('count 2: every call carries the same references', async () => {
    const referenceImages = [{ contentType: 'image/png', base64: TINY_PNG_BASE64 }];
    await expect(images.generateImages({ ...IMAGE, count: 2, referenceImages })).resolves.toHaveLength(2);
    expect(fake.requests).toHaveLength(2);
    for (const request of fake.requests) expect(fake.inputImages(request)).toEqual([{ mimeType: 'image/png', base64: TINY_PNG_BASE64 }]);
  });

  test('a content type with parameters or capitals is sent as the bare lowercase type', async () => {
    await images.generateImages({ ...IMAGE, referenceImages: [{ contentType: 'Image/PNG; charset=binary', base64: TINY_PNG_BASE64 }] });
    expect(fake.inputImages(fake.requests[0])).toEqual([{ mimeType: 'image/png', base64: TINY_PNG_BASE64 }]);
  });

  test('an empty list sends the plain prompt, as without references', async () => {
    await images.generateImages({ ...IMAGE, referenceImages: [] });
    expect(fake.requests[0]?.body).toEqual({ contents: [{ role: 'user', parts: [{ text: IMAGE.prompt }] }], generationConfig: { responseModalities: ['IMAGE'] } });
  });

  test.each([
    ['not base64', { contentType: 'image/png', base64: 'not base64!' }],
    ['empty bytes', { contentType: 'image/png', base64: '' }],
    ['not an image type', { contentType: 'application/pdf', base64: TINY_PNG_BASE64 }],
  ])('a malformed reference (%s) is refused as ours before any call', async (_what, reference) => {
    const error = await providerFailure(images.generateImages({ ...IMAGE, count: 2, referenceImages: [{ contentType: 'image/png', base64: TINY_PNG_BASE64 }, reference] }));
    expect(error).toMatchObject({ fault: 'ours', code: 'invalid_reference_image' });
    expect(fake.requests).toHaveLength(0);
  });

  test('an image type Gemini does not take (GIF) is answered 400 INVALID_ARGUMENT: the user’s, in words', async () => {
    const error = await providerFailure(images.generateImages({ ...IMAGE, referenceImages: [{ contentType: 'image/gif', base64: TINY_PNG_BASE64 }] }));
    expect(error).toMatchObject({ fault: 'user', code: 'invalid_argument' });
    expect(error.message).toMatch(/^The request was refused: Unsupported MIME type: image\/gif/);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.status).toBe(400);
  });

  test('the fake answers a malformed inline part 400 before any scripted behaviour, as the API does', async () => {
    fake.scriptImages({ kind: 'hang' });
    const response = await fetch(`${fake.baseUrl}/v1beta/models/gemini-2.5-flash-image:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': fake.apiKey },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }, { inline_data: { mime_type: 'image/png', data: '***' } }] }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringMatching(/Base64 decoding failed/) } });
    // The refused request took no behaviour: the scripted hang is still there for the next call.
    await expect(providerFailure(images.generateImages(IMAGE, AbortSignal.timeout(200)))).resolves.toMatchObject({ fault: 'transient', code: 'aborted' });
  });
});

describe('VeoVideoClient', () => {
  test('a submit accepted (200) whose answer names no operation may be running and billed: lost_answer, never resubmitted without a key', async () => {
    fake.scriptSubmits({ kind: 'text', text: 'not an operation' });
    const error = await providerFailure(new VeoVideoClient({ apiKey: fake.apiKey, baseUrl: fake.baseUrl }).submit({ providerModel: 'veo-3.1-generate-preview', prompt: 'a wave' }, 'gen_x-1'));
    expect(error).toMatchObject({ fault: 'transient', code: 'lost_answer' });
    expect(mayHaveRun(error)).toBe(true);
  });

  test('submit → poll running → poll succeeded with the file uri (paths and body as the Gemini API documents them)', async () => {
    const { operationId } = await videos.submit(VIDEO, 'job-1');
    expect(operationId).toMatch(/^models\/veo-3\.1-generate-preview\/operations\/\w+$/);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1beta/models/veo-3.1-generate-preview:predictLongRunning', apiKey: fake.apiKey });
    expect(fake.requests[0]?.body).toEqual({ instances: [{ prompt: VIDEO.prompt }], parameters: { aspectRatio: '16:9', resolution: '720p', durationSeconds: 8 } });

    await expect(videos.poll(operationId)).resolves.toEqual({ state: 'running' });
    const done = await videos.poll(operationId);
    expect(done).toEqual({ state: 'succeeded', outputs: [{ kind: 'url', url: fake.videoUri(operationId.split('/').pop() ?? ''), contentType: null }] });
    expect(fake.requests[1]).toMatchObject({ method: 'GET', path: `/v1beta/${operationId}`, apiKey: fake.apiKey });
  });

  test('an operation that never finishes stays running', async () => {
    fake.scriptVideos({ kind: 'never' });
    const { operationId } = await videos.submit(VIDEO, 'job-2');
    for (let i = 0; i < 3; i += 1) await expect(videos.poll(operationId)).resolves.toEqual({ state: 'running' });
  });

  test('a failed operation: INVALID_ARGUMENT is the user’s, INTERNAL is transient', async () => {
    fake.scriptVideos(
      { kind: 'fails', pollsBeforeDone: 0, code: 3, message: 'The prompt could not be processed.' },
      { kind: 'fails', pollsBeforeDone: 1, code: 13, message: 'Internal error.' },
    );
    const first = await videos.submit(VIDEO, 'job-3');
    const second = await videos.submit(VIDEO, 'job-4');
    const a = await videos.poll(first.operationId);
    expect(a).toMatchObject({ state: 'failed', error: { fault: 'user', code: 'operation_3' } });
    expect(a.state === 'failed' && a.error.message).toContain('The prompt could not be processed.');
    await expect(videos.poll(second.operationId)).resolves.toEqual({ state: 'running' });
    await expect(videos.poll(second.operationId)).resolves.toMatchObject({ state: 'failed', error: { fault: 'transient' } });
  });

  test('every video filtered by safety is the user’s fault, with the reason', async () => {
    fake.scriptVideos({ kind: 'filtered', reason: 'The video could not be generated because it violates our policies.' });
    const { operationId } = await videos.submit(VIDEO, 'job-5');
    const state = await videos.poll(operationId);
    expect(state).toMatchObject({ state: 'failed', error: { fault: 'user', code: 'video_filtered' } });
    expect(state.state === 'failed' && state.error.message).toContain('violates our policies');
  });

  test('submit errors: 429 with Retry-After is transient with retryAfterMs; 403 is ours; 400 is the user’s', async () => {
    fake.scriptSubmits({ kind: 'error', status: 429, retryAfter: '2' }, { kind: 'error', status: 403 }, { kind: 'error', status: 400 });
    await expect(providerFailure(videos.submit(VIDEO, 'job-6'))).resolves.toMatchObject({ fault: 'transient', retryAfterMs: 2000 });
    await expect(providerFailure(videos.submit(VIDEO, 'job-6'))).resolves.toMatchObject({ fault: 'ours' });
    await expect(providerFailure(videos.submit(VIDEO, 'job-6'))).resolves.toMatchObject({ fault: 'user' });
  });

  test('poll errors: an unknown operation (404) and a wrong key are ours', async () => {
    const { operationId } = await videos.submit(VIDEO, 'job-7');
    await expect(providerFailure(videos.poll('models/veo-3.1-generate-preview/operations/nope'))).resolves.toMatchObject({ fault: 'ours' });
    const wrongKey = new VeoVideoClient({ apiKey: 'wrong', baseUrl: fake.baseUrl });
    await expect(providerFailure(wrongKey.poll(operationId))).resolves.toMatchObject({ fault: 'ours', code: 'api_key_invalid' });
  });

  test('poll errors: 429 with Retry-After and 500 are transient, a hanging poll is aborted; the operation then polls normally', async () => {
    const { operationId } = await videos.submit(VIDEO, 'job-10');
    fake.scriptPolls({ kind: 'error', status: 429, retryAfter: '3' }, { kind: 'error', status: 500 }, { kind: 'hang' });
    await expect(providerFailure(videos.poll(operationId))).resolves.toMatchObject({ fault: 'transient', retryAfterMs: 3000 });
    await expect(providerFailure(videos.poll(operationId))).resolves.toMatchObject({ fault: 'transient', code: 'internal' });
    await expect(providerFailure(videos.poll(operationId, AbortSignal.timeout(200)))).resolves.toMatchObject({ fault: 'transient', code: 'aborted' });
    await expect(videos.poll(operationId)).resolves.toEqual({ state: 'running' });
    await expect(videos.poll(operationId)).resolves.toMatchObject({ state: 'succeeded' });
  });

  test('a hanging submit is aborted by the AbortSignal: transient', async () => {
    fake.scriptSubmits({ kind: 'hang' });
    await expect(providerFailure(videos.submit(VIDEO, 'job-8', AbortSignal.timeout(200)))).resolves.toMatchObject({ fault: 'transient', code: 'aborted' });
  });

  test('image-to-video: the first frame as instances[0].image { bytesBase64Encoded, mimeType }; no seed sent', async () => {
    const { operationId } = await videos.submit({ ...VIDEO, seed: 5, referenceImage: { contentType: 'image/jpeg', base64: JPEG_BASE64 } }, 'job-11');
    expect(operationId).toMatch(/^models\/veo-3\.1-generate-preview\/operations\/\w+$/);
    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1beta/models/veo-3.1-generate-preview:predictLongRunning', status: 200 });
    expect(request?.body).toEqual({
      instances: [{ prompt: VIDEO.prompt, image: { bytesBase64Encoded: JPEG_BASE64, mimeType: 'image/jpeg' } }],
      parameters: { aspectRatio: '16:9', resolution: '720p', durationSeconds: 8 },
    });
    expect(fake.inputImages(request)).toEqual([{ mimeType: 'image/jpeg', base64: JPEG_BASE64 }]);
  });

  test('without a first frame the body is unchanged (and a seed is still not sent)', async () => {
    await videos.submit({ ...VIDEO, seed: 5 }, 'job-12');
    expect(fake.requests[0]?.body).toEqual({ instances: [{ prompt: VIDEO.prompt }], parameters: { aspectRatio: '16:9', resolution: '720p', durationSeconds: 8 } });
  });

  test('a malformed first frame is refused as ours before the submit (nothing billed)', async () => {
    const error = await providerFailure(videos.submit({ ...VIDEO, referenceImage: { contentType: 'image/png', base64: 'a b c' } }, 'job-13'));
    expect(error).toMatchObject({ fault: 'ours', code: 'invalid_reference_image' });
    expect(fake.requests).toHaveLength(0);
  });

  test('a first frame of a type Veo does not take (WebP) is answered 400: the user’s, in words; no operation made', async () => {
    const error = await providerFailure(videos.submit({ ...VIDEO, referenceImage: { contentType: 'image/webp', base64: WEBP_BASE64 } }, 'job-14'));
    expect(error).toMatchObject({ fault: 'user', code: 'invalid_argument' });
    expect(error.message).toMatch(/image\/webp/);
    expect(fake.requests[0]?.status).toBe(400);
  });

  test('the fake refuses the inlineData form of the image as the real endpoint does', async () => {
    const response = await fetch(`${fake.baseUrl}/v1beta/models/veo-3.1-generate-preview:predictLongRunning`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': fake.apiKey },
      body: JSON.stringify({ instances: [{ prompt: 'x', image: { inlineData: { mimeType: 'image/png', data: TINY_PNG_BASE64 } } }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { status: 'INVALID_ARGUMENT', message: "`inlineData` isn't supported by this model." } });
  });

  test('cancel: the Gemini API cannot cancel a video operation → false, nothing sent', async () => {
    const { operationId } = await videos.submit(VIDEO, 'job-9');
    const before = fake.requests.length;
    await expect(videos.cancel(operationId)).resolves.toBe(false);
    expect(fake.requests).toHaveLength(before);
  });
});
