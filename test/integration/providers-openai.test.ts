/**
 * OpenAiImageClient (GPT Image through the official `openai` SDK) against a fake of the Images API
 * speaking its wire format: outputs, sizes, fault classes, Retry-After, cancellation, and that the
 * SDK never retries on its own (a retried image call may be billed twice).
 */
import { providerFailure } from '../support/provider-errors';
import { APIError } from 'openai';
import {
  classifyOpenAiError,
  OpenAiImageClient,
  openAiSizeFor,
  retryAfterMs,
} from '../../lambdas/adapters/providers/openai-images';
import type { ImageRequest } from '../../lambdas/domain/model-clients';
import { startFakeOpenAi, TINY_PNG_BASE64, type FakeOpenAi } from '../fakes/fake-openai';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let fake: FakeOpenAi;
let client: OpenAiImageClient;

beforeEach(async () => {
  fake = await startFakeOpenAi();
  client = new OpenAiImageClient({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
});
afterEach(async () => {
  await fake.stop();
});

const request = (overrides: Partial<ImageRequest> = {}): ImageRequest => ({
  providerModel: 'gpt-image-1.5',
  prompt: 'a banana on a skateboard',
  count: 1,
  ...overrides,
});

describe('success', () => {
  test('count → n; every image inline as PNG; the size for the aspect ratio; one request with the bearer key', async () => {
    const outputs = await client.generateImages(request({ count: 3, aspectRatio: '3:2' }));

    expect(outputs).toHaveLength(3);
    for (const output of outputs) {
      expect(output).toEqual({ kind: 'inline', contentType: 'image/png', base64: TINY_PNG_BASE64 });
      if (output.kind !== 'inline') throw new Error('inline expected');
      expect(Buffer.from(output.base64, 'base64').subarray(0, 8)).toEqual(PNG_SIGNATURE);
    }
    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/v1/images/generations',
      authorization: `Bearer ${fake.apiKey}`,
      status: 200,
    });
    expect(sent?.body).toEqual({
      model: 'gpt-image-1.5',
      prompt: 'a banana on a skateboard',
      n: 3,
      size: '1536x1024',
    });
    // The SDK sends no idempotency key (the API documents none): hence no retries at all.
    expect(sent?.idempotencyKey).toBeNull();
  });

  test('the standard sizes for every GPT image model; no aspect ratio leaves the size to the model', async () => {
    await client.generateImages(request({ aspectRatio: '1:1' }));
    await client.generateImages(request({ aspectRatio: '2:3' }));
    await client.generateImages(request());
    expect(fake.requests.map((r) => r.body?.size)).toEqual(['1024x1024', '1024x1536', undefined]);
  });

  test('16:9, 9:16, 4:3 and 3:4 on the models that take any WIDTHxHEIGHT', async () => {
    for (const aspectRatio of ['16:9', '9:16', '4:3', '3:4']) {
      await client.generateImages(request({ providerModel: 'gpt-image-2', aspectRatio }));
    }
    const sizes = fake.requests.map((r) => String(r.body?.size));
    expect(sizes).toEqual(['1536x864', '864x1536', '1152x864', '864x1152']);
    for (const [index, size] of sizes.entries()) {
      const [width, height] = size.split('x').map(Number) as [number, number];
      expect(width % 16).toBe(0);
      expect(height % 16).toBe(0);
      const [a, b] = (['16:9', '9:16', '4:3', '3:4'][index] as string).split(':').map(Number) as [number, number];
      expect(width * b).toBe(height * a);
    }
  });

  test("the content type follows the answer's output_format", async () => {
    fake.script({ kind: 'success', outputFormat: 'jpeg' }, { kind: 'success', outputFormat: 'webp' });
    const [jpeg] = await client.generateImages(request());
    const [webp] = await client.generateImages(request());
    expect(jpeg).toMatchObject({ kind: 'inline', contentType: 'image/jpeg' });
    expect(webp).toMatchObject({ kind: 'inline', contentType: 'image/webp' });
  });
});

