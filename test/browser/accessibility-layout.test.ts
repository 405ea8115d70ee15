/**
 * Accessibility and layout of the billing web app (docs/web-ui-spec.md): axe-core finds no serious or
 * critical violation on any page (signed out; as owner, member and admin; the open top-up dialog), the
 * top-up dialog works from the keyboard, the core flow fits a 360 px wide phone without horizontal
 * scrolling, and a balance change moves nothing on the page.
 */
import type { Page } from 'playwright-core';
import {
  balanceButton,
  describeViolations,
  expectBalance,
  expectEventually,
  goTo,
  readBalance,
  seriousAxeViolations,
  signIn,
  uniqueWallet,
  useBrowserSuite,
  type BrowserElement,
  type BrowserGlobals,
  type Role,
} from '../support/browser';

jest.setTimeout(120_000);

interface Shift {
  value: number;
  input: boolean;
  sources: string[];
}

const suite = useBrowserSuite();
const open = suite.open;

/** Runs axe on what the page shows now and remembers the serious/critical findings under `label`. */
async function scan(page: Page, label: string, findings: string[]): Promise<void> {
  const violations = await seriousAxeViolations(page);
  if (violations.length) findings.push(`${label}:\n  ${describeViolations(violations).replace(/\n/g, '\n  ')}`);
}

const topUpDialog = (page: Page) => page.getByRole('dialog', { name: 'Top up credits' });

async function openTopUp(page: Page) {
  await balanceButton(page).click();
  const dialog = topUpDialog(page);
  await dialog.waitFor();
  return dialog;
}

async function closeTopUp(page: Page) {
  await topUpDialog(page).getByRole('button', { name: 'Close' }).click();
  await topUpDialog(page).waitFor({ state: 'hidden' });
}

describe('axe-core: no serious or critical violations', () => {
  test('on the sign-in page', async () => {
    const { page } = await open();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const findings: string[] = [];
    await scan(page, 'sign-in', findings);
    expect(findings.join('\n')).toBe('');
  });

  for (const role of ['owner', 'member'] as const satisfies readonly Role[]) {
    test(`on Generate, Billing and the open top-up dialog, signed in as ${role}`, async () => {
      const { page } = await open();
      const wallet = uniqueWallet(`axe${role}`);
      await signIn(page, wallet, role);
      const findings: string[] = [];

      await goTo(page, 'Generate');
      await page.getByRole('region', { name: 'Generation node' }).waitFor();
      const node = page.getByRole('region', { name: 'Generation node' });
      await expectEventually(node, (t) => /Cost: [\d,]+ credits|Not enough credits/.test(t), { description: 'the cost line' });
      await scan(page, `${role} Generate`, findings);
      await node.getByRole('textbox', { name: 'Prompt' }).fill('An accessible banana');
      // With a failed (refunded) generation listed: the status words and the refund line.
      await node.getByRole('combobox', { name: 'Simulate' }).selectOption({ label: 'Model error' });
      await expectEventually(node, (t) => /Cost: [\d,]+ credits/.test(t), { description: 'the cost line' });
      await node.getByRole('button', { name: 'Generate', exact: true }).click();
      await expectEventually(page.getByRole('list', { name: 'Recent generations' }).getByRole('listitem').first(), (t) => /Refunded [\d,]+ credits/.test(t), { description: 'a refunded generation' });
      await scan(page, `${role} Generate (a failed generation listed)`, findings);

      await goTo(page, 'Billing');
      await page.getByRole('region', { name: 'Balance by bucket' }).getByRole('table').waitFor();
      await page.getByRole('region', { name: 'Recent activity' }).getByRole('table').waitFor();
      await scan(page, `${role} Billing`, findings);
      // With a refusal shown next to the coupon field.
      const redeem = page.getByRole('region', { name: 'Redeem a coupon' });
      await redeem.getByRole('textbox', { name: 'Coupon code' }).fill('NOSUCH-AAAA-BBBB');
      await redeem.getByRole('button', { name: 'Redeem' }).click();
      await redeem.getByRole('alert').waitFor();
      await scan(page, `${role} Billing (a coupon refused)`, findings);

      const dialog = await openTopUp(page);
      if (role === 'owner') {
        await dialog.getByRole('radio', { name: '1,000 credits', exact: true }).waitFor();
        await scan(page, `${role} top-up dialog`, findings);
        // With an out-of-range custom amount (its message and the disabled Pay).
        await dialog.getByRole('radio', { name: 'Custom amount', exact: true }).check();
        await dialog.getByRole('spinbutton', { name: 'Custom amount (credits)' }).fill('5');
        await expectEventually(() => dialog.getByRole('button', { name: /^Pay\b/ }).isEnabled(), (enabled) => !enabled, { description: 'Pay disabled' });
        await scan(page, `${role} top-up dialog (invalid custom amount)`, findings);
      } else {
        await expectEventually(dialog, (t) => t.includes("Only the wallet's owner can buy credits."), { description: "the member's top-up text" });
        await scan(page, `${role} top-up dialog`, findings);
      }
      await closeTopUp(page);

      expect(findings.join('\n')).toBe('');
    });
  }

  test('on the Admin page with issued codes, signed in as admin', async () => {
    const { page } = await open();
    await signIn(page, uniqueWallet('axeadmin'), 'admin');
    await goTo(page, 'Admin');
    const findings: string[] = [];
    await scan(page, 'admin Admin (empty)', findings);
    await page.getByRole('textbox', { name: 'Campaign' }).fill('AXE');
    await page.getByRole('spinbutton', { name: 'Credits per code' }).fill('10');
    await page.getByRole('spinbutton', { name: 'Number of codes' }).fill('3');
    await page.getByRole('button', { name: 'Issue codes' }).click();
    await expectEventually(() => page.getByRole('list', { name: 'Issued codes' }).getByRole('listitem').count(), (n) => n === 3, { description: 'three issued codes' });
    await scan(page, 'admin Admin (codes issued)', findings);
    expect(findings.join('\n')).toBe('');
  });
});

