/**
 * The writes outside an account commit (recording a top-up, issuing a coupon batch) meet the same
 * transient DynamoDB failures as every other write: TransactionConflict and throttling (injected
 * here; DynamoDB Local never raises them). They are retried from a fresh read; when they never
 * clear, the answer is 409 write_conflict with nothing written, as on every other route.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Fault, FaultPlan } from '../support/fault-injection';
import { withFaults } from '../support/fault-injection';
import { newIdempotencyKey } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
/** The plan the faulty client follows; replaced by each test, cleared after it. */
let plan: FaultPlan = { next: () => null };
beforeAll(async () => {
  t = await startTestService({ pollers: false, db: (db) => withFaults(db, { next: (call) => plan.next(call) }).client });
});
afterEach(async () => {
  plan = { next: () => null };
  jest.restoreAllMocks();
  await t.settle();
});
afterAll(async () => {
  await expectMoneyInvariants(t);
  await t.stop();
});

/** Fails the next transactions with these faults, in order, then lets everything through; counts them. */
function failNext(...faults: Fault[]): { readonly transactions: () => number } {
  let seen = 0;
  plan = { next: () => faults[seen++] ?? null };
  return { transactions: () => seen };
}
const failEveryTransaction = () => {
  plan = { next: () => 'transaction_conflict' };
};

const topup = (token: string, credits: number, key = newIdempotencyKey()) => t.call('POST', '/v1/topups', { token, body: { credits }, headers: { 'idempotency-key': key } });
const available = async (token: string) => (await t.call('GET', '/v1/balance', { token })).body.available as number;
const topups = async (token: string) => (await t.call('GET', '/v1/billing', { token })).body.topups as Array<{ id: string; credits: number; status: string }>;
const issue = (count: number) => t.call('POST', '/v1/admin/coupons', { token: adminToken, body: { campaign: 'retry', credits: 40, count } });
let adminToken: string;

async function couponItems(): Promise<number> {
  const page = await t.table.db.send(new ScanCommand({ TableName: t.table.tableName, FilterExpression: 'begins_with(pk, :coupon)', ExpressionAttributeValues: { ':coupon': 'COUPON#' }, ConsistentRead: true }));
  if (page.LastEvaluatedKey) throw new Error('the test table outgrew one scan page');
  return page.Count ?? 0;
}

/** An owner whose account and payment customer exist already (one paid top-up of 200 behind it). */
async function ownerWithCustomer(sub: string): Promise<string> {
  const token = await t.token(sub);
  expect((await topup(token, 200)).status).toBe(201);
  await t.settle();
  expect(await available(token)).toBe(300);
  return token;
}

describe('POST /v1/topups', () => {
  test('TransactionConflict and throttling on recording the top-up are retried: one top-up, one payment, credited once', async () => {
    const token = await ownerWithCustomer('topup-conflicted');
    const createPayment = jest.spyOn(t.payments, 'createPayment');
    const faults = failNext('transaction_conflict', 'transaction_conflict', 'throttling');

    const response = await topup(token, 500);
    await t.settle();

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ id: expect.stringMatching(/^top_/), credits: 500 });
    expect(faults.transactions()).toBeGreaterThanOrEqual(4);
    expect(createPayment).toHaveBeenCalledTimes(1);
    expect(createPayment.mock.calls[0]![0]).toMatchObject({ topupId: response.body.id, idempotencyKey: `topup:${response.body.id}` });
    expect(await available(token)).toBe(800);
    const recorded = await topups(token);
    expect(recorded).toHaveLength(2);
    expect(recorded).toEqual(expect.arrayContaining([expect.objectContaining({ id: response.body.id, credits: 500, status: 'succeeded' }), expect.objectContaining({ credits: 200, status: 'succeeded' })]));
  });

  test('conflicts that never clear: 409 write_conflict, no top-up recorded, no payment created; a retry with the key then succeeds once', async () => {
    const token = await ownerWithCustomer('topup-doomed');
    const createPayment = jest.spyOn(t.payments, 'createPayment');
    const key = newIdempotencyKey();
    failEveryTransaction();

    const refused = await topup(token, 500, key);
    plan = { next: () => null };

    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('write_conflict');
    expect(createPayment).not.toHaveBeenCalled();
    expect(await topups(token)).toEqual([expect.objectContaining({ credits: 200 })]);
    expect(await available(token)).toBe(300);

    const retried = await topup(token, 500, key);
    await t.settle();

    expect(retried.status).toBe(201);
    expect(createPayment).toHaveBeenCalledTimes(1);
    expect(await available(token)).toBe(800);
    expect(await topups(token)).toHaveLength(2);
  });
});

describe('POST /v1/admin/coupons', () => {
  beforeAll(async () => {
    adminToken = await t.token('coupon-admin', { groups: ['admin'] });
  });

  test('TransactionConflict and throttling on the batch are retried: every code is issued and redeemable', async () => {
    const before = await couponItems();
    const faults = failNext('transaction_conflict', 'throttling', 'transaction_conflict');

    const response = await issue(5);

    expect(response.status).toBe(201);
    expect(response.body.codes).toHaveLength(5);
    expect(faults.transactions()).toBe(4);
    expect(await couponItems()).toBe(before + 5);
    const redeemer = await t.token('coupon-redeemer');
    const redeemed = await t.call('POST', '/v1/coupons/redeem', { token: redeemer, body: { code: response.body.codes[4] } });
    expect(redeemed.body).toMatchObject({ credits: 40, available: 140 });
  });

  test('conflicts that never clear: 409 write_conflict and not one code written', async () => {
    const before = await couponItems();
    failEveryTransaction();

    const response = await issue(20);
    plan = { next: () => null };

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('write_conflict');
    expect(await couponItems()).toBe(before);
  });
});