describe('refused before any request (the user’s fault)', () => {
  test.each([
    ['gpt-image-1.5', '16:9'],
    ['gpt-image-1-mini', '9:16'],
    ['gpt-image-2', '5:1'],
    ['gpt-image-2', '21:9'],
    ['gpt-image-2', 'square'],
  ])('%s with aspect ratio %s', async (providerModel, aspectRatio) => {
    const error = await providerFailure(client.generateImages(request({ providerModel, aspectRatio })));
    expect(error).toMatchObject({ fault: 'user', code: 'unsupported_aspect_ratio' });
    expect(error.message).toContain(aspectRatio);
    expect(fake.requests).toHaveLength(0);
  });

  test.each([0, 11, 1.5])('count %p', async (count) => {
    const error = await providerFailure(client.generateImages(request({ count })));
    expect(error).toMatchObject({ fault: 'user', code: 'unsupported_count' });
    expect(fake.requests).toHaveLength(0);
  });

  test('reference images (none are offered for GPT Image): refused in words, no HTTP call', async () => {
    const referenceImages = [{ contentType: 'image/png', base64: TINY_PNG_BASE64 }];
    const error = await providerFailure(client.generateImages(request({ providerModel: 'gpt-image-2', referenceImages })));
    expect(error).toMatchObject({ fault: 'user', code: 'references_unsupported' });
    expect(error.message).toMatch(/cannot work from reference images/);
    expect(fake.requests).toHaveLength(0);
  });

  test('an empty reference list is no reference: the request goes out unchanged', async () => {
    await expect(client.generateImages(request({ referenceImages: [] }))).resolves.toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body).toEqual({ model: 'gpt-image-1.5', prompt: 'a banana on a skateboard', n: 1 });
  });
});

describe('the fake, as the real Images API', () => {
  test('generations takes no input image: an `image` parameter is answered 400 unknown_parameter', async () => {
    const response = await fetch(`${fake.baseUrl}/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fake.apiKey}` },
      body: JSON.stringify({ model: 'gpt-image-2', prompt: 'x', image: `data:image/png;base64,${TINY_PNG_BASE64}` }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'image', code: 'unknown_parameter' } });
  });
});