test('keyboard: Enter on the balance button opens the top-up dialog, Tab stays inside, Escape closes and focus returns', async () => {
  const { page } = await open();
  await signIn(page, uniqueWallet('keys'), 'owner');
  const button = balanceButton(page);
  const isFocused = () => button.evaluate((el) => (el as unknown) === (globalThis as unknown as BrowserGlobals).document.activeElement);

  // Reach the balance button from the top of the page with Tab alone.
  await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.activeElement?.blur?.());
  let reached = false;
  for (let i = 0; i < 40 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await isFocused();
  }
  expect(reached).toBe(true);

  await page.keyboard.press('Enter');
  const dialog = topUpDialog(page);
  await dialog.waitFor();
  const focusInside = () => dialog.evaluate((d) => d.contains((globalThis as unknown as BrowserGlobals).document.activeElement as unknown as typeof d));
  await expectEventually(focusInside, (inside) => inside, { description: 'focus moved into the dialog' });
  const visited = new Set<string>();
  for (let i = 0; i < 25; i += 1) {
    await page.keyboard.press(i < 18 ? 'Tab' : 'Shift+Tab');
    const where = await page.evaluate(() => {
      const el = (globalThis as unknown as BrowserGlobals).document.activeElement;
      return el ? `${el.tagName.toLowerCase()} ${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? ''}` : 'nothing';
    });
    if (!(await focusInside())) throw new Error(`Tab #${i + 1} left the open dialog: focus is on ${where}`);
    visited.add(where);
  }
  // The dialog has several controls (amounts, card, Pay, Close): Tab moved among them.
  expect(visited.size).toBeGreaterThan(2);

  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await expectEventually(isFocused, (focused) => focused, { description: 'focus back on the balance button' });
});

