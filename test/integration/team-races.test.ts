/**
 * Team races against DynamoDB Local: a member at the edge of their cap, a removal racing the
 * member's debits, the last seats, and what a member's debit costs in DynamoDB calls.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { addCredits, addMember, newIdempotencyKey, setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

/** The account version each committed transaction wrote, and the version of the one that removed `memberId`. */
interface Observed {
  removalVersion: number | null;
  calls: Record<string, number>;
}

const observed: Observed = { removalVersion: null, calls: {} };

/** Passes every call through, counting them by command, and notes the account version a member's removal committed at. */
function observing(db: DynamoDBDocumentClient): DynamoDBDocumentClient {
  const send = async (command: { constructor: { name: string }; input: { TransactItems?: Array<{ Put?: { Item?: Record<string, unknown> } }> } }, ...rest: unknown[]) => {
    observed.calls[command.constructor.name] = (observed.calls[command.constructor.name] ?? 0) + 1;
    const result = await (db.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
    const puts = (command.input.TransactItems ?? []).map((i) => i.Put?.Item).filter((i): i is Record<string, unknown> => i !== undefined);
    const left = puts.find((i) => i.kind === 'user-team' && i.status === 'left' && i.userId === 'racing-member');
    if (left) observed.removalVersion = Number(puts.find((i) => i.kind === 'account')!.version);
    return result;
  };
  return new Proxy(db, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
}

let t: TestService;
beforeAll(async () => {
  // No workers: accepted jobs stay active, so what is measured is the debit alone.
  t = await startTestService({ pollers: false, db: observing });
});
afterAll(async () => {
  await t?.stop();
});

const generate = (token: string) => t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });

test('50 concurrent debits by one member at the edge of their cap never take it over', async () => {
  await setPlan(t, 'edge-owner', 'TEAM');
  await addCredits(t, await t.token('edge-owner'), 5000);
  // 5 credits each: the cap (58) holds 11 of them, with 3 credits to spare that no debit fits in.
  const member = await addMember(t, 'edge-owner', 'edge-member', { monthlyCapCredits: 58 });
  const answers = await Promise.all(Array.from({ length: 50 }, () => generate(member)));
  const accepted = answers.filter((a) => a.status === 202).length;
  const refused = answers.filter((a) => a.status !== 202);
  // Every refusal is the cap's (or a retryable conflict, or the plan's 20 jobs at once): never a 500.
  for (const r of refused) expect(['member_cap_reached', 'write_conflict', 'concurrency_limit']).toContain(r.body.error.code);
  expect(refused.some((r) => r.body.error.code === 'member_cap_reached')).toBe(true);
  const row = (await t.call('GET', '/v1/team', { token: member })).body.members[0];
  expect(row.spentThisPeriodCredits).toBe(accepted * 5);
  expect(row.spentThisPeriodCredits).toBeLessThanOrEqual(58);
  expect(accepted).toBeGreaterThan(0);
  const debits = (await t.call('GET', '/v1/ledger?limit=100', { token: member })).body.entries.filter((e: { type: string; userId?: string }) => e.type === 'debit' && e.userId === 'edge-member');
  expect(debits.reduce((s: number, e: { amount: number }) => s - e.amount, 0)).toBe(accepted * 5);
  await expectMoneyInvariants(t);
});

test('a removal racing 50 debits by the member: no debit of theirs commits after the removal', async () => {
  await setPlan(t, 'race-owner', 'TEAM');
  await addCredits(t, await t.token('race-owner'), 5000);
  const member = await addMember(t, 'race-owner', 'racing-member');
  const owner = await t.token('race-owner');
  observed.removalVersion = null;
  const debits = Array.from({ length: 50 }, (_, i) => new Promise((resolve) => setTimeout(resolve, i)).then(() => generate(member)));
  const removal = new Promise((resolve) => setTimeout(resolve, 12)).then(() => t.call('DELETE', '/v1/team/members/racing-member', { token: owner }));
  const [answers, removed] = await Promise.all([Promise.all(debits), removal]);
  expect(removed.status).toBe(204);
  expect(observed.removalVersion).not.toBeNull();

  const entries = (await t.call('GET', '/v1/ledger?limit=100', { token: owner })).body.entries as Array<{ id: string; type: string; userId?: string }>;
  const versions = entries.filter((e) => e.type === 'debit' && e.userId === 'racing-member').map((e) => Number(/^le_(\d+)_/.exec(e.id)![1]));
  // Each accepted answer is one committed debit, and all of them came before the removal's commit.
  expect(versions).toHaveLength(answers.filter((a) => a.status === 202).length);
  expect(versions.length).toBeGreaterThan(0);
  for (const version of versions) expect(version).toBeLessThan(observed.removalVersion!);
  for (const a of answers.filter((x) => x.status !== 202)) expect(['not_a_member', 'write_conflict', 'concurrency_limit']).toContain(a.body.error.code);
  expect(answers.some((a) => a.status === 403)).toBe(true);
  expect((await generate(member)).body.error.code).toBe('not_a_member');
  await expectMoneyInvariants(t);
});

test('the last seats: 20 concurrent invites for 2 free seats make exactly 2; two people racing for one code, one joins', async () => {
  await setPlan(t, 'seats-owner', 'PRO');
  const owner = await t.token('seats-owner');
  const invites = await Promise.all(Array.from({ length: 20 }, (_, i) => t.call('POST', '/v1/team/invites', { token: owner, body: { email: `seat${i}@example.com`, role: 'member' } })));
  const created = invites.filter((r) => r.status === 201);
  expect(created).toHaveLength(2);
  for (const r of invites.filter((x) => x.status !== 201)) expect(['seat_limit_reached', 'write_conflict']).toContain(r.body.error.code);
  expect(invites.filter((r) => r.body?.error?.code === 'seat_limit_reached').length).toBeGreaterThan(0);

  const code = created[0]!.body.code as string;
  const joins = await Promise.all(['racer-1', 'racer-2'].map(async (user) => t.call('POST', '/v1/team/join', { token: await t.token(user), body: { code } })));
  expect(joins.map((j) => j.status).sort()).toEqual([200, 410]);
  // The other invite still holds the last seat: a join with it fits; nothing more does.
  expect((await t.call('POST', '/v1/team/join', { token: await t.token('racer-3'), body: { code: created[1]!.body.code } })).status).toBe(200);
  const view = (await t.call('GET', '/v1/team', { token: owner })).body;
  expect(view.seats).toEqual({ limit: 3, used: 3 });
  expect(view.members).toHaveLength(3);
});

test("a member's debit is two DynamoDB calls, as the owner's: one read, one transaction", async () => {
  await setPlan(t, 'calls-owner', 'TEAM');
  const member = await addMember(t, 'calls-owner', 'calls-member', { monthlyCapCredits: 1000 });
  const owner = await t.token('calls-owner');
  for (const [who, token] of [['owner', owner], ['member', member]] as const) {
    observed.calls = {};
    expect((await generate(token)).status).toBe(202);
    // The job's enqueue is SQS, not DynamoDB.
    expect([who, observed.calls]).toEqual([who, { BatchGetCommand: 1, TransactWriteCommand: 1 }]);
  }
});
