/**
 * Joining a team by invite code from the sign-in page (local stack, docs/web-ui-spec.md): the owner
 * puts the team wallet on PRO (3 seats) from the Billing page and invites someone (through the API
 * here: making invites is the Team page's job); that person enters the code on the sign-in page, joins
 * as themselves, and sees the team wallet's balance, as a member; what they spend comes out of it.
 * A code that is unknown or already used is refused in words and signs nobody in.
 */
import type { Page } from 'playwright-core';
import {
  balanceButton,
  expectBalance,
  expectEventually,
  expectSignedInAs,
  goTo,
  inviteCodeFor,
  readBalance,
  region,
  reloadSignedIn,
  signIn,
  uniqueWallet,
  useBrowserSuite,
} from '../support/browser';

jest.setTimeout(120_000);

const suite = useBrowserSuite();

async function joinFromSignIn(page: Page, person: string, code: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByRole('textbox', { name: 'Wallet' }).fill(person);
  const join = page.getByRole('region', { name: 'Join a team' });
  await join.getByRole('textbox', { name: 'Invite code' }).fill(code);
  await join.getByRole('button', { name: 'Join team' }).click();
}

test("a person joins a team by code from the sign-in page and then sees and spends the team wallet's balance", async () => {
  const owner = await suite.open();
  const team = uniqueWallet('team');
  await signIn(owner.page, team, 'owner');
  await goTo(owner.page, 'Billing');
  const plan = region(owner.page, 'Plan');
  await expectEventually(plan, (t) => t.includes('Current plan: FREE'), { description: '"Current plan: FREE"' });
  await plan.getByRole('button', { name: 'Switch to PRO' }).click();
  await expectEventually(plan, (t) => t.includes('Current plan: PRO'), { description: '"Current plan: PRO"' });
  await suite.stack().settle();
  await reloadSignedIn(owner.page, team, 'owner', 'Billing');
  const teamBalance = await expectEventually(() => readBalance(owner.page), (credits) => credits > 100, { description: "the PRO plan's credits on the team wallet" });

  const code = await inviteCodeFor(suite.stack(), team, 'joiner@example.com');
  const joiner = await suite.open();
  const person = uniqueWallet('joiner');
  await joinFromSignIn(joiner.page, person, code);

  // Signed in as themselves, on the team's wallet: its balance, and a member's view of buying credits.
  await balanceButton(joiner.page).waitFor();
  await expectSignedInAs(joiner.page, person);
  await expectBalance(joiner.page, teamBalance);
  await balanceButton(joiner.page).click();
  const dialog = joiner.page.getByRole('dialog', { name: 'Top up credits' });
  await expectEventually(dialog, (t) => t.includes("Only the wallet's owner can buy credits."), { description: "the member's top-up text" });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // A reload keeps them on the team's wallet.
  await joiner.page.reload();
  await expectBalance(joiner.page, teamBalance);
  await expectSignedInAs(joiner.page, person);

  // What they spend comes out of the team's wallet: the owner sees it too.
  await goTo(joiner.page, 'Generate');
  const node = joiner.page.getByRole('region', { name: 'Generation node' });
  await node.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'GPT Image 2' });
  await node.getByRole('spinbutton', { name: 'Count' }).fill('1');
  await node.getByRole('textbox', { name: 'Prompt' }).fill('A team banana');
  await expectEventually(node, (t) => t.includes('Cost: 5 credits'), { description: '"Cost: 5 credits"' });
  await node.getByRole('button', { name: 'Generate', exact: true }).click();
  await expectEventually(joiner.page.getByRole('list', { name: 'Recent generations' }).getByRole('listitem').first(), (t) => /\bsucceeded\b/.test(t), { description: 'the generation "succeeded"' });
  await expectBalance(joiner.page, teamBalance - 5);
  await reloadSignedIn(owner.page, team, 'owner', 'Billing');
  await expectBalance(owner.page, teamBalance - 5);

  expect(joiner.failedRequests).toEqual([]);
  expect(joiner.errors).toEqual([]);
});

test('an unknown code and a used one are refused in words on the sign-in page, and nobody is signed in', async () => {
  const app = await suite.open();
  const { page } = app;
  await joinFromSignIn(page, uniqueWallet('nocode'), 'JOIN-AAAA-BBBB-CCCC-DDDD');
  await expectEventually(page.getByRole('alert'), (t) => /no invite has that code/i.test(t), { description: 'an alert saying no invite has that code' });
  expect(await balanceButton(page).count()).toBe(0);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  expect(app.failedRequests).toContain('404 POST /v1/team/join');

  // A wallet with seats (the dev member's sign-in puts it on PRO), an invite, and someone who uses it.
  const team = uniqueWallet('usedteam');
  await signIn((await suite.open()).page, team, 'member');
  const code = await inviteCodeFor(suite.stack(), team, 'first@example.com');
  const first = await suite.open();
  const firstPerson = uniqueWallet('first');
  await joinFromSignIn(first.page, firstPerson, code);
  await expectSignedInAs(first.page, firstPerson);

  await joinFromSignIn(page, uniqueWallet('late'), code);
  await expectEventually(page.getByRole('alert'), (t) => /used, revoked or has expired/i.test(t), { description: 'an alert saying the invite was used' });
  expect(await balanceButton(page).count()).toBe(0);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
});
