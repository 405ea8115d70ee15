/**
 * Real generations in the web app (issue 14), asserting on what the page shows (docs/web-ui-spec.md):
 * the prompt is required; the model's options follow the model; an image generation shows images
 * that really loaded; a video generation shows a video that can play; a running video is cancelled
 * from the page and refunded; an output link that fails to load (an expired presigned link) is
 * renewed by reading the generation again.
 *
 * The local stack's simulated models answer a 64×64 PNG per image and a 2-second WebM per video,
 * stored in its local S3 (another origin). The shared-page steps run in order, like the main flow;
 * the last writes docs/screenshots/generation-node.png at 1280×800.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describeViolations, expectBalance, expectCount, expectEventually, goTo, openApp, readBalance, seriousAxeViolations, signIn, uniqueWallet, useBrowserSuite, type AppPage } from '../support/browser';

jest.setTimeout(120_000);

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
const IMAGE_PROMPT = 'A ripe banana on a blue plate, studio light';
const VIDEO_PROMPT = 'A banana surfing a wave at sunset, slow motion';

const suite = useBrowserSuite();

const nodeOf = (page: Page) => page.getByRole('region', { name: 'Generation node' });
const recentOf = (page: Page) => page.getByRole('list', { name: 'Recent generations' }).getByRole('listitem');
const generateButton = (node: Locator) => node.getByRole('button', { name: 'Generate', exact: true });

interface PricedModel {
  name: string;
  options: { aspectRatios: string[]; resolutions?: string[]; durationsSeconds?: number[]; seed: boolean };
}

/** The first two models (in either order) for which `holds(a, b)`. */
function pairWhere<T>(items: T[], holds: (a: T, b: T) => boolean): [T, T] {
  for (const a of items) for (const b of items) if (a !== b && holds(a, b)) return [a, b];
  throw new Error('no two models differ that way');
}

/** The labels of a select's options, as shown. */
const optionLabels = (select: Locator) => select.evaluate((el) => Array.from((el as unknown as { options: ArrayLike<{ label: string }> }).options, (o) => o.label));

/** Signs a fresh wallet's owner in (FREE: 100 credits) and opens Generate. */
async function ownerOnGenerate(app: AppPage, prefix: string, wallet = uniqueWallet(prefix)): Promise<Page> {
  await signIn(app.page, wallet, 'owner');
  await goTo(app.page, 'Generate');
  await expectEventually(nodeOf(app.page), (t) => /Cost: [\d,]+ credits/.test(t), { description: 'the cost line' });
  return app.page;
}

/** Waits until an <img> has loaded a real picture: complete, with a natural width. */
async function expectImageLoaded(img: Locator, what: string): Promise<void> {
  await expectEventually(
    () => img.evaluate((el) => {
      const image = el as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number };
      return image.complete ? `${image.naturalWidth}x${image.naturalHeight}` : 'loading';
    }),
    (size) => /^[1-9]\d*x[1-9]\d*$/.test(size),
    { description: `${what} loaded with a natural size` },
  );
}

test('the prompt is required: Generate stays disabled until there is one (blank does not count), and its length is shown', async () => {
  const page = await ownerOnGenerate(await suite.open(), 'prompt');
  const node = nodeOf(page);
  const prompt = node.getByRole('textbox', { name: 'Prompt' });
  expect(await prompt.inputValue()).toBe('');
  expect(await prompt.getAttribute('required')).not.toBeNull();
  expect(await generateButton(node).isDisabled()).toBe(true);
  await expectEventually(node, (t) => t.includes('up to 4,000 characters'), { description: 'the limit of 4,000 characters' });

  await prompt.fill('   ');
  expect(await generateButton(node).isDisabled()).toBe(true);

  await prompt.fill('A banana');
  await expectEventually(node, (t) => t.includes('8 of 4,000 characters'), { description: '"8 of 4,000 characters"' });
  await expectEventually(() => generateButton(node).isEnabled(), (enabled) => enabled, { description: 'Generate enabled with a prompt' });

  await prompt.fill('');
  await expectEventually(() => generateButton(node).isDisabled(), (disabled) => disabled, { description: 'Generate disabled again once the prompt is cleared' });
  expect(await recentOf(page).count()).toBe(0);
});

