/**
 * The billing web app's main flow as a new user walks it, asserting on what the page shows
 * (docs/web-ui-spec.md): an admin issues a coupon, a fresh wallet's owner sees its free credits,
 * redeems the code, tops up without a reload, generates (one success, one failure refunded), saves
 * auto-refill, upgrades to PRO (a plan with seats), and a member of the same wallet (joined through a
 * real invite, which needs no plan change on PRO) sees the same balance and no owner-only actions.
 *
 * The steps share one page and run in order; each names what it needs from the previous one.
 * Screenshots for the docs are written at 1280×800 to docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  balanceButton,
  expectBalance,
  expectCount,
  expectEventually,
  goTo,
  openApp,
  readBalance,
  region,
  reloadSignedIn,
  signIn,
  signOut,
  uniqueWallet,
  useBrowserSuite,
  type AppPage,
  type BrowserGlobals,
} from '../support/browser';

jest.setTimeout(120_000);

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
const CODE_PATTERN = /^WELCOME(-[A-Z0-9]{4}){2}$/;

const suite = useBrowserSuite();
let app: AppPage;
let page: Page;
const wallet = uniqueWallet('main');
/** Filled in by the steps, in order. */
let code: string | undefined;
let freeCredits: number | undefined;
let upgradedBalance: number | undefined;

// One page for the whole flow: opened directly, not through suite.open (which closes pages after each test).
beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await openApp(suite.browser(), suite.stack());
  page = app.page;
});

afterEach(() => {
  if (app?.errors.length) console.warn(`Browser errors so far:\n${app.errors.join('\n')}`);
});

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`An earlier step did not complete: ${what}`);
  return value;
};

test('an admin issues a WELCOME coupon code and reads it from "Issued codes"', async () => {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await signIn(page, uniqueWallet('admin'), 'admin');
  await goTo(page, 'Admin');

  await page.getByRole('textbox', { name: 'Campaign' }).fill('WELCOME');
  await page.getByRole('spinbutton', { name: 'Credits per code' }).fill('100');
  await page.getByRole('spinbutton', { name: 'Number of codes' }).fill('1');
  await page.getByRole('button', { name: 'Issue codes' }).click();

  const codes = page.getByRole('list', { name: 'Issued codes' }).getByRole('listitem');
  await expectEventually(() => codes.count(), (n) => n === 1, { description: 'one code in "Issued codes"' });
  const text = ((await codes.first().textContent()) ?? '').trim();
  expect(text).toMatch(CODE_PATTERN);
  code = text;

  await signOut(page);
});

test("a fresh wallet's owner sees the FREE plan's monthly credits on the balance button", async () => {
  await signIn(page, wallet, 'owner');
  const balance = await readBalance(page);
  expect(await balanceButton(page).textContent()).toMatch(/^\s*[\d,]+ credits\s*$/);
  // A new FREE account is granted 100 subscription credits; the page says so in the plan and bucket rows too.
  expect(balance).toBe(100);
  await goTo(page, 'Billing');
  await expectEventually(region(page, 'Plan'), (t) => t.includes('Current plan: FREE'), { description: '"Current plan: FREE"' });
  const subscriptionRow = region(page, 'Balance by bucket').getByRole('row').filter({ hasText: 'Subscription' });
  await expectEventually(subscriptionRow, (t) => /\b100\b/.test(t) && /Expires /.test(t), { description: 'the Subscription row with 100 credits and its expiry' });
  freeCredits = balance;
});

test('the owner redeems the code typed in lower case with spaces around it', async () => {
  const theCode = need(code, 'the issued code');
  const before = need(freeCredits, 'the starting balance');
  const redeem = region(page, 'Redeem a coupon');
  await redeem.getByRole('textbox', { name: 'Coupon code' }).fill(`  ${theCode.toLowerCase()}  `);
  await redeem.getByRole('button', { name: 'Redeem' }).click();

  await expectEventually(
    page.getByRole('status').filter({ hasText: 'Redeemed' }),
    (t) => t.includes(`Redeemed ${theCode}: 100 credits added to your Coupon credits.`),
    { description: `"Redeemed ${theCode}: 100 credits added to your Coupon credits."` },
  );
  const couponRow = region(page, 'Balance by bucket').getByRole('row').filter({ hasText: 'Coupon' });
  await expectEventually(couponRow, (t) => /\b100\b/.test(t) && t.includes('Never expires'), { description: 'the Coupon row with 100 credits, never expiring' });
  await expectBalance(page, before + 100);
});

