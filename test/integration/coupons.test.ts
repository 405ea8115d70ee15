import { issueCoupon } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await expectMoneyInvariants(t);
  await t.stop();
});

const redeem = (token: string, code: string) => t.call('POST', '/v1/coupons/redeem', { token, body: { code } });

describe('coupons', () => {
  test('an admin issues codes of the documented shape', async () => {
    const admin = await t.token('admin', { groups: ['admin'] });
    const response = await t.call('POST', '/v1/admin/coupons', { token: admin, body: { campaign: 'launch', credits: 50, count: 20 } });
    expect(response.status).toBe(201);
    expect(response.body.campaign).toBe('LAUNCH');
    expect(response.body.credits).toBe(50);
    expect(response.body.codes).toHaveLength(20);
    expect(new Set(response.body.codes).size).toBe(20);
    for (const code of response.body.codes) expect(code).toMatch(/^LAUNCH-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
  });

  test('redeeming credits the coupon bucket, case-insensitively and trimmed, once per account', async () => {
    const token = await t.token('redeemer');
    const code = await issueCoupon(t, 70);

    const first = await redeem(token, `  ${code.toLowerCase()}  `);
    const second = await redeem(token, code);

    expect(first.status).toBe(200);
    expect(first.body).toEqual({ code, credits: 70, available: 170 });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('coupon_already_redeemed');
    const balance = await t.call('GET', '/v1/balance', { token });
    expect(balance.body.buckets).toEqual([
      expect.objectContaining({ type: 'subscription', balance: 100 }),
      { id: 'coupon', type: 'coupon', balance: 70, expiresAt: null },
    ]);
    const ledger = await t.call('GET', '/v1/ledger', { token });
    expect(ledger.body.entries[0]).toMatchObject({ type: 'coupon', amount: 70, bucketId: 'coupon', bucketType: 'coupon', balanceAfter: 70, reference: code });
  });

  test('unknown code → 404; past redeemBy → 410 coupon_expired; used up → 410 coupon_exhausted', async () => {
    const token = await t.token('unlucky');
    const other = await t.token('lucky');
    const expiring = await issueCoupon(t, 10, { redeemBy: new Date(t.clock.now().getTime() + 60_000).toISOString() });
    const single = await issueCoupon(t, 10, { maxRedemptions: 1 });

    const unknown = await redeem(token, 'TEST-2222-3333');
    expect(await redeem(other, single)).toMatchObject({ status: 200 });
    const exhausted = await redeem(token, single);
    t.clock.advance(61);
    const expired = await redeem(token, expiring);

    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('coupon_not_found');
    expect(exhausted.status).toBe(410);
    expect(exhausted.body.error.code).toBe('coupon_exhausted');
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('coupon_expired');
    expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(100);
  });

  test('a code shared by up to maxRedemptions accounts: exactly that many succeed under concurrency', async () => {
    const code = await issueCoupon(t, 5, { maxRedemptions: 7 });
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => t.token(`crowd-${i}`)));

    const responses = await Promise.all(tokens.map((token) => redeem(token, code)));

    expect(responses.filter((r) => r.status === 200)).toHaveLength(7);
    expect(responses.filter((r) => r.status === 410).every((r) => r.body.error.code === 'coupon_exhausted')).toBe(true);
    expect(responses.filter((r) => r.status === 410)).toHaveLength(13);
  });

  test('concurrent redemptions of one code by one account credit it once', async () => {
    const token = await t.token('eager');
    const code = await issueCoupon(t, 40, { maxRedemptions: 100 });

    const responses = await Promise.all(Array.from({ length: 25 }, () => redeem(token, code)));

    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(24);
    expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(140);
  });

  test('after 10 failed attempts in an hour, even a valid code gets 429 until the hour passes', async () => {
    const token = await t.token('guesser');
    const valid = await issueCoupon(t, 15);
    for (let i = 0; i < 10; i += 1) expect((await redeem(token, `TEST-${'ABCDEFGHJK'[i]}AAA-AAAA`)).status).toBe(404);

    const blocked = await redeem(token, valid);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('too_many_attempts');
    expect(blocked.headers['retry-after']).toMatch(/^\d+$/);

    t.clock.advance(3600);
    expect((await redeem(await t.token('guesser'), valid)).status).toBe(200);
  });

  test('malformed codes are refused before any lookup and do not count as attempts', async () => {
    const token = await t.token('typo');
    for (let i = 0; i < 12; i += 1) expect((await redeem(token, 'LAUNCH-0000-OOOO')).status).toBe(400);
    const valid = await issueCoupon(t, 15);
    expect((await redeem(token, valid)).status).toBe(200);
  });
});