test("the options follow the model (as GET /v1/pricing lists them): resolution and duration for videos, a seed only where the model takes one, and a choice the new model lacks goes back to its default", async () => {
  const pricing = (await (await fetch(`${suite.stack().baseUrl}/v1/pricing`)).json()) as { models: PricedModel[] };
  const page = await ownerOnGenerate(await suite.open(), 'options');
  const node = nodeOf(page);
  const modelField = node.getByRole('combobox', { name: 'Model' });
  const aspect = node.getByRole('combobox', { name: 'Aspect ratio' });
  const seed = node.getByRole('spinbutton', { name: /^Seed/ });

  for (const model of pricing.models) {
    await modelField.selectOption({ label: model.name });
    const { options } = model;
    expect(await optionLabels(aspect)).toEqual(['Model default', ...options.aspectRatios]);
    const resolution = node.getByRole('combobox', { name: 'Resolution' });
    const duration = node.getByRole('combobox', { name: 'Duration' });
    if (options.resolutions) expect(await optionLabels(resolution)).toEqual(['Model default', ...options.resolutions]);
    else expect(await resolution.count()).toBe(0);
    if (options.durationsSeconds) expect(await optionLabels(duration)).toEqual(['Model default', ...options.durationsSeconds.map((s) => `${s} seconds`)]);
    else expect(await duration.count()).toBe(0);
    expect(await seed.count()).toBe(options.seed ? 1 : 0);
  }

  // An aspect ratio one model offers and the next does not goes back to "Model default"; one both offer stays.
  const [from, to] = pairWhere(pricing.models, (a, b) => a.options.aspectRatios.some((r) => !b.options.aspectRatios.includes(r)));
  const lacking = from.options.aspectRatios.find((r) => !to.options.aspectRatios.includes(r))!;
  await modelField.selectOption({ label: from.name });
  await aspect.selectOption({ label: lacking });
  await modelField.selectOption({ label: to.name });
  expect(await aspect.inputValue()).toBe('');
  const shared = to.options.aspectRatios.find((r) => from.options.aspectRatios.includes(r));
  if (shared) {
    await aspect.selectOption({ label: shared });
    await modelField.selectOption({ label: from.name });
    expect(await aspect.inputValue()).toBe(shared);
  }

  // A seed that is not a whole number says so and keeps Generate disabled.
  const seeded = pricing.models.find((m) => m.options.seed)!;
  await modelField.selectOption({ label: seeded.name });
  await node.getByRole('textbox', { name: 'Prompt' }).fill('A banana');
  await seed.fill('1.5');
  await expectEventually(node, (t) => t.includes('A seed is a whole number'), { description: 'the seed rule in words' });
  expect(await generateButton(node).isDisabled()).toBe(true);
  await seed.fill('42');
  await expectEventually(() => generateButton(node).isEnabled(), (enabled) => enabled, { description: 'Generate enabled with a valid seed' });
});

