/**
 * Who may do what on a wallet, through the real gateway and handlers. A token's `account_id` claim
 * only selects a wallet (default: the caller's own); the caller is accepted on it as its owner
 * (`sub` = `account_id`) or as a member recorded on the account (invited, then joined), and the
 * `account_role` claim is ignored. Anyone else gets 403 not_a_member and changes nothing. Members
 * read the wallet (balance, the auto-refill settings) but may not spend money from its card or
 * change its billing, and never see the card's details.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { addMember, issueCoupon, newIdempotencyKey, setPlan } from '../support/fixtures';
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

/** A PRO wallet (3 seats) whose owner has saved a card and switched auto-refill on. */
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
  () => t.call('PUT', '/_local/card', { token, body: { behaviour: 'decline' } }),
];

/** What a wallet has for the calls below to act on: a job, a pending invite, a member and a coupon code. */
interface WalletFacts {
  readonly jobId: string;
  readonly inviteId: string;
  readonly memberId: string;
  readonly couponCode: string;
}

async function walletWithTeam(walletId: string): Promise<WalletFacts> {
  const owner = await walletWithCard(walletId);
  const memberId = `${walletId}-member`;
  await addMember(t, walletId, memberId);
  const invite = await t.call('POST', '/v1/team/invites', { token: owner, body: { email: `pending@${walletId}.example.com`, role: 'member' } });
  expect(invite.status).toBe(201);
  const job = await t.call('POST', '/v1/generations', { token: owner, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });
  expect(job.status).toBe(202);
  return { jobId: job.body.id, inviteId: invite.body.id, memberId, couponCode: await issueCoupon(t, 25) };
}

/** Every jwt route that acts on the selected wallet, with valid bodies and the wallet's real ids (job, invite, member, coupon), so that only access decides. */
const walletCalls = (token: string, facts: WalletFacts, selfId: string): Array<[string, () => Promise<CallResult>]> => [
  ['POST /v1/quotes', () => t.call('POST', '/v1/quotes', { token, body: { model: 'gpt-image-2', count: 1 } })],
  ['GET /v1/balance', () => t.call('GET', '/v1/balance', { token })],
  ['GET /v1/ledger', () => t.call('GET', '/v1/ledger', { token })],
  ['POST /v1/generations', () => t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } })],
  ['GET /v1/generations', () => t.call('GET', '/v1/generations', { token })],
  ['GET /v1/generations/{id}', () => t.call('GET', `/v1/generations/${facts.jobId}`, { token })],
  ['POST /v1/coupons/redeem', () => t.call('POST', '/v1/coupons/redeem', { token, body: { code: facts.couponCode } })],
  ['GET /v1/auto-refill', () => t.call('GET', '/v1/auto-refill', { token })],
  ['GET /v1/usage', () => t.call('GET', '/v1/usage?from=2026-01-01&to=2026-01-31', { token })],
  ['GET /v1/team', () => t.call('GET', '/v1/team', { token })],
  ['POST /v1/team/invites', () => t.call('POST', '/v1/team/invites', { token, body: { email: 'someone@example.com', role: 'member' } })],
  ['DELETE /v1/team/invites/{id}', () => t.call('DELETE', `/v1/team/invites/${facts.inviteId}`, { token })],
  ['PATCH /v1/team/members/{userId}', () => t.call('PATCH', `/v1/team/members/${facts.memberId}`, { token, body: { monthlyCapCredits: 10 } })],
  ['DELETE /v1/team/members/{userId}', () => t.call('DELETE', `/v1/team/members/${facts.memberId}`, { token })],
  ['DELETE /v1/team/members/{userId} (leaving)', () => t.call('DELETE', `/v1/team/members/${selfId}`, { token })],
  ...ownerOnlyCalls(token).map((call, i): [string, () => Promise<CallResult>] => [`owner route ${i}`, call]),
];