test('a 1,000-credit top-up shows "Payment pending…" and then raises the balance without a reload', async () => {
  const before = await readBalance(page);
  const urlBefore = page.url();
  await page.evaluate(() => {
    const w = globalThis as unknown as BrowserGlobals & { __noReloadMarker: string; __seenStatus: string[] };
    w.__noReloadMarker = 'still here';
    w.__seenStatus = [];
    // The pending status may last only a moment: record every status text the page shows.
    new w.MutationObserver(() => {
      for (const el of w.document.querySelectorAll('[role="status"], output')) {
        const text = (el.textContent ?? '').trim();
        if (text && !w.__seenStatus.includes(text)) w.__seenStatus.push(text);
      }
    }).observe(w.document.body, { subtree: true, childList: true, characterData: true });
  });
  const navigations = await page.evaluate(() => (globalThis as unknown as BrowserGlobals).performance.getEntriesByType('navigation').length);

  await balanceButton(page).click();
  const dialog = page.getByRole('dialog', { name: 'Top up credits' });
  await dialog.waitFor();
  await dialog.getByRole('radiogroup', { name: 'Amount' }).getByRole('radio', { name: '1,000 credits', exact: true }).check();
  await expectEventually(dialog, (t) => t.includes('Price: $10.00'), { description: '"Price: $10.00"' });
  await page.screenshot({ path: join(SCREENSHOTS, 'sidebar-topup-modal.png') });

  await dialog.getByRole('button', { name: 'Pay $10.00', exact: true }).click();
  await expectEventually(
    () => page.evaluate(() => (globalThis as unknown as { __seenStatus: string[] }).__seenStatus),
    (seen) => seen.some((t) => t.includes('Payment pending…')),
    { description: 'the status "Payment pending…" while the payment is confirmed' },
  );
  await expectEventually(page.getByRole('status').filter({ hasText: 'Paid:' }), (t) => t.includes('Paid: 1,000 credits added.'), { description: '"Paid: 1,000 credits added."' });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await expectBalance(page, before + 1_000);

  expect(page.url()).toBe(urlBefore);
  expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).performance.getEntriesByType('navigation').length)).toBe(navigations);
  expect(await page.evaluate(() => (globalThis as unknown as { __noReloadMarker?: string }).__noReloadMarker)).toBe('still here');
});

test('Generate shows the cost and the buckets that pay before generating, and the job succeeds', async () => {
  const before = await readBalance(page);
  await goTo(page, 'Generate');
  const node = page.getByRole('region', { name: 'Generation node' });
  await node.getByRole('textbox', { name: 'Prompt' }).fill('A banana surfing a wave at sunset');
  await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Nano Banana 2' });
  await node.getByRole('spinbutton', { name: 'Count' }).fill('3');
  // 8 credits an image; the FREE grant's subscription credits drain first.
  await expectEventually(node, (t) => t.includes('Cost: 24 credits'), { description: '"Cost: 24 credits" before Generate' });
  await expectEventually(node, (t) => t.includes('Paid from: Subscription 24'), { description: '"Paid from: Subscription 24" before Generate' });

  await node.getByRole('button', { name: 'Generate', exact: true }).click();
  const recent = page.getByRole('list', { name: 'Recent generations' }).getByRole('listitem');
  // The list item names the model and the count (3, after the model's own name) and its status.
  await expectEventually(recent.first(), (t) => /Nano Banana 2\D+3\b/.test(t) && /\bsucceeded\b/.test(t), { description: 'the newest generation (Nano Banana 2, 3) "succeeded"' });
  await expectEventually(recent.first(), (t) => t.includes('A banana surfing a wave at sunset'), { description: 'the prompt shown with the generation' });
  await expectCount(recent.first().getByRole('img'), 3);
  await expectBalance(page, before - 24);
});

test('a simulated model error fails the job and refunds its credits', async () => {
  const before = await readBalance(page);
  const node = page.getByRole('region', { name: 'Generation node' });
  await node.getByRole('combobox', { name: 'Simulate' }).selectOption({ label: 'Model error' });
  await expectEventually(node, (t) => t.includes('Cost: 24 credits'), { description: '"Cost: 24 credits"' });
  const recent = page.getByRole('list', { name: 'Recent generations' }).getByRole('listitem');
  const countBefore = await recent.count();
  await node.getByRole('button', { name: 'Generate', exact: true }).click();

  await expectEventually(() => recent.count(), (n) => n === countBefore + 1, { description: 'a new entry in "Recent generations"' });
  await expectEventually(recent.first(), (t) => /\bfailed\b/.test(t) && t.includes('Refunded 24 credits'), { description: 'the newest generation "failed" and "Refunded 24 credits"' });
  await expectBalance(page, before);
});