describe('one owner generates images and videos, and cancels a video', () => {
  let app: AppPage;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    app = await openApp(suite.browser(), suite.stack());
    page = await ownerOnGenerate(app, 'media');
  });
  afterAll(async () => {
    if (app?.errors.length) console.warn(`Browser errors:\n${app.errors.join('\n')}`);
    await app?.context.close();
  });

  test('two 16:9 images: the prompt, "succeeded", and two pictures that really loaded, each with a link', async () => {
    const node = nodeOf(page);
    const before = await readBalance(page);
    await node.getByRole('textbox', { name: 'Prompt' }).fill(IMAGE_PROMPT);
    await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Nano Banana 2' });
    await node.getByRole('combobox', { name: 'Aspect ratio' }).selectOption({ label: '16:9' });
    await node.getByRole('spinbutton', { name: 'Count' }).fill('2');
    await expectEventually(node, (t) => t.includes('Cost: 16 credits'), { description: '"Cost: 16 credits"' });

    const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/v1/generations');
    await generateButton(node).click();
    expect((await sent).postDataJSON()).toMatchObject({ model: 'nano-banana-2', count: 2, params: { prompt: IMAGE_PROMPT, aspectRatio: '16:9' } });

    const job = recentOf(page).first();
    await expectEventually(job, (t) => t.includes(IMAGE_PROMPT) && /\bsucceeded\b/.test(t), { description: `the newest generation "${IMAGE_PROMPT}" succeeded` });
    const images = job.getByRole('img');
    await expectCount(images, 2);
    for (let i = 0; i < 2; i += 1) {
      expect(await images.nth(i).getAttribute('alt')).toContain(IMAGE_PROMPT);
      await expectImageLoaded(images.nth(i), `image ${i + 1} of 2`);
      const link = job.getByRole('link', { name: `Open image ${i + 1} of 2` });
      expect(await link.getAttribute('href')).toMatch(/^http:\/\/.+\.png\b/);
    }
    await expectBalance(page, before - 16);
  });

  test('a Seedance 2.0 video at 720p, 5 seconds: a <video> with controls that can play', async () => {
    const node = nodeOf(page);
    const before = await readBalance(page);
    await node.getByRole('textbox', { name: 'Prompt' }).fill(VIDEO_PROMPT);
    await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Seedance 2.0' });
    await node.getByRole('combobox', { name: 'Resolution' }).selectOption({ label: '720p' });
    await node.getByRole('combobox', { name: 'Duration' }).selectOption({ label: '5 seconds' });
    await node.getByRole('spinbutton', { name: 'Count' }).fill('1');
    await expectEventually(node, (t) => t.includes('Cost: 40 credits'), { description: '"Cost: 40 credits"' });
    await generateButton(node).click();

    const job = recentOf(page).first();
    await expectEventually(job, (t) => t.includes('Seedance 2.0') && t.includes(VIDEO_PROMPT), { description: 'the new video generation listed with its prompt' });
    // Submitted, then polled every 2 s; the simulated video takes 3–8 s.
    await expectEventually(job, (t) => /\bsucceeded\b/.test(t), { description: 'the video generation "succeeded"', timeoutMs: 45_000 });
    const video = job.locator('video');
    await expectCount(video, 1);
    expect(await video.getAttribute('controls')).not.toBeNull();
    expect(await video.getAttribute('aria-label')).toContain(VIDEO_PROMPT);
    const state = await expectEventually(
      () => video.evaluate((el) => {
        const v = el as unknown as { readyState: number; duration: number; error: { code: number } | null };
        return { readyState: v.readyState, duration: v.duration, error: v.error?.code ?? null };
      }),
      (s) => s.error === null && s.readyState >= 1 && Number.isFinite(s.duration) && s.duration > 0,
      { description: 'the video loaded its metadata with a duration', timeoutMs: 20_000 },
    );
    expect(state.duration).toBeGreaterThan(1);
    await video.evaluate(async (el) => {
      const v = el as unknown as { muted: boolean; play(): Promise<void> };
      v.muted = true;
      await v.play();
    });
    await expectEventually(() => video.evaluate((el) => (el as unknown as { currentTime: number }).currentTime), (t) => t > 0, { description: 'the video playing' });
    expect(await job.getByRole('link', { name: 'Open video' }).getAttribute('href')).toMatch(/^http:\/\/.+\.webm\b/);
    await expectBalance(page, before - 40);
  });

  test('a video that never finishes (Simulate: Timeout) is cancelled while running: "cancelled", the refund, and the balance back', async () => {
    const node = nodeOf(page);
    const before = await readBalance(page);
    await node.getByRole('textbox', { name: 'Prompt' }).fill('A banana that takes forever');
    await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Seedance 2.0' });
    await node.getByRole('combobox', { name: 'Simulate' }).selectOption({ label: 'Timeout' });
    await expectEventually(node, (t) => t.includes('Cost: 40 credits'), { description: '"Cost: 40 credits"' });
    const count = await recentOf(page).count();
    await generateButton(node).click();
    await expectCount(recentOf(page), count + 1);
    await expectBalance(page, before - 40);

    const job = recentOf(page).first();
    await expectEventually(job, (t) => /\brunning\b/.test(t), { description: 'the video generation "running"', timeoutMs: 20_000 });
    await job.getByRole('button', { name: 'Cancel generation' }).click();
    await expectEventually(job, (t) => /\bcancelled\b/.test(t) && t.includes('Refunded 40 credits'), { description: '"cancelled" and "Refunded 40 credits"' });
    expect(await job.getByRole('button', { name: 'Cancel generation' }).count()).toBe(0);
    await expectBalance(page, before);
    // Settled: it stays cancelled (a late poll does not bring it back to running).
    await page.waitForTimeout(2_500);
    expect(await job.innerText()).toMatch(/\bcancelled\b/);

    // The docs' picture: the node with a video model's options, above the three generations.
    await node.getByRole('combobox', { name: 'Simulate' }).selectOption({ label: 'Normal' });
    await node.getByRole('textbox', { name: 'Prompt' }).fill(VIDEO_PROMPT);
    await node.getByRole('combobox', { name: 'Aspect ratio' }).selectOption({ label: '16:9' });
    await node.getByRole('combobox', { name: 'Resolution' }).selectOption({ label: '720p' });
    await node.getByRole('combobox', { name: 'Duration' }).selectOption({ label: '5 seconds' });
    await expectEventually(node, (t) => t.includes('Paid from:'), { description: 'the quote with the buckets that pay' });
    await node.getByRole('textbox', { name: 'Prompt' }).blur();
    // axe-core with images, a video, a cancelled job and a video model's options on the page.
    expect(describeViolations(await seriousAxeViolations(page))).toBe('');
    await page.getByRole('main').screenshot({ path: join(SCREENSHOTS, 'generation-node.png') });
    expect(app.errors).toEqual([]);
  });
});

