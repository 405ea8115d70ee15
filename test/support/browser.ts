/**
 * Browser-test harness: the local stack started the way a newcomer starts it (`npm start` on a free
 * port, in its own process group, stopped like Ctrl-C), Debian's Chromium driven by playwright-core,
 * and small helpers that speak the web app's user-visible contract (docs/web-ui-spec.md): roles and
 * accessible names only, never CSS classes or test ids.
 *
 * playwright-core has no `@playwright/test` expect, so `expectEventually` polls a locator (or any
 * probe) until a predicate holds, and fails with what it last saw.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { freePort, groupAlive } from './processes';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STARTUP_LIMIT_MS = 120_000;
const STOP_LIMIT_MS = 15_000;
/** Default wait for something to appear on the page (webhooks and jobs take a few seconds locally). */
export const EVENTUALLY_MS = 30_000;
/** `npm start` rebuilds web/dist (emptyOutDir): test files starting at once would break each other's site. */
const START_LOCK = join(tmpdir(), 'banana-flow-browser-stack-start.lock');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


async function withStartLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  for (;;) {
    try {
      await mkdir(START_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than a start-up's limit belongs to a run that died: take it over.
      const age = await stat(START_LOCK).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STARTUP_LIMIT_MS) await rmdir(START_LOCK).catch(() => undefined);
      else if (Date.now() > deadline) throw new Error(`Another browser test file held ${START_LOCK} for too long`, { cause: error });
      else await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rmdir(START_LOCK).catch(() => undefined);
  }
}

export interface LocalStack {
  readonly baseUrl: string;
  /** What npm start printed so far (for failure messages). */
  output(): string;
  /** POST /_local/settle: waits until the simulator's webhooks and the queued jobs are delivered. */
  settle(): Promise<void>;
  /** Ctrl-C to the process group, SIGKILL if anything is still running after a while. */
  stop(): Promise<void>;
}

async function probe(url: string): Promise<{ status: number; type: string; body: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
  } catch {
    return { status: 0, type: '', body: '' };
  }
}