test('the owner turns auto-refill on and the settings persist across a reload', async () => {
  await goTo(page, 'Billing');
  const refill = region(page, 'Auto-refill');
  // As a person would, wait until the section shows its current state before changing it (the form
  // takes input earlier, and the saved state arriving afterwards replaces what was typed).
  await expectEventually(refill, (t) => /\b(On|Off) · /.test(t), { description: "auto-refill's current state" });
  await refill.getByRole('checkbox', { name: 'Auto-refill on' }).check();
  await refill.getByRole('spinbutton', { name: 'Threshold (credits)' }).fill('200');
  await refill.getByRole('spinbutton', { name: 'Refill amount (credits)' }).fill('500');
  await refill.getByRole('spinbutton', { name: 'Monthly cap (credits)' }).fill('2000');
  await refill.getByRole('button', { name: 'Save auto-refill' }).click();
  await expectEventually(refill.getByRole('status'), (t) => t.includes('Auto-refill saved') && !/\boff\b/i.test(t), { description: '"Auto-refill saved" (and not "off")' });
  await expectEventually(refill, (t) => /\bOn · /.test(t), { description: 'the current state "On"' });

  await reloadSignedIn(page, wallet, 'owner', 'Billing');
  const after = region(page, 'Auto-refill');
  await after.getByRole('checkbox', { name: 'Auto-refill on' }).waitFor();
  await expectEventually(() => after.getByRole('checkbox', { name: 'Auto-refill on' }).isChecked(), (on) => on, { description: 'auto-refill still on after the reload' });
  expect(await after.getByRole('spinbutton', { name: 'Threshold (credits)' }).inputValue()).toBe('200');
  expect(await after.getByRole('spinbutton', { name: 'Refill amount (credits)' }).inputValue()).toBe('500');
  expect(await after.getByRole('spinbutton', { name: 'Monthly cap (credits)' }).inputValue()).toBe('2000');
});

test('the owner switches to PRO', async () => {
  const beforeUpgrade = await readBalance(page);
  const plan = region(page, 'Plan');
  await expectEventually(plan, (t) => t.includes('Current plan: FREE'), { description: '"Current plan: FREE"' });
  // From FREE, PRO is an upgrade: the button's line says it is charged now.
  await expectEventually(plan, (t) => /charged now/i.test(t), { description: 'an upgrade "charged now"' });
  await plan.getByRole('button', { name: 'Switch to PRO' }).click();
  await expectEventually(plan, (t) => t.includes('Current plan: PRO'), { description: '"Current plan: PRO"' });
  await expectEventually(plan.getByRole('status'), (t) => t.includes('PRO'), { description: 'a status saying what happened to the plan' });

  // The upgrade's credits arrive with its paid invoice: once the webhooks have landed, the page shows more credits.
  await suite.stack().settle();
  await reloadSignedIn(page, wallet, 'owner', 'Billing');
  await expectEventually(region(page, 'Plan'), (t) => t.includes('Current plan: PRO'), { description: '"Current plan: PRO" after a reload' });
  upgradedBalance = await expectEventually(() => readBalance(page), (credits) => credits > beforeUpgrade, { description: `a balance above ${beforeUpgrade} once the upgrade is paid` });
  await region(page, 'Recent activity').getByRole('table').waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, 'billing-page.png'), fullPage: true });
});

test('a member of the same wallet has no owner-only actions but sees the balance, activity and coupons', async () => {
  const ownerBalance = need(upgradedBalance, "the owner's balance after the upgrade");
  await signOut(page);
  // PRO has seats: the member joins through an invite, and the wallet's plan and balance stay as they were.
  await signIn(page, wallet, 'member');
  await expectBalance(page, ownerBalance);

  await goTo(page, 'Billing');
  await expectEventually(page.getByRole('main'), (t) => t.includes("Only the wallet's owner can manage the plan, top-ups, auto-refill and pay-as-you-go."), {
    description: "the member's explanation of what only the owner can do",
  });
  expect(await page.getByRole('button', { name: /^Switch to / }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Save auto-refill' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Cancel subscription' }).count()).toBe(0);
  await region(page, 'Balance by bucket').waitFor();
  await region(page, 'Recent activity').getByRole('table').waitFor();
  await region(page, 'Redeem a coupon').getByRole('textbox', { name: 'Coupon code' }).waitFor();

  await balanceButton(page).click();
  const dialog = page.getByRole('dialog', { name: 'Top up credits' });
  await dialog.waitFor();
  await expectEventually(dialog, (t) => t.includes("Only the wallet's owner can buy credits."), { description: "the member's top-up refusal text" });
  const pay = dialog.getByRole('button', { name: /^Pay\b/ });
  for (let i = 0; i < (await pay.count()); i += 1) expect(await pay.nth(i).isEnabled()).toBe(false);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
  expect(await readBalance(page)).toBe(ownerBalance);
});

test('the whole flow raised no error in the page and no failed API call', () => {
  expect(app.errors).toEqual([]);
  expect(app.failedRequests).toEqual([]);
});
