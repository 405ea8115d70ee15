/**
 * The Team page as people use it (docs/web-ui-spec.md, "Team page"): a wallet on FREE is told it has
 * no seats for members and follows the link to Billing to upgrade to PRO; the owner invites (sees the
 * code once, copies it), the invite is pending and takes a seat, is revoked, invited again; another
 * person joins with the code on the sign-in page (the revoked code is refused); the owner caps them;
 * they generate until the cap and are told in words that it stops them; the owner sees their spending
 * and usage by model; the owner removes them and their next step says they are not a member; another
 * wallet's member leaves by themselves. Also: the keyboard in the editor and confirms, axe-core and a
 * 360 px phone on the page.
 *
 * The steps share two pages (owner, member) and run in order; each names what it needs from before.
 * The screenshot for the docs is written at 1280×800 to docs/screenshots/team-page.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import {
  balanceButton,
  describeViolations,
  expectCount,
  expectEventually,
  expectSignedInAs,
  goTo,
  openApp,
  region,
  seriousAxeViolations,
  signIn,
  uniqueWallet,
  useBrowserSuite,
  type AppPage,
  type BrowserGlobals,
} from '../support/browser';

jest.setTimeout(90_000);

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
const INVITE_CODE = /\bJOIN(-[A-Z0-9]{4}){4}\b/;
const EMAIL = 'ana@example.com';
const MODEL = 'Nano Banana 2';

const suite = useBrowserSuite();
const wallet = uniqueWallet('team');
/** The person who joins with the code (on the sign-in page, the "Wallet" field names them). */
const joiner = uniqueWallet('ana');
let owner: AppPage;
let member: AppPage | undefined;
/** Filled in by the steps, in order. */
let revokedCode: string | undefined;
let code: string | undefined;
let capCredits: number | undefined;
let priceCredits: number | undefined;

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`An earlier step did not complete: ${what}`);
  return value;
};

// Two pages for the whole flow, opened directly (suite.open closes pages after each test).
beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  owner = await openApp(suite.browser(), suite.stack());
  await owner.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.stack().baseUrl });
});

afterEach(() => {
  for (const app of [owner, member]) if (app?.errors.length) console.warn(`Browser errors so far:\n${app.errors.splice(0).join('\n')}`);
});

afterAll(async () => {
  await member?.context.close();
  await owner?.context.close();
});

/** Joins with an invite code on the sign-in page, as the person named in "Wallet" (docs/web-ui-spec.md). */
async function joinFromSignIn(page: Page, person: string, joinCode: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByRole('textbox', { name: 'Wallet' }).fill(person);
  const join = page.getByRole('region', { name: 'Join a team' });
  await join.getByRole('textbox', { name: 'Invite code' }).fill(joinCode);
  await join.getByRole('button', { name: 'Join team' }).click();
}

async function goToTeam(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Team', exact: true }).click();
  await page.getByRole('heading', { name: 'Team', exact: true, level: 1 }).waitFor();
}

/** Leaves the Team page and comes back: it reads the team again, as a person refreshing it would. */
async function revisitTeam(page: Page): Promise<void> {
  await goTo(page, 'Generate');
  await goToTeam(page);
}

async function expectFocused(locator: Locator, what: string): Promise<void> {
  await expectEventually(() => locator.evaluate((el) => el === (globalThis as unknown as BrowserGlobals).document.activeElement), (focused) => focused, { description: `the focus on ${what}` });
}

async function expectNoSeriousAxe(page: Page, label: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(`${label}: ${describeViolations(violations)}`).toBe(`${label}: `);
}

async function expectNoSideways(page: Page, label: string): Promise<void> {
  const { scrollWidth, wide } = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number }; querySelectorAll(s: string): Iterable<{ tagName: string; className: unknown; getBoundingClientRect(): { right: number } }> } }).document;
    // The elements reaching past the viewport, to say what to fix.
    const wide = [...doc.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 361).map((e) => `${e.tagName.toLowerCase()}.${String(e.className)}`);
    return { scrollWidth: doc.documentElement.scrollWidth, wide: wide.slice(0, 8) };
  });
  if (scrollWidth > 360) throw new Error(`${label}: the page scrolls sideways at 360 px (scrollWidth ${scrollWidth}; past the edge: ${wide.join(', ')})`);
}

