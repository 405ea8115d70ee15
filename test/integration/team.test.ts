/**
 * Team wallets through the API against DynamoDB Local: invites and seats, joining by code, roles
 * from our records (never the token), caps, removal, usage, and plan changes against seats.
 */
import { addCredits, addMember, newIdempotencyKey, setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';
import { HTTP_ROUTES } from '../../lambdas/handlers/http/routes';

let t: TestService;
beforeAll(async () => {
  t = await startTestService({ pollers: false });
});
afterAll(async () => {
  await t?.stop();
});

const invite = async (ownerOrAdmin: string, body: Record<string, unknown>, accountId?: string) =>
  t.call('POST', '/v1/team/invites', { token: await t.token(ownerOrAdmin, accountId ? { account_id: accountId } : {}), body });
const generate = async (token: string, model = 'gpt-image-2', count = 1) => t.call('POST', '/v1/generations', { token, body: { model, count, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });
const team = async (token: string) => (await t.call('GET', '/v1/team', { token })).body;

describe('invites, seats and joining', () => {
  test('a PRO wallet (3 seats) takes the owner, a member and a pending invite; the next invite is 409 seat_limit_reached; revoking frees the seat', async () => {
    await setPlan(t, 'pro-owner', 'PRO');
    await addMember(t, 'pro-owner', 'pro-m1');
    const pending = await invite('pro-owner', { email: 'two@example.com', role: 'member' });
    expect(pending.status).toBe(201);
    expect(pending.body).toMatchObject({ email: 'two@example.com', role: 'member', monthlyCapCredits: null, code: expect.stringMatching(/^JOIN(-[A-Z2-9]{4}){4}$/) });
    const full = await invite('pro-owner', { email: 'three@example.com', role: 'member' });
    expect(full).toMatchObject({ status: 409, body: { error: { code: 'seat_limit_reached', details: { limit: 3, used: 3 } } } });
    expect((await team(await t.token('pro-owner'))).seats).toEqual({ limit: 3, used: 3 });

    expect((await t.call('DELETE', `/v1/team/invites/${pending.body.id}`, { token: await t.token('pro-owner') })).status).toBe(204);
    expect((await team(await t.token('pro-owner'))).seats).toEqual({ limit: 3, used: 2 });
    // The revoked code no longer joins.
    const late = await t.call('POST', '/v1/team/join', { token: await t.token('latecomer'), body: { code: pending.body.code } });
    expect(late).toMatchObject({ status: 410, body: { error: { code: 'invite_expired' } } });
    expect((await invite('pro-owner', { email: 'three@example.com', role: 'member' })).status).toBe(201);
  });

  test('FREE and BEGINNER have one seat: nobody can be invited', async () => {
    await setPlan(t, 'beginner-owner', 'BEGINNER');
    for (const owner of ['free-owner', 'beginner-owner']) {
      expect(await invite(owner, { email: 'x@example.com', role: 'member' })).toMatchObject({ status: 409, body: { error: { code: 'seat_limit_reached', details: { limit: 1, used: 1 } } } });
    }
  });

  test('a code joins once: unknown 404, used 410, already in another team 409, expired after 7 days 410', async () => {
    await setPlan(t, 'codes-owner', 'TEAM');
    await setPlan(t, 'other-owner', 'TEAM');
    const first = await invite('codes-owner', { email: 'a@example.com', role: 'member', monthlyCapCredits: 40 });
    expect(await t.call('POST', '/v1/team/join', { token: await t.token('codes-a'), body: { code: 'JOIN-AAAA-BBBB-CCCC-DDDD' } })).toMatchObject({ status: 404, body: { error: { code: 'invite_not_found' } } });
    expect(await t.call('POST', '/v1/team/join', { token: await t.token('codes-a'), body: { code: first.body.code.toLowerCase() } })).toMatchObject({ status: 200, body: { accountId: 'codes-owner', role: 'member' } });
    expect(await t.call('POST', '/v1/team/join', { token: await t.token('codes-b'), body: { code: first.body.code } })).toMatchObject({ status: 410, body: { error: { code: 'invite_expired' } } });
    const elsewhere = await invite('other-owner', { email: 'a2@example.com', role: 'member' });
    expect(await t.call('POST', '/v1/team/join', { token: await t.token('codes-a'), body: { code: elsewhere.body.code } })).toMatchObject({ status: 409, body: { error: { code: 'already_in_team' } } });
    const own = await invite('codes-owner', { email: 'self@example.com', role: 'member' });
    expect(await t.call('POST', '/v1/team/join', { token: await t.token('codes-owner'), body: { code: own.body.code } })).toMatchObject({ status: 409, body: { error: { code: 'already_in_team' } } });

    const expiring = await invite('codes-owner', { email: 'slow@example.com', role: 'member' });
    t.clock.advance(7 * 24 * 3600 + 1);
    try {
      expect(await t.call('POST', '/v1/team/join', { token: await t.token('codes-slow'), body: { code: expiring.body.code } })).toMatchObject({ status: 410, body: { error: { code: 'invite_expired' } } });
    } finally {
      t.clock.advance(-(7 * 24 * 3600 + 1));
    }
    const view = await team(await t.token('codes-owner'));
    expect(view.members.map((m: { userId: string; role: string; monthlyCapCredits: number | null }) => [m.userId, m.role, m.monthlyCapCredits])).toEqual([['codes-owner', 'owner', null], ['codes-a', 'member', 40]]);
  });
});

describe('roles come from the records', () => {
  test('a member sees only their own row; the owner and admins see everyone and the invites', async () => {
    await setPlan(t, 'roles-owner', 'TEAM');
    const admin = await addMember(t, 'roles-owner', 'roles-admin', { role: 'admin' });
    const member = await addMember(t, 'roles-owner', 'roles-member', { monthlyCapCredits: 25 });
    await invite('roles-owner', { email: 'pending@example.com', role: 'member' });
    const asMember = await team(member);
    expect(asMember.members).toEqual([expect.objectContaining({ userId: 'roles-member', role: 'member', monthlyCapCredits: 25, spentThisPeriodCredits: 0 })]);
    expect(asMember.invites).toEqual([]);
    expect(asMember.seats).toEqual({ limit: 10, used: 4 });
    const asAdmin = await team(admin);
    expect(asAdmin.members.map((m: { userId: string }) => m.userId)).toEqual(['roles-owner', 'roles-admin', 'roles-member']);
    expect(asAdmin.invites).toHaveLength(1);
  });

  test('an admin changes members but cannot demote the owner, change another admin or make admins', async () => {
    await setPlan(t, 'adm-owner', 'TEAM');
    const admin = await addMember(t, 'adm-owner', 'adm-a', { role: 'admin' });
    await addMember(t, 'adm-owner', 'adm-b', { role: 'admin' });
    await addMember(t, 'adm-owner', 'adm-m');
    const patch = (target: string, body: Record<string, unknown>) => t.call('PATCH', `/v1/team/members/${target}`, { token: admin, body });
    expect(await patch('adm-m', { monthlyCapCredits: 10 })).toMatchObject({ status: 200, body: { userId: 'adm-m', role: 'member', monthlyCapCredits: 10 } });
    expect(await patch('adm-owner', { role: 'member' })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await patch('adm-b', { monthlyCapCredits: 1 })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await patch('adm-m', { role: 'admin' })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await patch('nobody', { role: 'member' })).toMatchObject({ status: 404, body: { error: { code: 'member_not_found' } } });
    expect(await patch('adm-m', {})).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect((await t.call('DELETE', '/v1/team/members/adm-b', { token: admin })).status).toBe(403);
    expect((await t.call('DELETE', '/v1/team/members/adm-owner', { token: await t.token('adm-owner') })).status).toBe(403);
    // The owner can do what the admin could not.
    expect(await t.call('PATCH', '/v1/team/members/adm-b', { token: await t.token('adm-owner'), body: { role: 'member' } })).toMatchObject({ status: 200, body: { role: 'member' } });
  });

  test('an admin is refused the owner-only routes: buying, the plan, billing', async () => {
    await setPlan(t, 'buy-owner', 'PRO');
    const admin = await addMember(t, 'buy-owner', 'buy-admin', { role: 'admin' });
    expect((await t.call('GET', '/v1/billing', { token: admin })).body.error.code).toBe('forbidden');
    expect((await t.call('POST', '/v1/topups', { token: admin, body: { credits: 500 }, headers: { 'idempotency-key': newIdempotencyKey() } })).body.error.code).toBe('forbidden');
    expect((await t.call('POST', '/v1/subscription', { token: admin, body: { plan: 'TEAM' } })).body.error.code).toBe('forbidden');
  });

  test('a token naming a wallet the caller is not in is 403 not_a_member on every route that acts on a wallet, whatever role it claims', async () => {
    await setPlan(t, 'locked-owner', 'TEAM');
    const before = await t.call('GET', '/v1/balance', { token: await t.token('locked-owner') });
    const stranger = await t.token('stranger', { account_id: 'locked-owner', account_role: 'owner' } as never);
    const walletRoutes = HTTP_ROUTES.filter((r) => r.auth === 'jwt' && r.path !== '/v1/admin/coupons' && r.path !== '/v1/team/join');
    expect(walletRoutes.length).toBeGreaterThan(15);
    for (const route of walletRoutes) {
      const path = route.path.replace('{id}', route.path.includes('invites') ? 'inv_01jf0000000000000000000000' : 'gen_01jf0000000000000000000000').replace('{userId}', 'locked-owner');
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      const query = route.path === '/v1/usage' ? '?from=2026-01-01&to=2026-01-31' : '';
      const answer = await t.call(route.method, `${path}${query}`, { token: stranger, ...(body ? { body } : {}), headers: { 'idempotency-key': newIdempotencyKey() } });
      // A body that fails validation is refused before the membership read: both change nothing.
      expect([`${route.method} ${route.path} ${answer.status}`, answer.body.error.code]).toEqual([`${route.method} ${route.path} ${answer.status}`, answer.status === 400 ? 'invalid_request' : 'not_a_member']);
    }
    // Valid requests, to be sure the refusal is the membership's.
    expect((await generate(stranger)).body.error.code).toBe('not_a_member');
    expect((await t.call('POST', '/v1/quotes', { token: stranger, body: { model: 'gpt-image-2', count: 1 } })).body.error.code).toBe('not_a_member');
    expect((await t.call('POST', '/v1/team/invites', { token: stranger, body: { email: 'x@example.com', role: 'member' } })).body.error.code).toBe('not_a_member');
    expect((await t.call('GET', '/v1/balance', { token: await t.token('locked-owner') })).body).toEqual(before.body);
    // A wallet that does not exist is not opened for a stranger.
    expect((await t.call('GET', '/v1/balance', { token: await t.token('stranger', { account_id: 'nobody-yet' }) })).body.error.code).toBe('not_a_member');
    expect(await t.service.deps.store.loadAccount('nobody-yet')).toBeNull();
  });
});

test("a member's Idempotency-Key is their own: the owner's key that looks like '<member>:<key>' does not answer the member, nor does another member's", async () => {
  await setPlan(t, 'keys-owner', 'TEAM');
  const member = await addMember(t, 'keys-owner', 'keys-m');
  const other = await addMember(t, 'keys-owner', 'keys-n');
  const post = (token: string, key: string) => t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': key } });
  const byOwner = await post(await t.token('keys-owner'), 'keys-m:k1');
  const byMember = await post(member, 'k1');
  const byOther = await post(other, 'k1');
  expect([byOwner.status, byMember.status, byOther.status]).toEqual([202, 202, 202]);
  expect(new Set([byOwner.body.id, byMember.body.id, byOther.body.id]).size).toBe(3);
  // The member's own retry is still answered from their record.
  expect((await post(member, 'k1')).body.id).toBe(byMember.body.id);
});

describe('removal and leaving', () => {
  test('a removed member is refused at once, whatever token they hold; their spending stays in the ledger and usage', async () => {
    await setPlan(t, 'rm-owner', 'TEAM');
    const member = await addMember(t, 'rm-owner', 'rm-member');
    expect((await generate(member)).status).toBe(202);
    expect((await t.call('DELETE', '/v1/team/members/rm-member', { token: await t.token('rm-owner') })).status).toBe(204);
    expect((await generate(member)).body.error.code).toBe('not_a_member');
    expect((await t.call('GET', '/v1/balance', { token: member })).body.error.code).toBe('not_a_member');
    const ledger = (await t.call('GET', '/v1/ledger', { token: await t.token('rm-owner') })).body.entries;
    expect(ledger.filter((e: { userId?: string; type: string }) => e.userId === 'rm-member' && e.type === 'debit')).toHaveLength(1);
    const usage = await t.call('GET', '/v1/usage?from=2000-01-01&to=2000-01-02', { token: await t.token('rm-owner') });
    expect(usage.status).toBe(200);
    const today = t.clock.now().toISOString().slice(0, 10);
    expect((await t.call('GET', `/v1/usage?from=${today}&to=${today}&groupBy=member`, { token: await t.token('rm-owner') })).body.rows).toEqual([{ userId: 'rm-member', generations: 1, credits: 5, refundedCredits: 0 }]);
    // They can be invited again, and join again.
    await addMember(t, 'rm-owner', 'rm-member');
  });

  test('a member leaves by removing themselves, and can then join another team', async () => {
    await setPlan(t, 'leave-owner', 'PRO');
    await setPlan(t, 'next-owner', 'PRO');
    const member = await addMember(t, 'leave-owner', 'leaver');
    expect((await t.call('DELETE', '/v1/team/members/leaver', { token: member })).status).toBe(204);
    expect((await t.call('GET', '/v1/team', { token: member })).body.error.code).toBe('not_a_member');
    await addMember(t, 'next-owner', 'leaver');
  });
});

describe('caps, usage and plans', () => {
  test('a capped member is refused with 402 member_cap_reached and the numbers; a refund gives the counter back', async () => {
    await setPlan(t, 'cap-owner', 'TEAM');
    const member = await addMember(t, 'cap-owner', 'cap-member', { monthlyCapCredits: 12 });
    const firstJob = await generate(member);
    expect(firstJob.status).toBe(202);
    expect((await generate(member)).status).toBe(202);
    expect(await generate(member)).toMatchObject({ status: 402, body: { error: { code: 'member_cap_reached', details: { capCredits: 12, spentCredits: 10, requiredCredits: 5 } } } });
    // The quote says so before the member tries; the owner's quote has no cap.
    expect((await t.call('POST', '/v1/quotes', { token: member, body: { model: 'gpt-image-2', count: 1 } })).body).toMatchObject({ credits: 5, affordable: false, charges: [], memberCap: { capCredits: 12, spentCredits: 10 } });
    expect((await t.call('POST', '/v1/quotes', { token: await t.token('cap-owner'), body: { model: 'gpt-image-2', count: 1 } })).body).toMatchObject({ affordable: true, memberCap: null });
    // The owner is not capped by it.
    expect((await generate(await t.token('cap-owner'))).status).toBe(202);

    const failed = await t.call('POST', '/v1/generations', { token: member, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'x' } }, headers: { 'idempotency-key': newIdempotencyKey() } });
    expect(failed.status).toBe(402);
    // Fail one of the member's jobs (the reaper's path): the refund gives the counter back in the same transaction.
    const { finishGeneration } = await import('../../lambdas/use-cases/finish-generation');
    await finishGeneration(t.service.deps, { accountId: 'cap-owner', jobId: firstJob.body.id }, { kind: 'failed', failure: { code: 'model_error', message: 'x' } });
    const row = (await team(await t.token('cap-owner'))).members.find((m: { userId: string }) => m.userId === 'cap-member');
    expect(row.spentThisPeriodCredits).toBe(5);
    expect((await generate(member)).status).toBe(202);
    await expectMoneyInvariants(t);
  });

  test('usage equals the ledger: debits minus refunds per member and model', async () => {
    await setPlan(t, 'use-owner', 'TEAM');
    await addCredits(t, await t.token('use-owner'), 1000);
    const amy = await addMember(t, 'use-owner', 'use-amy');
    const ben = await addMember(t, 'use-owner', 'use-ben');
    const accepted: Array<{ id: string }> = [];
    for (const [token, model, count] of [[amy, 'gpt-image-2', 2], [amy, 'nano-banana-2', 1], [ben, 'gpt-image-2', 1], [ben, 'veo-3.1', 1], [await t.token('use-owner'), 'gpt-image-2', 1]] as const) {
      const r = await generate(token, model, count);
      expect(r.status).toBe(202);
      accepted.push(r.body);
    }
    const { finishGeneration } = await import('../../lambdas/use-cases/finish-generation');
    await finishGeneration(t.service.deps, { accountId: 'use-owner', jobId: accepted[3]!.id }, { kind: 'failed', failure: { code: 'model_error', message: 'x' } });

    const today = t.clock.now().toISOString().slice(0, 10);
    const usage = (await t.call('GET', `/v1/usage?from=${today}&to=${today}&groupBy=member,model`, { token: await t.token('use-owner') })).body;
    const jobs = new Map<string, string>();
    for (const job of (await t.call('GET', '/v1/generations?limit=100', { token: await t.token('use-owner') })).body.generations) jobs.set(job.id, job.model);
    const fromLedger = new Map<string, { credits: number; refundedCredits: number }>();
    for (const e of (await t.call('GET', '/v1/ledger?limit=100', { token: await t.token('use-owner') })).body.entries as Array<{ type: string; amount: number; userId?: string; reference: string }>) {
      if (e.type !== 'debit' && e.type !== 'refund') continue;
      const key = `${e.userId}|${jobs.get(e.reference)}`;
      const sum = fromLedger.get(key) ?? { credits: 0, refundedCredits: 0 };
      if (e.type === 'debit') sum.credits -= e.amount;
      else sum.refundedCredits += e.amount;
      fromLedger.set(key, sum);
    }
    expect(new Map(usage.rows.map((r: { userId: string; model: string; credits: number; refundedCredits: number }) => [`${r.userId}|${r.model}`, { credits: r.credits, refundedCredits: r.refundedCredits }]))).toEqual(fromLedger);
    expect(usage.totals).toEqual({ generations: 5, credits: 10 + 8 + 5 + 60 + 5, refundedCredits: 60 });
    // A member sees their own usage only.
    const own = (await t.call('GET', `/v1/usage?from=${today}&to=${today}&groupBy=member`, { token: amy })).body;
    expect(own.rows).toEqual([{ userId: 'use-amy', generations: 2, credits: 18, refundedCredits: 0 }]);
  });

  test('usage ranges: at most 93 days, real days, to not before from', async () => {
    const token = await t.token('range-owner');
    for (const q of ['from=x&to=y', 'from=2027-1-1&to=2027-01-31', 'from=2026-01-01&to=2026-04-04', 'from=2026-02-30&to=2026-03-01', 'from=2026-03-02&to=2026-03-01', 'from=2026-03-01', 'from=2026-03-01&to=2026-03-02&groupBy=colour']) {
      expect(await t.call('GET', `/v1/usage?${q}`, { token })).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    }
    expect((await t.call('GET', '/v1/usage?from=2026-01-01&to=2026-04-03&groupBy=day,member', { token })).status).toBe(200);
  });

  test('a downgrade below the seats in use is 409 too_many_members with how many must go; when a paid plan ends, members are suspended, not removed, and return with it', async () => {
    await setPlan(t, 'down-owner', 'TEAM');
    const member = await addMember(t, 'down-owner', 'down-m1');
    await addMember(t, 'down-owner', 'down-m2');
    await invite('down-owner', { email: 'p@example.com', role: 'member' });
    expect(await t.call('POST', '/v1/subscription', { token: await t.token('down-owner'), body: { plan: 'PRO' } })).toMatchObject({ status: 409, body: { error: { code: 'too_many_members', details: { seatLimit: 3, used: 4, mustRemove: 1 } } } });
    expect((await generate(member)).status).toBe(202);

    await setPlan(t, 'down-owner', 'FREE');
    expect(await generate(member)).toMatchObject({ status: 403, body: { error: { code: 'member_suspended' } } });
    expect((await t.call('GET', '/v1/balance', { token: member })).body.error.code).toBe('member_suspended');
    expect((await team(await t.token('down-owner'))).members).toHaveLength(3);
    await setPlan(t, 'down-owner', 'TEAM');
    expect((await generate(member)).status).toBe(202);
  });
});