/** Ready = the app's page is served as HTML with its scripts, and the API answers GET /v1/pricing. */
async function isReady(baseUrl: string): Promise<boolean> {
  const page = await probe(`${baseUrl}/`);
  if (page.status !== 200 || !page.type.startsWith('text/html')) return false;
  const scripts = [...page.body.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
  for (const src of scripts) if ((await probe(new URL(src, baseUrl).toString())).status !== 200) return false;
  return (await probe(`${baseUrl}/v1/pricing`)).status === 200;
}

/** `npm start` with PORT=<free port>, DYNAMODB_LOCAL_PORT=0, detached (its own process group). */
export async function startLocalStack(): Promise<LocalStack> {
  return withStartLock(async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const child: ChildProcess = spawn('npm', ['start'], {
      env: { ...process.env, PORT: String(port), DYNAMODB_LOCAL_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const pid = child.pid!;

    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null && groupAlive(pid)) process.kill(-pid, 'SIGINT');
      const deadline = Date.now() + STOP_LIMIT_MS;
      while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
      if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
      clearTimeout(timer);
    };

    const started = Date.now();
    let ready = false;
    while (!ready && Date.now() - started < STARTUP_LIMIT_MS && child.exitCode === null) {
      ready = await isReady(baseUrl);
      if (!ready) await sleep(250);
    }
    if (!ready) {
      await stop();
      throw new Error(`npm start did not serve the web app and GET /v1/pricing on ${baseUrl} (exit ${child.exitCode}):\n${output.slice(-3000)}`);
    }
    return {
      baseUrl,
      output: () => output,
      stop,
      settle: async () => {
        const response = await fetch(`${baseUrl}/_local/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        if (response.status !== 200) throw new Error(`POST /_local/settle answered ${response.status}: ${await response.text()}`);
      },
    };
  });
}

/**
 * One local stack and one Chromium for a test file (started in beforeAll, stopped in afterAll); apps
 * opened through `open` are closed after each test, their browser errors printed.
 */
export function useBrowserSuite(): { stack(): LocalStack; browser(): Browser; open(viewport?: { width: number; height: number }): Promise<AppPage> } {
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  const opened: AppPage[] = [];
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startLocalStack(), launchBrowser()]);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });
  afterEach(async () => {
    for (const app of opened.splice(0)) {
      if (app.errors.length) console.warn(`Browser errors:\n${app.errors.join('\n')}`);
      await app.context.close();
    }
  });
  return {
    stack: () => stack!,
    browser: () => browser!,
    async open(viewport) {
      const app = await openApp(browser!, stack!, viewport);
      opened.push(app);
      return app;
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export interface AppPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught page errors and console errors. */
  readonly errors: string[];
  /** Answers with a status of 400 or more ("409 POST /v1/coupons/redeem"): some tests provoke them. */
  readonly failedRequests: string[];
}

/** A fresh context (no shared storage between tests) with the app's sign-in page open. */
export async function openApp(browser: Browser, stack: LocalStack, viewport = { width: 1280, height: 800 }): Promise<AppPage> {
  const context = await browser.newContext({ viewport, baseURL: stack.baseUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(EVENTUALLY_MS);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // "Failed to load resource" repeats an HTTP error without its address (failedRequests names it).
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`);
  });
  const failedRequests: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  await page.goto('/');
  return { context, page, errors, failedRequests };
}

let walletCounter = 0;
/** A wallet id no other test (or run) uses: `[A-Za-z0-9_-]{1,40}`. */
export function uniqueWallet(prefix: string): string {
  walletCounter += 1;
  const stamp = `${Date.now().toString(36)}${process.pid.toString(36)}${walletCounter}`;
  return `${prefix.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 16)}_${stamp}`.slice(0, 40);
}

export type Role = 'owner' | 'member' | 'admin';

export const BALANCE_NAME = /^[\d,]+ credits$/;
/** The sidebar's balance button: role button named "<n> credits". */
export const balanceButton = (page: Page): Locator => page.getByRole('button', { name: BALANCE_NAME });

/** "1,234 credits" → 1234; NaN when the text is not in that form. */
export function parseCredits(text: string | null): number {
  const match = /([\d,]+)\s*credits/.exec(text ?? '');
  return match ? Number(match[1]!.replace(/,/g, '')) : Number.NaN;
}

/** "1234" → "1,234" (the app's number format). */
export const formatCredits = (n: number): string => n.toLocaleString('en-US');

/** Who a dev user is (docs/web-ui-spec.md): the owner's id is the wallet, the member is `<wallet>-member`, the admin `dev-admin`. */
export function devSub(wallet: string, role: Role): string {
  return role === 'admin' ? 'dev-admin' : role === 'owner' ? wallet : `${wallet}-member`;
}

/** The sidebar's "Signed in as <sub>" reads exactly `sub`. */
export async function expectSignedInAs(page: Page, sub: string): Promise<void> {
  await expectEventually(page.getByText(/^Signed in as /), (text) => text.split('\n')[0]!.trim() === `Signed in as ${sub}`, { description: `"Signed in as ${sub}"` });
}

/**
 * Signs in through the sign-in page: fills "Wallet", clicks "Sign in as <role>", waits for the shell.
 * The member is made a real member of the wallet first (the local stack puts it on PRO if needed).
 */
export async function signIn(page: Page, wallet: string, role: Role): Promise<void> {
  if (!(await page.getByRole('heading', { name: 'Sign in' }).isVisible())) await page.goto('/');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const walletField = page.getByRole('textbox', { name: 'Wallet' });
  await walletField.fill(wallet);
  await page.getByRole('button', { name: `Sign in as ${role}`, exact: true }).click();
  await balanceButton(page).waitFor();
  await expectSignedInAs(page, devSub(wallet, role));
}

/**
 * An invite code to `wallet`'s team, made through the API with its owner's dev token (the wallet needs
 * a free seat: a PRO or TEAM plan). The Team page is where a person makes one; this is test set-up.
 */
export async function inviteCodeFor(stack: LocalStack, wallet: string, email: string): Promise<string> {
  const post = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    const answer = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  };
  const { token } = (await post('/_local/token', { sub: wallet })) as { token: string };
  const { code } = (await post('/v1/team/invites', { email, role: 'member' }, token)) as { code: string };
  return code;
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

/** The balance the sidebar shows now. */
export async function readBalance(page: Page): Promise<number> {
  const button = balanceButton(page);
  await button.waitFor();
  const value = parseCredits(await button.getAttribute('aria-label')) || parseCredits(await button.textContent());
  if (Number.isNaN(value)) throw new Error(`The balance button reads "${await button.textContent()}", not "<n> credits"`);
  return value;
}

/** Waits until the sidebar's balance button is named exactly "<n> credits". */
export async function expectBalance(page: Page, credits: number, timeoutMs = EVENTUALLY_MS): Promise<void> {
  const name = `${formatCredits(credits)} credits`;
  try {
    await page.getByRole('button', { name, exact: true }).waitFor({ timeout: timeoutMs });
  } catch {
    const shown = await balanceButton(page).allTextContents().catch(() => [] as string[]);
    throw new Error(`Expected the balance button "${name}" within ${timeoutMs} ms; the sidebar shows ${JSON.stringify(shown)}`);
  }
}

type Probe<T> = Locator | (() => Promise<T>);

/**
 * Polls until `predicate` holds for the locator's text (or the probe's value); fails with a clear
 * message naming what was expected and what was last seen.
 */
export async function expectEventually<T = string>(
  target: Probe<T>,
  predicate: (value: T) => boolean,
  { timeoutMs = EVENTUALLY_MS, description = 'the condition', intervalMs = 100 }: { timeoutMs?: number; description?: string; intervalMs?: number } = {},
): Promise<T> {
  const read: () => Promise<T> =
    typeof target === 'function'
      ? target
      : async () => {
          const count = await target.count();
          if (count === 0) throw new Error('no element matches');
          return (await target.allInnerTexts()).join('\n') as T;
        };
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const value = await read();
      if (predicate(value)) return value;
      last = JSON.stringify(value);
    } catch (error) {
      last = `error: ${(error as Error).message.split('\n')[0]}`;
    }
    if (Date.now() > deadline) {
      const where = typeof target === 'function' ? '' : ` (${String(target)})`;
      throw new Error(`Expected ${description}${where} within ${timeoutMs} ms; last saw ${last}`);
    }
    await sleep(intervalMs);
  }
}

/** Waits until exactly `n` elements match (a `toHaveCount` for playwright-core). */
export async function expectCount(locator: Locator, n: number, timeoutMs = EVENTUALLY_MS): Promise<void> {
  await expectEventually(() => locator.count(), (count) => count === n, { timeoutMs, description: `${n} element(s) matching ${String(locator)}` });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core on the page; answers the violations with impact "serious" or "critical". */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as Record<string, unknown>)['axe'] !== 'undefined');
  if (!loaded) await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(async () => {
    const engine = (globalThis as unknown as { axe: { run: () => Promise<{ violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await engine.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export const describeViolations = (violations: AxeViolation[]): string =>
  violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.targets.join('\n    ')}`).join('\n');

/** Navigates through the "Main" navigation, as a person would. */
export async function goTo(page: Page, link: 'Generate' | 'Billing' | 'Admin'): Promise<void> {
  const target = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true });
  // On a narrow screen the navigation may sit behind a menu button: open it as a person would.
  if (!(await target.isVisible())) {
    const menu = page.getByRole('button', { name: /menu|navigation/i });
    if ((await menu.count()) > 0) await menu.first().click();
  }
  await target.click();
  const heading = link === 'Admin' ? 'Admin: coupons' : link;
  await page.getByRole('heading', { name: heading, exact: true }).waitFor();
}

/** A region (a `<section>` named by its heading) on the Billing page. */
export const region = (page: Page, name: string): Locator => page.getByRole('region', { name, exact: true });

/**
 * Reloads the page. The spec does not say whether a session survives a reload: if the sign-in page
 * comes back, sign in again as the same person and return to the same page through the navigation.
 */
export async function reloadSignedIn(page: Page, wallet: string, role: Role, back?: 'Generate' | 'Billing' | 'Admin'): Promise<void> {
  await page.reload();
  const signInHeading = page.getByRole('heading', { name: 'Sign in' });
  await Promise.race([balanceButton(page).waitFor(), signInHeading.waitFor()]);
  if (await signInHeading.isVisible()) {
    await signIn(page, wallet, role);
    if (back) await goTo(page, back);
  }
}

/**
 * The few browser globals the tests touch inside `page.evaluate` (the project's tsconfig has no DOM
 * lib, and a `/// <reference lib="dom" />` would leak DOM types into the service's code). Use as
 * `const w = globalThis as unknown as BrowserGlobals;` inside the callback: a cast, nothing imported.
 */
export interface BrowserElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly outerHTML: string;
  getAttribute(name: string): string | null;
  contains(other: BrowserElement | null): boolean;
  blur?(): void;
}
export interface BrowserGlobals {
  readonly document: {
    readonly activeElement: BrowserElement | null;
    readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
    readonly body: unknown;
    querySelectorAll(selector: string): Iterable<BrowserElement>;
  };
  readonly performance: { getEntriesByType(type: string): unknown[] };
  readonly MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };
  readonly PerformanceObserver: new (callback: (list: { getEntries(): unknown[] }) => void) => { observe(options: { type: string; buffered?: boolean }): void };
  [marker: `__${string}`]: unknown;
}