describe('provider failures, classified, never retried by the SDK', () => {
  test('a safety refusal (400 moderation_blocked) is the user’s, with a message fit to show them', async () => {
    fake.script({ kind: 'moderation' });
    const error = await providerFailure(client.generateImages(request()));
    expect(error).toMatchObject({ fault: 'user', code: 'moderation_blocked', retryAfterMs: undefined });
    expect(error.message).toMatch(/safety/i);
    expect(error.message).not.toMatch(/request id|help\.openai\.com/i);
    expect(fake.requests).toHaveLength(1);
  });

  test('429 with Retry-After is transient with retryAfterMs; the next call (the worker’s retry) succeeds', async () => {
    fake.script({ kind: 'rate_limit', retryAfterSeconds: 7 }, { kind: 'success' });
    const error = await providerFailure(client.generateImages(request({ count: 2 })));
    expect(error).toMatchObject({ fault: 'transient', code: 'rate_limit_exceeded', retryAfterMs: 7000 });
    expect(fake.requests).toHaveLength(1); // the SDK would have waited 7 s and retried by default

    const outputs = await client.generateImages(request({ count: 2 }));
    expect(outputs).toHaveLength(2);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  test('500 is transient, one request', async () => {
    fake.script({ kind: 'server_error' });
    const error = await providerFailure(client.generateImages(request()));
    expect(error).toMatchObject({ fault: 'transient', code: 'server_error' });
    expect(error.message).toContain('500');
    expect(fake.requests).toHaveLength(1);
  });

  test('401 is ours (scripted, and with a wrong key)', async () => {
    fake.script({ kind: 'unauthorized' });
    const scripted = await providerFailure(client.generateImages(request()));
    expect(scripted).toMatchObject({ fault: 'ours', code: 'invalid_api_key' });

    const wrongKey = new OpenAiImageClient({ apiKey: 'sk-wrong', baseUrl: fake.baseUrl });
    const refused = await providerFailure(wrongKey.generateImages(request()));
    expect(refused).toMatchObject({ fault: 'ours', code: 'invalid_api_key' });
    expect(fake.requests.map((r) => r.status)).toEqual([401, 401]);
  });

  test('a hanging call ends when our AbortSignal fires: transient, aborted, one request', async () => {
    fake.script({ kind: 'hang' });
    const started = Date.now();
    const error = await providerFailure(client.generateImages(request(), AbortSignal.timeout(200)));
    expect(error).toMatchObject({ fault: 'transient', code: 'aborted' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(fake.requests).toHaveLength(1);
    await waitFor(() => fake.requests[0]?.clientClosed === true);
    expect(fake.requests[0]?.status).toBeNull();
  });

  test('a hanging call past the client’s own time limit: transient, timeout, one request', async () => {
    fake.script({ kind: 'hang' });
    const impatient = new OpenAiImageClient({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, timeoutMs: 200 });
    const error = await providerFailure(impatient.generateImages(request()));
    expect(error).toMatchObject({ fault: 'transient', code: 'timeout' });
    expect(fake.requests).toHaveLength(1);
    await waitFor(() => fake.requests[0]?.clientClosed === true);
  });

  test('with a time limit, the worker’s abort coming first is still told apart: aborted', async () => {
    fake.script({ kind: 'hang' });
    const patient = new OpenAiImageClient({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, timeoutMs: 5000 });
    const error = await providerFailure(patient.generateImages(request(), AbortSignal.timeout(100)));
    expect(error).toMatchObject({ fault: 'transient', code: 'aborted' });
    expect(fake.requests).toHaveLength(1);
  });

  test('a 200 without images is ours (it may have been billed: not for a blind retry)', async () => {
    fake.script({ kind: 'success', images: 0 });
    const error = await providerFailure(client.generateImages(request({ count: 2 })));
    expect(error).toMatchObject({ fault: 'ours', code: 'no_images' });
    expect(fake.requests).toHaveLength(1);
  });

  test('nothing listening: transient, connection_error', async () => {
    const gone = await startFakeOpenAi();
    const baseUrl = gone.baseUrl;
    await gone.stop();
    const unreachable = new OpenAiImageClient({ apiKey: gone.apiKey, baseUrl });
    const error = await providerFailure(unreachable.generateImages(request()));
    expect(error).toMatchObject({ fault: 'transient', code: 'connection_error' });
  });
});

describe('classification details', () => {
  const apiError = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    APIError.generate(status, { error: body }, undefined, new Headers(headers));

  test('a 400 naming a parameter only we set is ours; one naming the prompt is the user’s', () => {
    expect(
      classifyOpenAiError(apiError(400, { message: 'bad size', type: 'invalid_request_error', param: 'size', code: 'invalid_value' })),
    ).toMatchObject({ fault: 'ours', code: 'invalid_value' });
    const prompt = classifyOpenAiError(
      apiError(400, { message: 'prompt too long', type: 'invalid_request_error', param: 'prompt', code: 'string_above_max_length' }),
    );
    expect(prompt).toMatchObject({ fault: 'user', code: 'string_above_max_length' });
    expect(prompt.message).toContain('prompt too long');
  });

  test('403 and 404 are ours; 503 with retry-after-ms is transient', () => {
    expect(classifyOpenAiError(apiError(403, { message: 'no', type: 'invalid_request_error', code: null }))).toMatchObject({ fault: 'ours' });
    expect(classifyOpenAiError(apiError(404, { message: 'no model', type: 'invalid_request_error', code: 'model_not_found' }))).toMatchObject({
      fault: 'ours',
      code: 'model_not_found',
    });
    expect(
      classifyOpenAiError(apiError(503, { message: 'busy', type: 'server_error', code: null }, { 'retry-after-ms': '1500' })),
    ).toMatchObject({ fault: 'transient', retryAfterMs: 1500 });
  });

  test('Retry-After as seconds, as an HTTP date, or absent', () => {
    const now = Date.parse('2026-12-06T05:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Sun, 06 Dec 2026 05:00:30 GMT' }), now)).toBe(30000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });

  test('sizes: the table the adapter asks with', () => {
    expect(openAiSizeFor('gpt-image-1.5', '1:1')).toBe('1024x1024');
    expect(openAiSizeFor('gpt-image-1.5', undefined)).toBeUndefined();
    expect(openAiSizeFor('gpt-image-1.5', '16:9')).toBeNull();
    expect(openAiSizeFor('gpt-image-2.5-flare', '16:9')).toBe('1536x864');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
