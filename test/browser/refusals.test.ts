/**
 * Refusals are shown in words and never blank the page (docs/web-ui-spec.md): a declined card, a
 * refused coupon (unknown; already redeemed), an out-of-range custom top-up amount. Each test signs in
 * as the owner of its own fresh wallet.
 */
import {
  balanceButton,
  expectBalance,
  expectEventually,
  goTo,
  readBalance,
  region,
  reloadSignedIn,
  signIn,
  uniqueWallet,
  useBrowserSuite,
  type AppPage,
} from '../support/browser';

jest.setTimeout(120_000);

const suite = useBrowserSuite();

async function ownerOfFreshWallet(prefix: string) {
  const app = await suite.open();
  const wallet = uniqueWallet(prefix);
  await signIn(app.page, wallet, 'owner');
  return { ...app, wallet };
}

/** Words for a person: not an error code (snake_case), not JSON, not a bare HTTP status. */
function expectWords(text: string): void {
  expect(text.trim().length).toBeGreaterThan(10);
  expect(text).not.toMatch(/\b[a-z]+_[a-z_]+\b/);
  expect(text).not.toMatch(/[{}]/);
  expect(text).not.toMatch(/^\s*(error\s*)?\d{3}\b/i);
}

/** The shell and the Billing page's other sections are still there (an API error never blanks the page). */
async function expectBillingStillUsable(app: AppPage): Promise<void> {
  const { page } = app;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate' }).waitFor();
  await balanceButton(page).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.getByRole('heading', { name: 'Billing' }).waitFor();
  await region(page, 'Balance by bucket').getByRole('table').waitFor();
  await region(page, 'Recent activity').waitFor();
  await region(page, 'Plan').waitFor();
  expect(app.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
}

test('a declined card shows "Your card was declined" and the balance does not change', async () => {
  const { page, wallet } = await ownerOfFreshWallet('declined');
  const before = await readBalance(page);
  await balanceButton(page).click();
  const dialog = page.getByRole('dialog', { name: 'Top up credits' });
  await dialog.waitFor();
  await dialog.getByRole('combobox', { name: 'Test card' }).selectOption({ label: 'Is declined' });
  await dialog.getByRole('radio', { name: '1,000 credits', exact: true }).check();
  await dialog.getByRole('button', { name: 'Pay $10.00', exact: true }).click();

  const alert = await expectEventually(dialog.getByRole('alert'), (t) => t.includes('Your card was declined'), { description: 'an alert "Your card was declined"' });
  expectWords(alert);
  expect(await dialog.getByRole('status').filter({ hasText: 'Paid:' }).count()).toBe(0);

  // Whatever the simulator still had to say has been said: nothing was credited.
  await suite.stack().settle();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await reloadSignedIn(page, wallet, 'owner');
  await expectBalance(page, before);
  expect(await readBalance(page)).toBe(before);
});

test('an unknown coupon code is refused next to the field, in words, and the page stays usable', async () => {
  const app = await ownerOfFreshWallet('unknowncode');
  const { page } = app;
  const before = await readBalance(page);
  await goTo(page, 'Billing');
  const redeem = region(page, 'Redeem a coupon');
  await redeem.getByRole('textbox', { name: 'Coupon code' }).fill('NOSUCH-AAAA-BBBB');
  await redeem.getByRole('button', { name: 'Redeem' }).click();

  const message = await expectEventually(redeem.getByRole('alert'), (t) => t.trim().length > 0, { description: 'an alert in the "Redeem a coupon" section' });
  expectWords(message);
  expect(message).toMatch(/coupon|code/i);
  expect(app.failedRequests).toContain('404 POST /v1/coupons/redeem'); // the API refused it, in its words
  await expectBillingStillUsable(app);
  expect(await redeem.getByRole('status').filter({ hasText: 'Redeemed' }).count()).toBe(0);
  expect(await readBalance(page)).toBe(before);
});

test('the same code redeemed twice: the second time is refused as already redeemed', async () => {
  // An admin issues one code in a context of its own.
  const admin = await suite.open();
  await signIn(admin.page, uniqueWallet('admin'), 'admin');
  await goTo(admin.page, 'Admin');
  await admin.page.getByRole('textbox', { name: 'Campaign' }).fill('TWICE');
  await admin.page.getByRole('spinbutton', { name: 'Credits per code' }).fill('100');
  await admin.page.getByRole('spinbutton', { name: 'Number of codes' }).fill('1');
  await admin.page.getByRole('button', { name: 'Issue codes' }).click();
  const issued = admin.page.getByRole('list', { name: 'Issued codes' }).getByRole('listitem');
  const code = (await expectEventually(issued, (t) => /^TWICE(-[A-Z0-9]{4}){2}$/.test(t.trim()), { description: 'one TWICE code' })).trim();

  const app = await ownerOfFreshWallet('twice');
  const { page } = app;
  const before = await readBalance(page);
  await goTo(page, 'Billing');
  const redeem = region(page, 'Redeem a coupon');
  const field = redeem.getByRole('textbox', { name: 'Coupon code' });
  await field.fill(code);
  await redeem.getByRole('button', { name: 'Redeem' }).click();
  await expectEventually(redeem.getByRole('status'), (t) => t.includes(`Redeemed ${code}: 100 credits added to your Coupon credits.`), { description: 'the first redemption succeeding' });
  await expectBalance(page, before + 100);

  await field.fill(code);
  await redeem.getByRole('button', { name: 'Redeem' }).click();
  const message = await expectEventually(redeem.getByRole('alert'), (t) => /already/i.test(t), { description: 'an alert saying the code was already redeemed' });
  expectWords(message);
  expect(app.failedRequests).toContain('409 POST /v1/coupons/redeem');
  await expectBillingStillUsable(app);
  await expectBalance(page, before + 100);
});

test('an out-of-range custom amount shows the range and disables Pay', async () => {
  const { page } = await ownerOfFreshWallet('custom');
  await balanceButton(page).click();
  const dialog = page.getByRole('dialog', { name: 'Top up credits' });
  await dialog.waitFor();
  await dialog.getByRole('radiogroup', { name: 'Amount' }).getByRole('radio', { name: 'Custom amount', exact: true }).check();
  const amount = dialog.getByRole('spinbutton', { name: 'Custom amount (credits)' });
  const pay = dialog.getByRole('button', { name: /^Pay\b/ });
  const range = 'Enter between 100 and 10,000 credits';

  for (const invalid of ['50', '10001', '0']) {
    await amount.fill(invalid);
    await expectEventually(dialog, (t) => t.includes(range), { description: `"${range}" for ${invalid}` });
    await expectEventually(() => pay.isEnabled(), (enabled) => !enabled, { description: `Pay disabled for ${invalid} credits` });
  }

  // A valid amount enables Pay again and prices it: 250 credits at 1 cent each.
  await amount.fill('250');
  await dialog.getByRole('button', { name: 'Pay $2.50', exact: true }).waitFor();
  await expectEventually(() => pay.isEnabled(), (enabled) => enabled, { description: 'Pay enabled for 250 credits' });
  await expectEventually(dialog, (t) => t.includes('Price: $2.50'), { description: '"Price: $2.50"' });
});

test('a generation the balance cannot cover says "Not enough credits" before Generate, and a count above the plan is refused in words', async () => {
  const { page } = await ownerOfFreshWallet('broke');
  const before = await readBalance(page);
  await goTo(page, 'Generate');
  const node = page.getByRole('region', { name: 'Generation node' });
  const generate = node.getByRole('button', { name: 'Generate', exact: true });
  // With a prompt typed, only the cost can keep Generate disabled.
  await node.getByRole('textbox', { name: 'Prompt' }).fill('A banana in pictures, then on video');

  // A new FREE wallet has 100 credits: four Nano Banana Pro images (60) leave 40, less than a Veo 3.1 video (60).
  await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Nano Banana Pro' });
  await node.getByRole('spinbutton', { name: 'Count' }).fill('4');
  await expectEventually(node, (t) => t.includes('Cost: 60 credits'), { description: '"Cost: 60 credits"' });
  await generate.click();
  await expectEventually(page.getByRole('list', { name: 'Recent generations' }).getByRole('listitem').first(), (t) => /\bsucceeded\b/.test(t), { description: 'the four images "succeeded"' });
  await expectBalance(page, before - 60);
  await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Veo 3.1' });
  await node.getByRole('spinbutton', { name: 'Count' }).fill('1');
  await expectEventually(node, (t) => t.includes('Cost: 60 credits') && t.includes('Not enough credits'), { description: '"Cost: 60 credits" and "Not enough credits"' });
  await expectEventually(() => generate.isEnabled(), (enabled) => !enabled, { description: 'Generate disabled' });

  // A video model makes one video per request: two are refused before Generate, in words.
  await node.getByRole('spinbutton', { name: 'Count' }).fill('2');
  expectWords(await expectEventually(node.getByRole('alert'), (t) => t.includes('Veo 3.1'), { description: 'an alert naming Veo 3.1' }));
  expect(await generate.isEnabled()).toBe(false);

  // FREE allows 4 outputs a request: 5 is refused by the API, in words, next to the node.
  await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'GPT Image 2' });
  await node.getByRole('spinbutton', { name: 'Count' }).fill('5');
  const message = await expectEventually(node.getByRole('alert'), (t) => /\b4\b/.test(t), { description: 'an alert naming the plan\'s limit of 4' });
  expectWords(message);
  expect(await generate.isEnabled()).toBe(false);
  await page.getByRole('region', { name: 'Recent generations' }).waitFor();
  expect(await readBalance(page)).toBe(before - 60);
});
