/**
 * Who may do what on a wallet, through the real gateway and handlers. A token that names a wallet
 * other than the caller's own (`account_id` ≠ `sub`) is a member unless it says `account_role:
 * owner`: never owner by default. Members read the wallet (balance, the auto-refill settings) but
 * may not spend money from its card or change its billing, and never see the card's details.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { newIdempotencyKey, setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { CallResult, TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t.settle();
  await expectMoneyInvariants(t);
  await t.stop();
});

const settings = { enabled: true, thresholdCredits: 50, refillCredits: 200, monthlyCapCredits: 1000 };
const answer = (r: CallResult) => `${r.status} ${r.body?.error?.code ?? ''}`.trim();

/** A PRO wallet whose owner has saved a card and switched auto-refill on. */
async function walletWithCard(walletId: string): Promise<string> {
  const owner = await t.token(walletId);
  await setPlan(t, walletId, 'PRO');
  expect(answer(await t.call('PUT', '/v1/auto-refill', { token: owner, body: settings }))).toBe('200');
  return owner;
}

/** Every item of the table, canonical, by key: what "nothing changed" is checked against. */
async function tableSnapshot(): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await t.table.db.send(new ScanCommand({ TableName: t.table.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) snapshot.set(`${item.pk} ${item.sk}`, JSON.stringify(item, Object.keys(item).sort()));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return snapshot;
}

/** Every owner-only route, with a body the owner would get a 2xx for. */
const ownerOnlyCalls = (token: string) => [
  () => t.call('POST', '/v1/topups', { token, body: { credits: 500 }, headers: { 'idempotency-key': newIdempotencyKey() } }),
  () => t.call('GET', '/v1/billing', { token }),
  () => t.call('PUT', '/v1/payg', { token, body: { enabled: true } }),
  () => t.call('PUT', '/v1/auto-refill', { token, body: { ...settings, thresholdCredits: 10, refillCredits: 5000, monthlyCapCredits: 100_000 } }),
  () => t.call('POST', '/v1/subscription', { token, body: { plan: 'TEAM' } }),
  () => t.call('DELETE', '/v1/subscription', { token }),
];

describe('a token naming another wallet', () => {
  test('without a role it is a member: 403 forbidden on every owner route, and nothing changes', async () => {
    await walletWithCard('shared-wallet');
    const stranger = await t.token('stranger', { account_id: 'shared-wallet' });
    await t.settle();
    const before = await tableSnapshot();

    const answers = [];
    for (const call of ownerOnlyCalls(stranger)) answers.push(answer(await call()));
    await t.settle();

    expect(answers).toEqual(Array.from({ length: 6 }, () => '403 forbidden'));
    expect(await tableSnapshot()).toEqual(before);
  });

  test('with account_role member it is a member too', async () => {
    await walletWithCard('team-wallet');
    const member = await t.token('teammate', { account_id: 'team-wallet', account_role: 'member' });
    await t.settle();
    const before = await tableSnapshot();

    for (const call of ownerOnlyCalls(member)) expect(answer(await call())).toBe('403 forbidden');
    await t.settle();

    expect(await tableSnapshot()).toEqual(before);
  });

  test('without a role it can read the wallet: GET /v1/balance answers that wallet', async () => {
    const owner = await walletWithCard('readable-wallet');
    const stranger = await t.token('reader', { account_id: 'readable-wallet' });

    const seen = await t.call('GET', '/v1/balance', { token: stranger });

    expect(seen.status).toBe(200);
    expect(seen.body.accountId).toBe('readable-wallet');
    expect(seen.body).toEqual((await t.call('GET', '/v1/balance', { token: owner })).body);
  });

  test('with account_role owner it is the owner (the claim comes from our own Cognito trigger)', async () => {
    await walletWithCard('delegated-wallet');
    const coOwner = await t.token('co-owner', { account_id: 'delegated-wallet', account_role: 'owner' });

    const billing = await t.call('GET', '/v1/billing', { token: coOwner });

    expect(billing.status).toBe(200);
    expect(billing.body.autoRefill).toMatchObject({ enabled: true });
  });
});

describe("the caller's own wallet", () => {
  test('with account_id absent or equal to sub, the caller is its owner (whatever the role claim says)', async () => {
    const tokens = [await t.token('own-wallet'), await t.token('own-wallet', { account_id: 'own-wallet' }), await t.token('own-wallet', { account_role: 'member' })];

    for (const token of tokens) expect(answer(await t.call('GET', '/v1/billing', { token }))).toBe('200');
  });
});

describe('GET /v1/auto-refill and the saved card', () => {
  test('the owner sees brand and last four; a member the same settings with card null', async () => {
    const owner = await walletWithCard('carded-wallet');
    const members = [await t.token('carded-member', { account_id: 'carded-wallet', account_role: 'member' }), await t.token('carded-guest', { account_id: 'carded-wallet' })];

    const asOwner = await t.call('GET', '/v1/auto-refill', { token: owner });
    const asMembers = await Promise.all(members.map((token) => t.call('GET', '/v1/auto-refill', { token })));

    expect(asOwner.status).toBe(200);
    expect(asOwner.body).toEqual({ ...settings, disabledReason: null, refillInFlight: false, creditsThisMonth: 0, card: { brand: 'visa', last4: '4242' } });
    for (const seen of asMembers) {
      expect(seen.status).toBe(200);
      expect(seen.body).toEqual({ ...asOwner.body, card: null });
      expect(Object.keys(seen.body).sort()).toEqual(Object.keys(asOwner.body).sort());
    }
  });
});
