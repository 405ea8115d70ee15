/**
 * `POST /_local/dev-team` (bin/local/local-dev-team.ts): the dev member made a real member of a
 * wallet through the real use cases, over real HTTP, against a test service (DynamoDB Local, the
 * payment simulator and the real webhook handler). The owner is the user whose id is the wallet.
 */
import { startControlServer, type ControlServer } from '../support/control-server';
import { devTeamSeeder, localDevTeamRoute } from '../../bin/local/local-dev-team';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

jest.setTimeout(60_000);

let t: TestService;
let server: ControlServer;
let base: string;

beforeEach(async () => {
  t = await startTestService();
  const seed = devTeamSeeder({ service: t.service, payments: t.payments, settle: () => t.settle() });
  server = await startControlServer([localDevTeamRoute(seed)]);
  base = server.base;
});
afterEach(async () => {
  await server.close();
  await t.settle();
  await expectMoneyInvariants(t);
  await t.stop();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
async function devTeam(body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}/_local/dev-team`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

const balanceOf = async (token: string) => (await t.call('GET', '/v1/balance', { token })).body;
const ledgerSize = async (token: string) => ((await t.call('GET', '/v1/ledger?limit=100', { token })).body.entries as unknown[]).length;

test('a FREE wallet is put on PRO through a paid subscription and <wallet>-member joins it; the member then uses the wallet', async () => {
  const before = await t.call('GET', '/v1/balance', { token: await t.token('fresh-member', { account_id: 'fresh' }) });
  expect([before.status, before.body.error.code]).toEqual([403, 'not_a_member']);

  const seeded = await devTeam({ wallet: 'fresh' });
  expect(seeded).toEqual({ status: 200, body: { accountId: 'fresh', owner: 'fresh', member: 'fresh-member', plan: 'PRO', subscribed: true, joined: true } });

  const owner = await t.token('fresh');
  const member = await t.token('fresh-member', { account_id: 'fresh' });
  const ownerView = await balanceOf(owner);
  expect(ownerView.available).toBe(100 + 6_000); // FREE's grant, then PRO's, paid through the simulator
  expect(await balanceOf(member)).toEqual(ownerView);
  expect((await t.call('GET', '/v1/billing', { token: owner })).body.plan.id).toBe('PRO');
  const team = (await t.call('GET', '/v1/team', { token: owner })).body;
  expect(team.members.map((m: { userId: string; role: string }) => [m.userId, m.role])).toEqual([
    ['fresh', 'owner'],
    ['fresh-member', 'member'],
  ]);
  expect(team.invites).toEqual([]);
  // Still a member only: owner routes refused.
  expect((await t.call('POST', '/v1/subscription', { token: member, body: { plan: 'TEAM' } })).status).toBe(403);
});

test('idempotent: a second call (and two at once) changes nothing', async () => {
  await devTeam({ wallet: 'again' });
  const owner = await t.token('again');
  const before = { balance: await balanceOf(owner), ledger: await ledgerSize(owner) };

  const [a, b] = await Promise.all([devTeam({ wallet: 'again' }), devTeam({ wallet: 'again' })]);
  for (const answer of [a, b]) expect(answer).toEqual({ status: 200, body: expect.objectContaining({ plan: 'PRO', subscribed: false, joined: false }) });
  await t.settle();
  expect(await balanceOf(owner)).toEqual(before.balance);
  expect(await ledgerSize(owner)).toBe(before.ledger);
  expect((await t.call('GET', '/v1/team', { token: owner })).body.seats).toEqual({ limit: 3, used: 2 });
});

test('two fresh wallets at once: each gets its own subscription and member', async () => {
  const [a, b] = await Promise.all([devTeam({ wallet: 'one' }), devTeam({ wallet: 'two' })]);
  expect([a.body.joined, b.body.joined]).toEqual([true, true]);
  expect((await balanceOf(await t.token('two-member', { account_id: 'two' }))).available).toBe(6_100);
});

test('a wallet already on a plan with seats keeps its plan and balance; a removed member is joined again', async () => {
  const owner = await t.token('teamwallet');
  expect((await t.call('POST', '/v1/subscription', { token: owner, body: { plan: 'TEAM' } })).status).toBe(200);
  await t.settle();
  const before = await balanceOf(owner);

  expect((await devTeam({ wallet: 'teamwallet' })).body).toEqual(expect.objectContaining({ plan: 'TEAM', subscribed: false, joined: true }));
  await t.settle();
  expect(await balanceOf(owner)).toEqual(before);

  expect((await t.call('DELETE', '/v1/team/members/teamwallet-member', { token: owner })).status).toBe(204);
  expect((await t.call('GET', '/v1/balance', { token: await t.token('teamwallet-member', { account_id: 'teamwallet' }) })).status).toBe(403);
  expect((await devTeam({ wallet: 'teamwallet' })).body).toEqual(expect.objectContaining({ subscribed: false, joined: true }));
  expect((await balanceOf(await t.token('teamwallet-member', { account_id: 'teamwallet' }))).available).toBe(before.available);
});

test('a full team is refused in words (409 seat_limit_reached); a bad wallet id is a 400', async () => {
  const owner = await t.token('full');
  expect((await t.call('POST', '/v1/subscription', { token: owner, body: { plan: 'PRO' } })).status).toBe(200);
  await t.settle();
  for (const email of ['a@example.com', 'b@example.com']) expect((await t.call('POST', '/v1/team/invites', { token: owner, body: { email, role: 'member' } })).status).toBe(201);

  const refused = await devTeam({ wallet: 'full' });
  expect(refused.status).toBe(409);
  expect(refused.body.error).toEqual({ code: 'seat_limit_reached', message: expect.stringContaining('no free seat for full-member') });

  for (const wallet of ['', '_leading', 'a'.repeat(41), 'sp ace']) expect((await devTeam({ wallet })).status).toBe(400);
  expect((await devTeam({ wallet: 'x', extra: true })).status).toBe(400);
});