test('on FREE (one seat), the Team page says it cannot invite and links to Billing, where the owner upgrades to PRO', async () => {
  const page = owner.page;
  await signIn(page, wallet, 'owner');
  await goToTeam(page);
  await expectEventually(region(page, 'Seats'), (t) => t.includes('1 of 1 seat used') && /FREE plan has no seats for members/.test(t), { description: '"1 of 1 seat used" and no seats for members on FREE' });
  const invite = region(page, 'Invite someone');
  await expectEventually(invite, (t) => t.includes('You cannot invite anyone on FREE'), { description: 'the invite form explaining it cannot invite' });
  expect(await invite.getByRole('textbox', { name: 'E-mail' }).count()).toBe(0);

  await invite.getByRole('link', { name: 'Upgrade on Billing' }).click();
  await page.getByRole('heading', { name: 'Billing', exact: true }).waitFor();
  const plan = region(page, 'Plan');
  await expectEventually(plan, (t) => t.includes('Current plan: FREE'), { description: '"Current plan: FREE"' });
  await plan.getByRole('button', { name: 'Switch to PRO' }).click();
  await expectEventually(plan, (t) => t.includes('Current plan: PRO'), { description: '"Current plan: PRO"' });
  await suite.stack().settle();

  await goToTeam(page);
  await expectEventually(region(page, 'Seats'), (t) => t.includes('1 of 3 seats used') && t.includes('on PRO'), { description: '"1 of 3 seats used" on PRO' });
});

test('the owner invites (the code is shown once and copied), the invite is pending and takes a seat, is revoked, and invited again', async () => {
  const page = owner.page;
  const invite = region(page, 'Invite someone');
  const pending = region(page, 'Pending invites');
  const inviteOnce = async (previous?: string): Promise<string> => {
    await invite.getByRole('textbox', { name: 'E-mail' }).fill(EMAIL);
    await invite.getByRole('combobox', { name: 'Role' }).selectOption({ label: 'Member' });
    await invite.getByRole('button', { name: 'Create invite' }).click();
    const shown = invite.getByRole('group', { name: `Invite code for ${EMAIL}` });
    const text = await expectEventually(shown, (t) => INVITE_CODE.test(t) && (!previous || !t.includes(previous)), { description: 'the new invite code' });
    return INVITE_CODE.exec(text)![0];
  };

  revokedCode = await inviteOnce();
  await invite.getByRole('button', { name: `Copy the invite code for ${EMAIL}` }).click();
  await expectEventually(invite.getByRole('status'), (t) => t.includes('Copied the code.'), { description: '"Copied the code."' });
  const copied = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
  expect(copied).toBe(revokedCode);
  await expectEventually(pending.getByRole('row'), (t) => t.includes(EMAIL) && t.includes('Member'), { description: `a pending invite for ${EMAIL}` });
  await expectEventually(region(page, 'Seats'), (t) => t.includes('2 of 3 seats used'), { description: '"2 of 3 seats used"' });

  await pending.getByRole('button', { name: `Revoke the invite for ${EMAIL}` }).click();
  await expectEventually(pending, (t) => t.includes('No pending invites.') && t.includes(`Revoked the invite for ${EMAIL}`), { description: 'the invite revoked' });
  await expectEventually(region(page, 'Seats'), (t) => t.includes('1 of 3 seats used'), { description: '"1 of 3 seats used" again' });

  code = await inviteOnce(revokedCode);
  expect(code).not.toBe(revokedCode);
  await expectEventually(pending.getByRole('row'), (t) => t.includes(EMAIL), { description: `the new pending invite for ${EMAIL}` });
  await expectEventually(region(page, 'Seats'), (t) => t.includes('2 of 3 seats used'), { description: '"2 of 3 seats used"' });
});

