/**
 * The AWS sign-in path (Cognito managed login, authorization code + PKCE) driven in Chromium against a
 * strict fake of Cognito's endpoints (test/fakes/fake-cognito.ts): the app is given the Cognito
 * /config.json the CDK app deploys (intercepted here), signs in, keeps its tokens out of storage,
 * refreshes before expiry, and signs out through /logout; with an invite code it joins the team on the
 * way in and refreshes its tokens, so the pre-token trigger (faked) names the joined wallet. Real
 * Cognito cannot run here; this covers everything the app does with it.
 */
import { startFakeCognito, type FakeCognito } from '../fakes/fake-cognito';
import { balanceButton, expectBalance, expectEventually, expectSignedInAs, inviteCodeFor, uniqueWallet, useBrowserSuite } from '../support/browser';

jest.setTimeout(120_000);

const CLIENT_ID = 'webclient123';
const suite = useBrowserSuite();
let cognito: FakeCognito;

beforeAll(async () => {
  cognito = await startFakeCognito({ clientId: CLIENT_ID, redirectUri: `${suite.stack().baseUrl}/`, jwtSecret: 'local-dev-secret', sub: `cognito-user-${Date.now()}`, expiresInSeconds: 62 });
});

afterAll(async () => {
  await cognito?.stop();
});

test('managed login with PKCE signs in, tokens stay in memory and are refreshed, sign-out ends the Cognito session', async () => {
  const context = await suite.browser().newContext({ baseURL: suite.stack().baseUrl });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.route('**/config.json', (route) =>
    route.fulfill({ json: { auth: { mode: 'cognito', domain: cognito.url, clientId: CLIENT_ID, scopes: ['openid', 'email', 'profile'] }, payments: { mode: 'stripe', publishableKey: null } } }),
  );

  await page.goto('/billing');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  expect(await page.getByRole('button', { name: 'Sign in as owner' }).count()).toBe(0);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Managed login (fake)' }).waitFor();
  await page.getByRole('link', { name: /^Continue as / }).click();

  // Back in the app, signed in, on the page the sign-in started from, the code gone from the address.
  await balanceButton(page).waitFor();
  await expectEventually(page.getByText(/^Signed in as /), (text) => text.includes('cognito-user-'), { description: 'the Cognito user' });
  expect(new URL(page.url()).pathname).toBe('/billing');
  expect(new URL(page.url()).search).toBe('');
  await page.getByRole('heading', { name: 'Billing' }).waitFor();
  expect(cognito.grants).toEqual([{ grantType: 'authorization_code', ok: true }]);

  // Tokens are not kept in storage (the PKCE verifier is removed on return).
  const stored = await page.evaluate<string>('JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage })');
  expect(stored).toBe('{}{}');

  // expires_in is 62 s and the app refreshes a minute early: the next API call refreshes first.
  await page.waitForTimeout(2_500);
  await page.getByRole('link', { name: 'Generate' }).click();
  await page.getByText(/^Cost: \d/).waitFor();
  expect(cognito.grants.filter((g) => g.grantType === 'refresh_token' && g.ok).length).toBeGreaterThanOrEqual(1);
  expect(cognito.grants.filter((g) => !g.ok)).toEqual([]);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  expect(cognito.logouts).toEqual([`${suite.stack().baseUrl}/`]);
  expect(pageErrors).toEqual([]);
  await context.close();
});

test('a sign-in answer that does not match this tab (wrong state) is refused in words', async () => {
  const context = await suite.browser().newContext({ baseURL: suite.stack().baseUrl });
  const page = await context.newPage();
  await page.route('**/config.json', (route) => route.fulfill({ json: { auth: { mode: 'cognito', domain: cognito.url, clientId: CLIENT_ID, scopes: ['openid'] }, payments: { mode: 'stripe', publishableKey: null } } }));
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Managed login (fake)' }).waitFor();
  const href = await page.getByRole('link', { name: /^Continue as / }).getAttribute('href');
  const forged = new URL(href!);
  forged.searchParams.set('state', 'not-this-tab');
  await page.goto(forged.toString());
  await expectEventually(page.getByRole('alert'), (text) => text.includes('did not match this browser tab'), { description: 'the state mismatch message' });
  expect(await balanceButton(page).count()).toBe(0);
  await context.close();
});

/** A local dev token from the stack (the fake trigger and the test's own reads use it). */
async function localToken(claims: { sub: string; account_id?: string }): Promise<string> {
  const response = await fetch(`${suite.stack().baseUrl}/_local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(claims) });
  return ((await response.json()) as { token: string }).token;
}

test('"Sign in and join" with an invite code joins the team, refreshes the tokens and shows the team wallet', async () => {
  // A team wallet with a free seat (PRO, its dev member joined) and an invite for the Cognito user.
  const team = uniqueWallet('cteam');
  const seeded = await fetch(`${suite.stack().baseUrl}/_local/dev-team`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ wallet: team }) });
  expect(seeded.status).toBe(200);
  const code = await inviteCodeFor(suite.stack(), team, 'cognito-joiner@example.com');
  const balance = await fetch(`${suite.stack().baseUrl}/v1/balance`, { headers: { authorization: `Bearer ${await localToken({ sub: team })}` } });
  const teamCredits = ((await balance.json()) as { available: number }).available;

  // The trigger, as the README describes it: the wallet the user is an active member of (asked of the API).
  const sub = `cognito-joiner-${Date.now()}`;
  const isMember = async () => (await fetch(`${suite.stack().baseUrl}/v1/team`, { headers: { authorization: `Bearer ${await localToken({ sub, account_id: team })}` } })).status === 200;
  const joinerCognito = await startFakeCognito({ clientId: CLIENT_ID, redirectUri: `${suite.stack().baseUrl}/`, jwtSecret: 'local-dev-secret', sub, expiresInSeconds: 3600, accountIdOf: async () => ((await isMember()) ? team : undefined) });
  const context = await suite.browser().newContext({ baseURL: suite.stack().baseUrl });
  try {
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.route('**/config.json', (route) =>
      route.fulfill({ json: { auth: { mode: 'cognito', domain: joinerCognito.url, clientId: CLIENT_ID, scopes: ['openid', 'email', 'profile'] }, payments: { mode: 'stripe', publishableKey: null } } }),
    );
    await page.goto('/');
    const join = page.getByRole('region', { name: 'Join a team' });
    await join.getByRole('textbox', { name: 'Invite code' }).fill(code);
    await join.getByRole('button', { name: 'Sign in and join' }).click();
    await page.getByRole('heading', { name: 'Managed login (fake)' }).waitFor();
    await page.getByRole('link', { name: /^Continue as / }).click();

    await balanceButton(page).waitFor();
    await expectSignedInAs(page, sub);
    await expectBalance(page, teamCredits);
    expect(joinerCognito.grants).toEqual([
      { grantType: 'authorization_code', ok: true },
      { grantType: 'refresh_token', ok: true },
    ]);
    const stored = await page.evaluate<string>('JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage })');
    expect(stored).toBe('{}{}');
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
    await joinerCognito.stop();
  }
});
