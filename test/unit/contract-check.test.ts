/** The contract check every answer of the test service's `call` goes through (test/support/contract.ts). */
import { contractViolation } from '../support/contract';

const balance = { accountId: 'a', available: 5, buckets: [{ id: 'coupon', type: 'coupon', balance: 5, expiresAt: null }], payg: { enabled: false, limit: 0, used: 0 } };

test('an answer that matches its route and status passes', () => {
  expect(contractViolation('GET', '/v1/balance', 200, balance)).toBeNull();
  expect(contractViolation('GET', '/v1/generations/gen_01jf0000000000000000000000?x=1', 404, { error: { code: 'generation_not_found', message: 'no' } })).toBeNull();
});

test('a missing field, an undocumented field, an undocumented status or a code of another status fails, naming route and status', () => {
  expect(contractViolation('GET', '/v1/balance', 200, { ...balance, available: undefined })).toMatch(/^GET \/v1\/balance → 200: .*available/);
  expect(contractViolation('GET', '/v1/balance', 200, { ...balance, extra: 1 })).toMatch(/additional properties/);
  expect(contractViolation('GET', '/v1/pricing', 403, { error: { code: 'forbidden', message: 'no' } })).toMatch(/no such answer/);
  expect(contractViolation('POST', '/v1/quotes', 400, { error: { code: 'coupon_expired', message: 'no' } })).toMatch(/allowed values/);
});

test("unrouted paths (the gateway's 404/405) belong to no operation", () => {
  expect(contractViolation('GET', '/v1/nothing', 404, { error: { code: 'route_not_found', message: 'no' } })).toBeNull();
});
