/**
 * When a team's paid plan ends, through the real subscription path (the payment simulator answering
 * as Stripe does): its members are suspended, not removed; what they spent stays in the ledger and
 * usage; they are back as soon as a plan with seats is paid again.
 */
import { addMember, newIdempotencyKey } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t?.stop();
});

const owner = () => t.token('ending-team');
const subscribe = async (plan: string) => {
  const answer = await t.call('POST', '/v1/subscription', { token: await owner(), body: { plan } });
  await t.settle();
  return answer;
};
const generate = (token: string) => t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });

test('a cancelled TEAM plan ends: members suspended (403 member_suspended, may still leave), their spending kept; paid again: back', async () => {
  t.clock.set(new Date('2027-08-01T00:00:00.000Z'));
  expect((await t.call('PUT', '/_local/card', { token: await owner(), body: { behaviour: 'succeed' } })).status).toBe(200);
  expect((await subscribe('TEAM')).body).toMatchObject({ effective: 'now' });
  let member = await addMember(t, 'ending-team', 'ending-m1');
  await addMember(t, 'ending-team', 'ending-m2');
  expect((await generate(member)).status).toBe(202);

  expect((await t.call('DELETE', '/v1/subscription', { token: await owner() })).status).toBe(200);
  await t.settle();
  t.clock.set(new Date('2027-09-01T00:00:01.000Z'));
  t.payments.advanceTo(t.clock.now());
  await t.settle();

  member = await t.token('ending-m1', { account_id: 'ending-team' });
  const team = await t.call('GET', '/v1/team', { token: await owner() });
  expect(team.body).toMatchObject({ plan: 'FREE', seats: { limit: 1, used: 3 } });
  expect(team.body.members.map((m: { userId: string }) => m.userId)).toEqual(['ending-team', 'ending-m1', 'ending-m2']);
  for (const answer of [await generate(member), await t.call('GET', '/v1/balance', { token: member }), await t.call('GET', '/v1/team', { token: member })]) {
    expect(answer).toMatchObject({ status: 403, body: { error: { code: 'member_suspended', details: { seatLimit: 1, members: 3 } } } });
  }
  // Nothing they spent is gone.
  const ledger = (await t.call('GET', '/v1/ledger?limit=100', { token: await owner() })).body.entries;
  expect(ledger.filter((e: { type: string; userId?: string }) => e.type === 'debit' && e.userId === 'ending-m1')).toHaveLength(1);
  const usage = await t.call('GET', '/v1/usage?from=2027-08-01&to=2027-09-01&groupBy=member', { token: await owner() });
  expect(usage.body.rows).toEqual([{ userId: 'ending-m1', generations: 1, credits: 5, refundedCredits: 0 }]);
  // The owner cannot invite on FREE, but a suspended member may leave.
  expect((await t.call('POST', '/v1/team/invites', { token: await owner(), body: { email: 'x@example.com', role: 'member' } })).body.error.code).toBe('seat_limit_reached');
  expect((await t.call('DELETE', '/v1/team/members/ending-m2', { token: await t.token('ending-m2', { account_id: 'ending-team' }) })).status).toBe(204);

  // A plan with seats is paid again: the remaining member is back.
  expect((await subscribe('PRO')).body).toMatchObject({ effective: 'now' });
  expect((await generate(member)).status).toBe(202);
  await expectMoneyInvariants(t);
});