test('a 360 px wide phone: sign in, balance, top-up, generate (and Billing) without horizontal scrolling', async () => {
  const { page } = await open({ width: 360, height: 740 });
  const overflow = async (step: string) => {
    const { scrollWidth, clientWidth } = await page.evaluate(() => {
      const root = (globalThis as unknown as BrowserGlobals).document.documentElement;
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
    });
    if (scrollWidth > 360) throw new Error(`${step}: the page scrolls sideways (scrollWidth ${scrollWidth} > 360, clientWidth ${clientWidth})`);
  };
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await overflow('sign-in page');

  await signIn(page, uniqueWallet('phone'), 'owner');
  const before = await readBalance(page);
  await overflow('signed in');

  const dialog = await openTopUp(page);
  await dialog.getByRole('radio', { name: '500 credits', exact: true }).check();
  await expectEventually(dialog, (t) => t.includes('Price: $5.00'), { description: '"Price: $5.00"' });
  await overflow('top-up dialog');
  await dialog.getByRole('button', { name: 'Pay $5.00', exact: true }).click();
  await expectEventually(dialog.getByRole('status').filter({ hasText: 'Paid:' }), (t) => t.includes('Paid: 500 credits added.'), { description: '"Paid: 500 credits added."' });
  await overflow('top-up paid');
  await closeTopUp(page);
  await expectBalance(page, before + 500);

  await goTo(page, 'Generate');
  const node = page.getByRole('region', { name: 'Generation node' });
  await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'GPT Image 2' });
  await node.getByRole('spinbutton', { name: 'Count' }).fill('1');
  await node.getByRole('textbox', { name: 'Prompt' }).fill('A banana on a phone screen, drawn as a very long prompt that wraps over several lines on a narrow screen');
  await expectEventually(node, (t) => t.includes('Cost: 5 credits'), { description: '"Cost: 5 credits"' });
  await overflow('Generate page');
  await node.getByRole('button', { name: 'Generate', exact: true }).click();
  await expectEventually(page.getByRole('list', { name: 'Recent generations' }).getByRole('listitem').first(), (t) => /\bsucceeded\b/.test(t), { description: 'the generation "succeeded"' });
  await page.getByRole('list', { name: 'Recent generations' }).getByRole('img').first().waitFor();
  await expectBalance(page, before + 500 - 5);
  await overflow('after generating');

  // Billing's wide tables (usage limits: 8 columns) stay within the screen too.
  await goTo(page, 'Billing');
  await page.getByRole('region', { name: 'Usage limits' }).getByRole('table').waitFor();
  await page.getByRole('region', { name: 'Recent activity' }).getByRole('table').waitFor();
  await overflow('Billing page');
});

test('no layout shift when the balance changes', async () => {
  const { page } = await open();
  await signIn(page, uniqueWallet('shift'), 'owner');
  await goTo(page, 'Generate');
  await page.getByRole('region', { name: 'Generation node' }).waitFor();
  const before = await readBalance(page);

  const boxes = async () => ({ balance: await balanceButton(page).boundingBox(), main: await page.getByRole('main').boundingBox() });
  const start = await boxes();
  await page.evaluate(() => {
    const w = globalThis as unknown as BrowserGlobals & { __shifts: Shift[] };
    w.__shifts = [];
    new w.PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<{ value: number; hadRecentInput: boolean; sources?: Array<{ node?: BrowserElement | null }> }>) {
        w.__shifts.push({ value: entry.value, input: entry.hadRecentInput, sources: (entry.sources ?? []).map((s) => (s.node?.outerHTML ?? String(s.node)).slice(0, 100)) });
      }
    }).observe({ type: 'layout-shift', buffered: false });
  });

  const dialog = await openTopUp(page);
  await dialog.getByRole('radio', { name: '1,000 credits', exact: true }).check();
  await dialog.getByRole('button', { name: 'Pay $10.00', exact: true }).click();
  await expectEventually(dialog.getByRole('status').filter({ hasText: 'Paid:' }), (t) => t.includes('Paid: 1,000 credits added.'), { description: '"Paid: 1,000 credits added."' });
  await closeTopUp(page);
  await expectBalance(page, before + 1_000);
  await page.waitForTimeout(500); // let any late layout settle

  const end = await boxes();
  expect(end.main).toEqual(start.main);
  expect({ x: end.balance?.x, y: end.balance?.y, width: end.balance?.width, height: end.balance?.height }).toEqual({
    x: start.balance?.x,
    y: start.balance?.y,
    width: start.balance?.width,
    height: start.balance?.height,
  });
  const shifts = await page.evaluate(() => (globalThis as unknown as { __shifts: Shift[] }).__shifts);
  const unexpected = shifts.filter((s) => !s.input);
  const cumulative = unexpected.reduce((sum, s) => sum + s.value, 0);
  if (cumulative >= 0.01) throw new Error(`Cumulative layout shift ${cumulative.toFixed(4)} ≥ 0.01:\n${JSON.stringify(unexpected, null, 2)}`);
});
