import { SignJWT } from 'jose';
import { PLAN_IDS } from '../../lambdas/domain/catalog';
import { addMember, newIdempotencyKey, setPlan } from '../support/fixtures';
import type { TestService } from '../support/test-service';
import { TEST_JWT_SECRET, startTestService } from '../support/test-service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(() => t.stop());

describe('public and read routes', () => {
  test('GET /v1/pricing needs no token and lists the catalog', async () => {
    const response = await t.call('GET', '/v1/pricing');
    expect(response.status).toBe(200);
    expect(response.body.models).toEqual(
      expect.arrayContaining([
        { id: 'nano-banana-2', name: 'Nano Banana 2', kind: 'image', unit: 'image', credits: 8, options: expect.any(Object) },
        { id: 'gpt-image-2', name: 'GPT Image 2', kind: 'image', unit: 'image', credits: 5, options: expect.any(Object) },
        { id: 'seedance-2.0', name: 'Seedance 2.0', kind: 'video', unit: 'video', credits: 40, options: expect.any(Object) },
      ]),
    );
  });

  test('POST /v1/quotes prices a request', async () => {
    const token = await t.token('quoter');
    const response = await t.call('POST', '/v1/quotes', { token, body: { model: 'nano-banana-2', count: 2 } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ model: 'nano-banana-2', count: 2, credits: 16, affordable: true, charges: [{ bucketId: expect.stringMatching(/^sub:/), bucketType: 'subscription', amount: 16 }], memberCap: null });
  });

  test('POST /v1/quotes says when the balance cannot pay, and takes nothing', async () => {
    const token = await t.token('short-quoter');
    await setPlan(t, 'short-quoter', 'PRO'); // up to 12 outputs per request; still the 100 FREE credits
    const response = await t.call('POST', '/v1/quotes', { token, body: { model: 'nano-banana-pro', count: 8 } });
    expect(response.body).toEqual({ model: 'nano-banana-pro', count: 8, credits: 120, affordable: false, charges: [], memberCap: null });
    // A video model makes one video per request.
    const videos = await t.call('POST', '/v1/quotes', { token, body: { model: 'seedance-2.0', count: 2 } });
    expect([videos.status, videos.body.error.code, videos.body.error.message]).toEqual([400, 'invalid_request', 'Seedance 2.0 makes one video per request; ask for 2 separately.']);
    expect((await t.call('GET', '/v1/balance', { token })).body).toMatchObject({ available: 100 });
  });

  test('the first request opens the account with the FREE grant', async () => {
    const token = await t.token('newcomer');
    const response = await t.call('GET', '/v1/balance', { token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      accountId: 'newcomer',
      available: 100,
      buckets: [{ id: expect.stringMatching(/^sub:/), type: 'subscription', balance: 100, expiresAt: expect.any(String) }],
      payg: { enabled: false, limit: 0, used: 0 },
    });
  });

  test('GET /v1/ledger pages newest first with a cursor', async () => {
    const token = await t.token('pager');
    await t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });
    const all = await t.call('GET', '/v1/ledger?limit=100', { token });
    const first = await t.call('GET', '/v1/ledger?limit=1', { token });
    const second = await t.call('GET', `/v1/ledger?limit=1&cursor=${first.body.nextCursor}`, { token });

    expect(all.body.entries).toHaveLength(2);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.entries[0]).toEqual({ id: expect.any(String), at: expect.any(String), type: 'debit', amount: -5, bucketId: expect.any(String), bucketType: 'subscription', balanceAfter: 95, reference: expect.stringMatching(/^gen_/), userId: 'pager' });
    expect(all.body.entries.at(-1)).toMatchObject({ type: 'grant', amount: 100, balanceAfter: 100 });
    expect(first.body.entries).toEqual([all.body.entries[0]]);
    expect(second.body.entries).toEqual([all.body.entries[1]]);
  });

  test('GET /v1/billing shows plan, renewal, balance, ledger and the usage-limits table', async () => {
    const token = await t.token('biller');
    const response = await t.call('GET', '/v1/billing', { token });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      accountId: 'biller',
      plan: { id: 'FREE', monthlyCredits: 100, priceCents: 0 },
      status: 'active',
      renewsAt: expect.any(String),
      cancelAtPeriodEnd: false,
      balance: { available: 100 },
      topups: [],
      invoices: [],
      autoRefill: { enabled: false },
    });
    expect(response.body.recentLedger).toHaveLength(1);
    expect(response.body.usageLimits.map((row: { plan: string }) => row.plan)).toEqual([...PLAN_IDS]);
    expect(Object.keys(response.body.usageLimits[0]).sort()).toEqual(
      ['plan', 'monthlyCredits', 'priceCents', 'maxConcurrentJobs', 'maxCountPerRequest', 'paygLimitCredits', 'minTopupCredits', 'maxTopupCredits', 'seats'].sort(),
    );
  });
});

describe('auth', () => {
  test('no token → 401', async () => {
    const response = await t.call('GET', '/v1/balance');
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthorized');
  });

  test('a token signed with another secret → 401', async () => {
    const forged = await new SignJWT({ sub: 'mallory' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode('not-the-secret-not-the-secret-123'));
    expect((await t.call('GET', '/v1/balance', { token: forged })).status).toBe(401);
  });

  test('an expired token → 401', async () => {
    const token = await t.token('late', { expiresInSeconds: 60 });
    t.clock.advance(120);
    expect((await t.call('GET', '/v1/balance', { token })).status).toBe(401);
  });

  test('an unsigned token (alg none) → 401', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
    expect((await t.call('GET', '/v1/balance', { token: `${header}.${payload}.` })).status).toBe(401);
  });

  test('a member cannot open billing; the owner can', async () => {
    await setPlan(t, 'shared-wallet', 'PRO');
    const member = await addMember(t, 'shared-wallet', 'member-1');
    const owner = await t.token('shared-wallet');
    const refused = await t.call('GET', '/v1/billing', { token: member });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await t.call('GET', '/v1/billing', { token: owner })).status).toBe(200);
  });

  test('a token naming a wallet the caller is not a member of → 403 not_a_member, whatever its account_role claim', async () => {
    expect((await t.call('GET', '/v1/balance', { token: await t.token('walled-wallet') })).status).toBe(200);
    for (const account_role of [undefined, 'member', 'owner'] as const) {
      const token = await t.token('outsider', { account_id: 'walled-wallet', ...(account_role ? { account_role } : {}) });
      const refused = await t.call('GET', '/v1/balance', { token });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('not_a_member');
    }
  });

  test('a non-admin cannot issue coupons', async () => {
    const token = await t.token('not-admin');
    const response = await t.call('POST', '/v1/admin/coupons', { token, body: { campaign: 'FREEBIE', credits: 1000, count: 1 } });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('forbidden');
  });

  test('a token with a malformed account claim → 401', async () => {
    const token = await t.token('odd', { account_id: '../../etc' });
    expect((await t.call('GET', '/v1/balance', { token })).status).toBe(401);
  });

  test('the secret is the verifier: TEST_JWT_SECRET tokens pass', async () => {
    const token = await new SignJWT({ sub: 'direct' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(TEST_JWT_SECRET));
    expect((await t.call('GET', '/v1/balance', { token })).status).toBe(200);
  });
});