test('another person joins with the code on the sign-in page (the revoked code is refused) and is a member of the wallet', async () => {
  const joinCode = need(code, 'the invite code');
  member = await openApp(suite.browser(), suite.stack());
  await joinFromSignIn(member.page, joiner, need(revokedCode, 'the revoked code'));
  await expectEventually(member.page.getByRole('alert'), (t) => /used, revoked or has expired/i.test(t), { description: 'the revoked code refused in words' });
  expect(await balanceButton(member.page).count()).toBe(0);

  await joinFromSignIn(member.page, joiner, joinCode);
  await balanceButton(member.page).waitFor();
  await expectSignedInAs(member.page, joiner);
  await goToTeam(member.page);
  const mine = region(member.page, 'Your membership');
  await expectEventually(mine, (t) => /Role\s*Member/.test(t) && /Monthly cap\s*No cap/.test(t) && t.includes(wallet), { description: 'their role, "No cap" and the wallet' });
  // A member sees only their own row: no member table, no invite form.
  expect(await region(member.page, 'Members').count()).toBe(0);
  expect(await region(member.page, 'Invite someone').count()).toBe(0);

  await revisitTeam(owner.page);
  const row = region(owner.page, 'Members').getByRole('row', { name: new RegExp(EMAIL) });
  await expectEventually(row, (t) => t.includes('Member') && t.includes('No cap'), { description: `${EMAIL} in the member table` });
  await expectEventually(region(owner.page, 'Pending invites'), (t) => t.includes('No pending invites.'), { description: 'the invite used up' });
});

test('the owner sets a cap; the member generates until it and is told in words that the cap stops them', async () => {
  const pricing = (await (await fetch(`${suite.stack().baseUrl}/v1/pricing`)).json()) as { models: { name: string; credits: number }[] };
  const price = pricing.models.find((m) => m.name === MODEL)!.credits;
  const cap = 2 * price + Math.ceil(price / 2); // two generations fit, a third does not
  capCredits = cap;
  priceCredits = price;

  const page = owner.page;
  const members = region(page, 'Members');
  // From the keyboard: the editor takes focus (its Role field), Tab to the cap, Enter saves.
  await members.getByRole('button', { name: `Change ${EMAIL}` }).press('Enter');
  const editor = page.getByRole('form', { name: `Change ${EMAIL}` });
  await expectFocused(editor.getByRole('combobox', { name: 'Role' }), 'the Role field of the open editor');
  await page.keyboard.press('Tab');
  await expectFocused(editor.getByRole('spinbutton', { name: 'Monthly cap (credits)' }), 'the cap field');
  await page.keyboard.type(String(cap));
  await page.keyboard.press('Enter');
  await expectEventually(members.getByRole('status'), (t) => t.includes(`Saved ${EMAIL}`), { description: `"Saved ${EMAIL}"` });
  await expectEventually(members.getByRole('row', { name: new RegExp(EMAIL) }), (t) => t.includes(`${cap} credits a month`) && t.includes(`0 of ${cap} credits`), { description: `the cap ${cap} and "0 of ${cap} credits"` });

  const m = need(member, 'the member signed in').page;
  await goTo(m, 'Generate');
  const node = m.getByRole('region', { name: 'Generation node' });
  await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: MODEL });
  await node.getByRole('spinbutton', { name: 'Count' }).fill('1');
  await node.getByRole('textbox', { name: 'Prompt' }).fill('A banana within its cap');
  await expectEventually(node, (t) => t.includes(`Cost: ${price} credits`), { description: `"Cost: ${price} credits"` });
  const recent = m.getByRole('list', { name: 'Recent generations' }).getByRole('listitem');
  for (let i = 1; i <= 2; i += 1) {
    await node.getByRole('button', { name: 'Generate', exact: true }).click();
    await expectCount(recent, i);
  }
  // The quote knows the cap: the next generation is refused before it is asked for, in words.
  await expectEventually(node, (t) => t.includes('Over your monthly cap') && t.includes(`Your monthly cap: ${2 * price} credits of ${cap} credits spent`), { description: '"Over your monthly cap" and what is spent of it' });
  expect(await node.getByRole('button', { name: 'Generate', exact: true }).isDisabled()).toBe(true);
  expect(await recent.count()).toBe(2);

  await goToTeam(m);
  await expectEventually(region(m, 'Your membership'), (t) => t.includes(`${2 * price} credits of ${cap} credits`), { description: 'their spending of their cap' });
});

