import { PLANS } from '../../lambdas/domain/catalog';
import { addCredits, addMember, newIdempotencyKey, setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
beforeAll(async () => {
  // No workers: this file is about the debit; jobs stay queued and keep their concurrency slots.
  t = await startTestService({ pollers: false });
});
afterAll(async () => {
  await expectMoneyInvariants(t);
  await t.stop();
});

const generate = (token: string, body: unknown, key: string | null = newIdempotencyKey()) =>
  t.call('POST', '/v1/generations', { token, body, headers: key === null ? {} : { 'idempotency-key': key } });

describe('POST /v1/generations', () => {
  test('debits the subscription bucket first and queues the job', async () => {
    const token = await t.token('gen-happy');
    await addCredits(t, token, 50);

    const response = await generate(token, { model: 'nano-banana-2', count: 1, params: { prompt: 'a test image' } });

    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ status: 'queued', model: 'nano-banana-2', count: 1, credits: 8 });
    expect(response.body.id).toMatch(/^gen_[0-9a-z]{26}$/);
    expect(response.body.charges).toEqual([{ bucketId: expect.stringMatching(/^sub:/), bucketType: 'subscription', amount: 8 }]);
    const balance = await t.call('GET', '/v1/balance', { token });
    expect(balance.body.available).toBe(100 + 50 - 8);
    const job = await t.call('GET', `/v1/generations/${response.body.id}`, { token });
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ id: response.body.id, status: 'queued', credits: 8, charges: response.body.charges });
  });

  test('spills over buckets in drain order: subscription, then coupon', async () => {
    const token = await t.token('gen-spill');
    await setPlan(t, 'gen-spill', 'PRO');
    await addCredits(t, token, 100);
    // 100 FREE-grant credits + 100 coupon credits: 20 Nano Banana 2 images (8 each) = 160 spans both.
    const first = await generate(token, { model: 'nano-banana-2', count: 10, params: { prompt: 'a test image' } });
    const second = await generate(token, { model: 'nano-banana-2', count: 10, params: { prompt: 'a test image' } });

    expect(first.body.charges).toEqual([{ bucketId: expect.stringMatching(/^sub:/), bucketType: 'subscription', amount: 80 }]);
    expect(second.body.charges).toEqual([
      { bucketId: expect.stringMatching(/^sub:/), bucketType: 'subscription', amount: 20 },
      { bucketId: 'coupon', bucketType: 'coupon', amount: 60 },
    ]);
    const balance = await t.call('GET', '/v1/balance', { token });
    expect(balance.body.available).toBe(40);
  });

  test('402 with required and available when credits fall short, and nothing changes', async () => {
    const token = await t.token('gen-poor');
    await setPlan(t, 'gen-poor', 'PRO');
    const before = await t.call('GET', '/v1/ledger', { token });

    const response = await generate(token, { model: 'nano-banana-pro', count: 8, params: { prompt: 'a test image' } });

    expect(response.status).toBe(402);
    expect(response.body.error).toEqual({ code: 'insufficient_credits', message: expect.any(String), details: { required: 120, available: 100 } });
    expect((await t.call('GET', '/v1/ledger', { token })).body).toEqual(before.body);
  });

  test("429 concurrency_limit beyond the plan's concurrent jobs", async () => {
    const token = await t.token('gen-busy');
    const limit = PLANS.FREE.maxConcurrentJobs;
    for (let i = 0; i < limit; i += 1) expect((await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } })).status).toBe(202);

    const response = await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } });

    expect(response.status).toBe(429);
    expect(response.body.error.code).toBe('concurrency_limit');
  });

  test('the same key and body answers the first response again, without a second debit', async () => {
    const token = await t.token('gen-idem');
    const key = newIdempotencyKey();
    const first = await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, key);
    const again = await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, key);

    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(95);
  });

  test('five concurrent requests with one key make one job and one debit', async () => {
    const token = await t.token('gen-idem-race');
    const key = newIdempotencyKey();

    const responses = await Promise.all(Array.from({ length: 5 }, () => generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, key)));

    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    const ledger = await t.call('GET', '/v1/ledger', { token });
    expect(ledger.body.entries.filter((e: { type: string }) => e.type === 'debit')).toHaveLength(1);
    expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(95);
  });

  test('422 when a key is reused with a different body', async () => {
    const token = await t.token('gen-reuse');
    const key = newIdempotencyKey();
    await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, key);

    const response = await generate(token, { model: 'nano-banana-2', count: 1, params: { prompt: 'a test image' } }, key);

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('idempotency_key_reused');
  });

  test('400 idempotency_key_required without the header', async () => {
    const token = await t.token('gen-nokey');
    const response = await generate(token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, null);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('idempotency_key_required');
  });

  test("another account's job is 404, and so is a malformed id", async () => {
    const owner = await t.token('gen-owner');
    const stranger = await t.token('gen-stranger');
    const created = await generate(owner, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } });

    const theirs = await t.call('GET', `/v1/generations/${created.body.id}`, { token: stranger });
    const malformed = await t.call('GET', '/v1/generations/not-an-id', { token: owner });

    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe('generation_not_found');
    expect(malformed.status).toBe(404);
  });

  test('a member of a team account spends from the shared wallet', async () => {
    const owner = await t.token('team-owner');
    await setPlan(t, 'team-owner', 'PRO');
    const member = await addMember(t, 'team-owner', 'team-member');
    const response = await generate(member, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } });
    expect(response.status).toBe(202);
    expect((await t.call('GET', '/v1/balance', { token: owner })).body.available).toBe(95);
    const debits = (await t.call('GET', '/v1/ledger', { token: owner })).body.entries.filter((e: { type: string }) => e.type === 'debit');
    expect(debits).toEqual([expect.objectContaining({ amount: -5, reference: response.body.id, userId: 'team-member' })]);
  });

  test('someone who is not a member of the wallet their token names cannot spend from it, and nothing is debited', async () => {
    const owner = await t.token('closed-wallet');
    expect((await t.call('GET', '/v1/balance', { token: owner })).body.available).toBe(100);
    for (const account_role of ['member', 'owner'] as const) {
      const outsider = await t.token('gen-outsider', { account_id: 'closed-wallet', account_role });
      const response = await generate(outsider, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('not_a_member');
    }
    expect((await t.call('GET', '/v1/balance', { token: owner })).body.available).toBe(100);
    expect((await t.call('GET', '/v1/generations', { token: owner })).body.generations).toEqual([]);
  });
});