test('an output whose link fails to load (as an expired presigned link does) is shown again from a fresh read of the generation', async () => {
  const app = await suite.open();
  const page = await ownerOnGenerate(app, 'expired');
  const node = nodeOf(page);
  // The first request for each stored output fails like an expired presigned link (403 from S3).
  const failedOnce = new Set<string>();
  let failedAt = Number.POSITIVE_INFINITY;
  await page.route(
    (url) => url.pathname.endsWith('.png') && url.origin !== new URL(suite.stack().baseUrl).origin,
    async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (failedOnce.has(path)) return route.continue();
      failedOnce.add(path);
      failedAt = Date.now();
      return route.fulfill({ status: 403, contentType: 'application/xml', body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' });
    },
  );
  const reads: number[] = [];
  page.on('request', (r) => {
    if (r.method() === 'GET' && /^\/v1\/generations\/gen_/.test(new URL(r.url()).pathname)) reads.push(Date.now());
  });

  await node.getByRole('textbox', { name: 'Prompt' }).fill('A banana whose link expired');
  await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'GPT Image 2' });
  await expectEventually(node, (t) => t.includes('Cost: 5 credits'), { description: '"Cost: 5 credits"' });
  await generateButton(node).click();
  const job = recentOf(page).first();
  await expectEventually(job, (t) => /\bsucceeded\b/.test(t), { description: 'the generation "succeeded"' });
  const image = job.getByRole('img');
  await expectImageLoaded(image, 'the image, after its link was renewed');
  expect(failedOnce.size).toBe(1);
  expect(reads.some((at) => at >= failedAt)).toBe(true); // the generation was read again after the failed load
  expect(await job.getByText('could not be loaded').count()).toBe(0);
});