test('the owner sees the member’s spending and usage by model and day (and the page is axe-clean and fits 360 px)', async () => {
  const cap = need(capCredits, 'the cap');
  const spent = 2 * need(priceCredits, "the model's price");
  const page = owner.page;
  await revisitTeam(page);
  await expectEventually(region(page, 'Members').getByRole('row', { name: new RegExp(EMAIL) }), (t) => t.includes(`${spent} of ${cap} credits`), { description: `"${spent} of ${cap} credits" spent this period` });
  const usage = region(page, 'Usage');
  const usageRow = usage.getByRole('row', { name: new RegExp(`${EMAIL}.*${MODEL}`) });
  // Day, member, model, generations, credits, refunded.
  await expectEventually(usageRow, (t) => new RegExp(`${MODEL}\\s+2\\s+${spent}\\s+0\\s*$`).test(t), { description: `a usage row for ${EMAIL} and ${MODEL}: 2 generations, ${spent} credits` });
  await expect(usage.getByRole('img', { name: /^Credits per day, .* in total/ }).count()).resolves.toBe(1);
  await page.screenshot({ path: join(SCREENSHOTS, 'team-page.png'), fullPage: true });

  await expectNoSeriousAxe(page, 'owner Team page');
  await page.setViewportSize({ width: 360, height: 740 });
  await expectNoSideways(page, 'owner Team page');
  await page.setViewportSize({ width: 1280, height: 800 });

  const m = need(member, 'the member signed in').page;
  await region(m, 'Your membership').waitFor();
  await expectNoSeriousAxe(m, 'member Team page');
  await m.setViewportSize({ width: 360, height: 740 });
  await expectNoSideways(m, 'member Team page');
});

test('the owner removes the member (after a confirm); the member’s next step says they are not a member', async () => {
  const page = owner.page;
  const members = region(page, 'Members');
  await members.getByRole('button', { name: `Remove ${EMAIL}` }).click();
  const confirm = members.getByRole('group', { name: `Remove ${EMAIL}?` });
  // The safe choice has the focus; removing is a deliberate step.
  await expectFocused(confirm.getByRole('button', { name: `Keep ${EMAIL}` }), `"Keep ${EMAIL}"`);
  await confirm.getByRole('button', { name: `Yes, remove ${EMAIL}` }).click();
  await expectEventually(members.getByRole('status'), (t) => t.includes(`Removed ${EMAIL} from the team.`), { description: `"Removed ${EMAIL}"` });
  await expectCount(members.getByRole('row', { name: new RegExp(EMAIL) }), 0);
  await expectEventually(region(page, 'Seats'), (t) => t.includes('1 of 3 seats used'), { description: '"1 of 3 seats used"' });

  const m = need(member, 'the member signed in').page;
  await revisitTeam(m);
  await expectEventually(m.getByRole('alert'), (t) => t.includes('You are not a member of this wallet.'), { description: '"You are not a member of this wallet."' });
});

test('a member leaves the team (after a confirm) and is told what that means', async () => {
  const { page } = await suite.open();
  const other = uniqueWallet('leave');
  await signIn(page, other, 'member'); // the dev member: a real member of that wallet (on PRO)
  await goToTeam(page);
  const mine = region(page, 'Your membership');
  await expectEventually(mine, (t) => /Role\s*Member/.test(t) && t.includes(other), { description: 'their membership of the wallet' });
  await mine.getByRole('button', { name: 'Leave team' }).click();
  const confirm = mine.getByRole('group', { name: 'Leave the team?' });
  await expectFocused(confirm.getByRole('button', { name: 'Stay' }), '"Stay"');
  await confirm.getByRole('button', { name: 'Yes, leave the team' }).click();
  await expectEventually(page.getByRole('status'), (t) => t.includes(`You left the team of ${other}.`), { description: '"You left the team of …"' });
  await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
});
