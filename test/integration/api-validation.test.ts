/**
 * Every bad input gets a 4xx in the error shape and changes nothing: the caller's balance, ledger
 * and jobs are compared before and after each case.
 */
import { issueCoupon, newIdempotencyKey } from '../support/fixtures';
import type { CallOptions, TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
let token: string;
let admin: string;
beforeAll(async () => {
  t = await startTestService();
  token = await t.token('validator');
  admin = await t.token('validator-admin', { groups: ['admin'] });
  await t.call('GET', '/v1/balance', { token });
});
afterAll(() => t.stop());

const withKey = (options: CallOptions): CallOptions => ({ ...options, headers: { 'idempotency-key': newIdempotencyKey(), ...(options.headers ?? {}) } });
const huge = 'x'.repeat(70 * 1024);

type Case = [name: string, method: string, path: string, options: () => CallOptions, status: number, code: string];

const cases: Case[] = [
  ['malformed JSON', 'POST', '/v1/generations', () => withKey({ token, rawBody: '{"model": "gpt-image-2", "count": ' }), 400, 'invalid_json'],
  ['empty body', 'POST', '/v1/generations', () => withKey({ token, rawBody: '' }), 400, 'invalid_json'],
  ['JSON that is not an object', 'POST', '/v1/generations', () => withKey({ token, body: [1, 2] }), 400, 'invalid_request'],
  ['count as a string', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'gpt-image-2', count: '1', params: { prompt: 'a test image' } } }), 400, 'invalid_request'],
  ['negative count', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'gpt-image-2', count: -1, params: { prompt: 'a test image' } } }), 400, 'invalid_request'],
  ['zero count', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'gpt-image-2', count: 0, params: { prompt: 'a test image' } } }), 400, 'invalid_request'],
  ['fractional count', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'gpt-image-2', count: 1.5, params: { prompt: 'a test image' } } }), 400, 'invalid_request'],
  ['huge count', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'gpt-image-2', count: 1e12, params: { prompt: 'a test image' } } }), 400, 'invalid_request'],
  ['count over the model limit (GPT Image 2 makes 10 at most)', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'gpt-image-2', count: 11, params: { prompt: 'a test image' } } }), 400, 'invalid_request'],
  ['two videos in one request', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'veo-3.1', count: 2, params: { prompt: 'a test video' } } }), 400, 'invalid_request'],
  ['count over the plan limit', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'nano-banana-2', count: 16, params: { prompt: 'a test image' } } }), 400, 'count_above_plan_limit'],
  ['unknown model', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'dall-e-1', count: 1, params: { prompt: 'a test image' } } }), 400, 'unknown_model'],
  ['missing model', 'POST', '/v1/generations', () => withKey({ token, body: { count: 1 } }), 400, 'invalid_request'],
  ['extra field (an account id in the body)', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'gpt-image-2', count: 1, accountId: 'someone-else' } }), 400, 'invalid_request'],
  ['oversize model string', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'm'.repeat(5000), count: 1, params: { prompt: 'a test image' } } }), 400, 'invalid_request'],
  ['oversize body', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'gpt-image-2', count: 1, params: { prompt: huge } } }), 413, 'payload_too_large'],
  ['oversize params', 'POST', '/v1/generations', () => withKey({ token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'p'.repeat(9000) } } }), 400, 'invalid_request'],
  ['non-JSON content type', 'POST', '/v1/generations', () => withKey({ token, rawBody: 'model=gpt-image-2', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type'],
  ['idempotency key with spaces', 'POST', '/v1/generations', () => ({ token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': 'has spaces' } }), 400, 'invalid_request'],
  ['idempotency key too long', 'POST', '/v1/generations', () => ({ token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': 'k'.repeat(256) } }), 400, 'invalid_request'],
  ['quote: fractional count', 'POST', '/v1/quotes', () => ({ token, body: { model: 'gpt-image-2', count: 0.5 } }), 400, 'invalid_request'],
  ['quote: unknown model', 'POST', '/v1/quotes', () => ({ token, body: { model: 'nope', count: 1 } }), 400, 'unknown_model'],
  ['quote: extra field', 'POST', '/v1/quotes', () => ({ token, body: { model: 'gpt-image-2', count: 1, discount: 100 } }), 400, 'invalid_request'],
  ['ledger: limit 0', 'GET', '/v1/ledger?limit=0', () => ({ token }), 400, 'invalid_request'],
  ['ledger: limit 1000', 'GET', '/v1/ledger?limit=1000', () => ({ token }), 400, 'invalid_request'],
  ['ledger: limit not a number', 'GET', '/v1/ledger?limit=ten', () => ({ token }), 400, 'invalid_request'],
  ['ledger: forged cursor', 'GET', `/v1/ledger?cursor=${Buffer.from('ACCOUNT#other').toString('base64url')}`, () => ({ token }), 400, 'invalid_request'],
  ['ledger: unknown query parameter', 'GET', '/v1/ledger?account=other', () => ({ token }), 400, 'invalid_request'],
  ['redeem: code with impossible characters', 'POST', '/v1/coupons/redeem', () => ({ token, body: { code: 'LAUNCH-0OIL-1111' } }), 400, 'invalid_coupon_code'],
  ['redeem: code as a number', 'POST', '/v1/coupons/redeem', () => ({ token, body: { code: 12345 } }), 400, 'invalid_request'],
  ['redeem: oversize code', 'POST', '/v1/coupons/redeem', () => ({ token, body: { code: 'A'.repeat(10_000) } }), 400, 'invalid_request'],
  ['admin: credits zero', 'POST', '/v1/admin/coupons', () => ({ token: admin, body: { campaign: 'LAUNCH', credits: 0, count: 1 } }), 400, 'invalid_request'],
  ['admin: count over 100', 'POST', '/v1/admin/coupons', () => ({ token: admin, body: { campaign: 'LAUNCH', credits: 10, count: 101 } }), 400, 'invalid_request'],
  ['admin: campaign with a dash', 'POST', '/v1/admin/coupons', () => ({ token: admin, body: { campaign: 'LAUNCH-X', credits: 10, count: 1 } }), 400, 'invalid_request'],
  ['admin: redeemBy in the past', 'POST', '/v1/admin/coupons', () => ({ token: admin, body: { campaign: 'LAUNCH', credits: 10, count: 1, redeemBy: '2020-01-01T00:00:00Z' } }), 400, 'invalid_request'],
  ['admin: redeemBy not a date', 'POST', '/v1/admin/coupons', () => ({ token: admin, body: { campaign: 'LAUNCH', credits: 10, count: 1, redeemBy: 'tomorrow' } }), 400, 'invalid_request'],
];

async function snapshot() {
  const [balance, ledger] = await Promise.all([t.call('GET', '/v1/balance', { token }), t.call('GET', '/v1/ledger?limit=100', { token })]);
  return { balance: balance.body, ledger: ledger.body };
}

test.each(cases)('%s → %i %s, and nothing changes', async (_name, method, path, options, status, code) => {
  const before = await snapshot();

  const response = await t.call(method, path, options());

  expect(response.status).toBe(status);
  expect(response.body).toEqual({ error: { code, message: expect.any(String), ...(response.body.error.details ? { details: expect.any(Object) } : {}) } });
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(await snapshot()).toEqual(before);
});

test('unknown routes and methods answer in the error shape', async () => {
  const missing = await t.call('GET', '/v1/nothing-here', { token });
  const wrongMethod = await t.call('DELETE', '/v1/balance', { token });
  expect(missing.status).toBe(404);
  expect(missing.body.error.code).toBe('route_not_found');
  expect(wrongMethod.status).toBe(405);
  expect(wrongMethod.body.error.code).toBe('method_not_allowed');
});

test('a valid coupon redeemed with an extra field is refused and not redeemed', async () => {
  const code = await issueCoupon(t, 25);
  const refused = await t.call('POST', '/v1/coupons/redeem', { token, body: { code, accountId: 'someone-else' } });
  const redeemed = await t.call('POST', '/v1/coupons/redeem', { token, body: { code } });
  expect(refused.status).toBe(400);
  expect(redeemed.status).toBe(200);
});