describe('a token naming a wallet the caller is not a member of', () => {
  test('is 403 not_a_member on every route that acts on a wallet, whatever account_role says, and nothing changes', async () => {
    const facts = await walletWithTeam('shared-wallet');
    const strangers = [
      await t.token('stranger', { account_id: 'shared-wallet' }),
      await t.token('stranger', { account_id: 'shared-wallet', account_role: 'member' }),
      await t.token('stranger', { account_id: 'shared-wallet', account_role: 'owner' }),
    ];
    await t.settle();
    const before = await tableSnapshot();

    const answers: string[] = [];
    for (const token of strangers) for (const [route, call] of walletCalls(token, facts, 'stranger')) answers.push(`${route}: ${answer(await call())}`);
    await t.settle();

    expect(answers).toEqual(answers.map((a) => `${a.slice(0, a.indexOf(': '))}: 403 not_a_member`));
    expect(await tableSnapshot()).toEqual(before);
  });

  test('the owner of another wallet is not a member either: owning a wallet gives no rights on another', async () => {
    const facts = await walletWithTeam('guarded-wallet');
    await walletWithCard('neighbour-wallet');
    const neighbour = await t.token('neighbour-wallet', { account_id: 'guarded-wallet', account_role: 'owner' });
    await t.settle();
    const before = await tableSnapshot();

    for (const [route, call] of walletCalls(neighbour, facts, 'neighbour-wallet')) expect(`${route}: ${answer(await call())}`).toBe(`${route}: 403 not_a_member`);
    await t.settle();

    expect(await tableSnapshot()).toEqual(before);
  });

  test('the jobs of the wallet stay unseen: the same generation id is 200 for its owner', async () => {
    const facts = await walletWithTeam('private-wallet');
    const stranger = await t.token('snoop', { account_id: 'private-wallet' });

    expect(answer(await t.call('GET', `/v1/generations/${facts.jobId}`, { token: stranger }))).toBe('403 not_a_member');
    expect(answer(await t.call('GET', `/v1/generations/${facts.jobId}`, { token: await t.token('private-wallet') }))).toBe('200');
  });
});

describe('a member of the wallet (invited, then joined)', () => {
  test('reads the wallet it selects: GET /v1/balance answers that wallet', async () => {
    const owner = await walletWithCard('readable-wallet');
    const member = await addMember(t, 'readable-wallet', 'reader');

    const seen = await t.call('GET', '/v1/balance', { token: member });

    expect(seen.status).toBe(200);
    expect(seen.body.accountId).toBe('readable-wallet');
    expect(seen.body).toEqual((await t.call('GET', '/v1/balance', { token: owner })).body);
  });

  test.each(['member', 'admin'] as const)('as %s: 403 forbidden on every owner route, and nothing changes', async (role) => {
    const walletId = `team-wallet-${role}`;
    await walletWithCard(walletId);
    const member = await addMember(t, walletId, `teammate-${role}`, { role });
    await t.settle();
    const before = await tableSnapshot();

    for (const call of ownerOnlyCalls(member)) expect(answer(await call())).toBe('403 forbidden');
    await t.settle();

    expect(await tableSnapshot()).toEqual(before);
  });

  test('account_role owner on its token is ignored: still only a member', async () => {
    await walletWithCard('claimed-wallet');
    await addMember(t, 'claimed-wallet', 'claimant');
    const claimsOwner = await t.token('claimant', { account_id: 'claimed-wallet', account_role: 'owner' });
    await t.settle();
    const before = await tableSnapshot();

    expect(answer(await t.call('GET', '/v1/balance', { token: claimsOwner }))).toBe('200');
    for (const call of ownerOnlyCalls(claimsOwner)) expect(answer(await call())).toBe('403 forbidden');
    await t.settle();

    expect(await tableSnapshot()).toEqual(before);
  });

  test('its own wallet is still its own: a token without account_id selects it, as owner', async () => {
    await walletWithCard('host-wallet');
    const member = await addMember(t, 'host-wallet', 'visitor');
    const own = await t.token('visitor');

    expect(answer(await t.call('GET', '/v1/billing', { token: own }))).toBe('200');
    expect(answer(await t.call('GET', '/v1/billing', { token: member }))).toBe('403 forbidden');
    expect((await t.call('GET', '/v1/balance', { token: own })).body.accountId).toBe('visitor');
  });
});

describe("the caller's own wallet", () => {
  test('with account_id absent or equal to sub, the caller is its owner (whatever the role claim says)', async () => {
    const tokens = [await t.token('own-wallet'), await t.token('own-wallet', { account_id: 'own-wallet' }), await t.token('own-wallet', { account_role: 'member' })];

    for (const token of tokens) expect(answer(await t.call('GET', '/v1/billing', { token }))).toBe('200');
  });
});

describe('GET /v1/auto-refill and the saved card', () => {
  test('the owner sees brand and last four; its members (an admin too) the same settings with card null', async () => {
    const owner = await walletWithCard('carded-wallet');
    const members = [
      await addMember(t, 'carded-wallet', 'carded-member'),
      await addMember(t, 'carded-wallet', 'carded-admin', { role: 'admin' }),
      await t.token('carded-member', { account_id: 'carded-wallet', account_role: 'owner' }),
    ];

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

  test('someone who is not a member sees nothing of it: 403 not_a_member', async () => {
    await walletWithCard('sealed-wallet');
    const stranger = await t.token('sealed-guest', { account_id: 'sealed-wallet', account_role: 'owner' });

    expect(answer(await t.call('GET', '/v1/auto-refill', { token: stranger }))).toBe('403 not_a_member');
  });
});