test('a Cancel that comes too late (the generation was cancelled elsewhere meanwhile) is refused in words, and the page then shows how it ended', async () => {
  const app = await suite.open();
  const wallet = uniqueWallet('late');
  const page = await ownerOnGenerate(app, 'late', wallet);
  const node = nodeOf(page);
  const before = await readBalance(page);
  await node.getByRole('textbox', { name: 'Prompt' }).fill('A banana cancelled twice');
  await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Seedance 2.0' });
  await node.getByRole('combobox', { name: 'Simulate' }).selectOption({ label: 'Timeout' });
  await expectEventually(node, (t) => t.includes('Cost: 40 credits'), { description: '"Cost: 40 credits"' });
  const accepted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/generations');
  await generateButton(node).click();
  const { id } = (await (await accepted).json()) as { id: string };
  const job = recentOf(page).first();
  await expectEventually(job, (t) => /\brunning\b/.test(t), { description: 'the video generation "running"', timeoutMs: 20_000 });

  // The page's reads of the job are held, so it still shows "running" while the job is cancelled
  // elsewhere (another tab, or the owner) through the API.
  const held: Array<() => Promise<void>> = [];
  let holding = true;
  await page.route(
    (url) => /^\/v1\/generations\/gen_[^/]+$/.test(url.pathname),
    (route) => (holding && route.request().method() === 'GET' ? void held.push(() => route.continue()) : route.continue()),
  );
  const { token } = (await (await fetch(`${suite.stack().baseUrl}/_local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: wallet }) })).json()) as { token: string };
  const elsewhere = await fetch(`${suite.stack().baseUrl}/v1/generations/${id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(elsewhere.status).toBe(200);

  expect(await job.innerText()).toMatch(/\brunning\b/);
  await job.getByRole('button', { name: 'Cancel generation' }).click();
  const refusal = await expectEventually(job.getByRole('alert'), (t) => t.trim().length > 0, { description: 'the refusal as an alert' });
  expect(refusal).toMatch(/already/i);
  expect(refusal).not.toMatch(/generation_finished|\b409\b/);

  holding = false;
  await Promise.all(held.splice(0).map((release) => release()));
  await expectEventually(job, (t) => /\bcancelled\b/.test(t) && t.includes('Refunded 40 credits'), { description: '"cancelled" and "Refunded 40 credits" once the page reads the job again' });
  await expectBalance(page, before);
});

test('an output that is gone for good (every load fails) says so after one fresh read, instead of reading the generation again and again', async () => {
  const app = await suite.open();
  const page = await ownerOnGenerate(app, 'gone');
  const node = nodeOf(page);
  let firstFailure = Number.POSITIVE_INFINITY;
  await page.route(
    (url) => url.pathname.endsWith('.png') && url.origin !== new URL(suite.stack().baseUrl).origin,
    (route) => {
      firstFailure = Math.min(firstFailure, Date.now());
      return route.fulfill({ status: 404, contentType: 'application/xml', body: '<Error><Code>NoSuchKey</Code></Error>' });
    },
  );
  const reads: number[] = [];
  page.on('request', (r) => {
    if (r.method() === 'GET' && /^\/v1\/generations\/gen_/.test(new URL(r.url()).pathname)) reads.push(Date.now());
  });
  await node.getByRole('textbox', { name: 'Prompt' }).fill('A banana that was deleted');
  await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'GPT Image 2' });
  await expectEventually(node, (t) => t.includes('Cost: 5 credits'), { description: '"Cost: 5 credits"' });
  await generateButton(node).click();
  const job = recentOf(page).first();
  await expectEventually(job, (t) => t.includes('This image could not be loaded.'), { description: '"This image could not be loaded."' });
  await page.waitForTimeout(2_000);
  expect(reads.filter((at) => at >= firstFailure)).toHaveLength(1);
  // The link to it is still offered.
  await job.getByRole('link', { name: 'Open image' }).waitFor();
});
