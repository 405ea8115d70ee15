/**
 * The store under contention: many writers on one account, first-request races, and the retry
 * paths that only real DynamoDB's conflicts and throttles exercise (injected here).
 */
import { debitWallet } from '../../lambdas/domain/allocate-debit';
import { paygTermsOf } from '../../lambdas/domain/account';
import { InsufficientCreditsError } from '../../lambdas/domain/errors';
import { getOrOpenAccount } from '../../lambdas/use-cases/open-account';
import { done, retry, withOptimisticRetry } from '../../lambdas/use-cases/optimistic-retry';
import type { UseCaseDeps } from '../../lambdas/use-cases/context';
import { addCredits, newIdempotencyKey, setPlan } from '../support/fixtures';
import type { FaultyClient } from '../support/fault-injection';
import { failFirst, randomFaults, withFaults } from '../support/fault-injection';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

/** One debit through the store exactly as a generation makes it, without a job (no concurrency cap). */
async function debit(deps: UseCaseDeps, accountId: string, credits: number, reference: string): Promise<'accepted' | 'refused'> {
  try {
    return await withOptimisticRetry(async () => {
      const account = await deps.store.loadAccount(accountId);
      if (!account) throw new Error('no account');
      const now = deps.clock.now();
      const { change } = debitWallet(account.buckets, { costCredits: credits, reference, now, payg: paygTermsOf(account) });
      const outcome = await deps.store.commit({ before: account, after: { ...account, buckets: change.buckets }, entries: change.entries, at: now.toISOString() });
      return outcome.kind === 'committed' ? done('accepted' as const) : retry(outcome.kind);
    });
  } catch (error) {
    if (error instanceof InsufficientCreditsError) return 'refused';
    throw error;
  }
}

describe('one hot account', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ pollers: false });
  });
  afterAll(async () => {
    await expectMoneyInvariants(t);
    await t.stop();
  });

  test('200 concurrent debits of 1 against 100 credits: exactly 100 succeed, no bucket negative', async () => {
    const account = await getOrOpenAccount(t.service.deps, 'hot');
    expect(account.buckets.reduce((s, b) => s + b.balance, 0)).toBe(100);

    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => debit(t.service.deps, 'hot', 1, `ref-${i}`)));

    expect(results.filter((r) => r === 'accepted')).toHaveLength(100);
    expect(results.filter((r) => r === 'refused')).toHaveLength(100);
    const after = await t.service.deps.store.loadAccount('hot');
    expect(after!.buckets.map((b) => b.balance)).toEqual([0]);
    expect(after!.version).toBe(account.version + 100);
  });

  test('through the API: 60 concurrent generations on a TEAM account with credits for 10 → 10 accepted, the rest 402/429', async () => {
    const token = await t.token('hot-team');
    await addCredits(t, token, 300);
    await setPlan(t, 'hot-team', 'TEAM');
    // 100 grant + 300 coupon = 400 credits = 10 Seedance videos.
    const responses = await Promise.all(
      Array.from({ length: 60 }, () => t.call('POST', '/v1/generations', { token, body: { model: 'seedance-2.0', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } })),
    );
    const accepted = responses.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(10);
    expect(responses.every((r) => [202, 402, 429].includes(r.status))).toBe(true);
    expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(0);
  });

  test('50 concurrent first requests open one account with one grant', async () => {
    const token = await t.token('stampede');
    const responses = await Promise.all(Array.from({ length: 50 }, () => t.call('GET', '/v1/balance', { token })));
    expect(responses.every((r) => r.status === 200 && r.body.available === 100)).toBe(true);
    const ledger = await t.call('GET', '/v1/ledger?limit=100', { token });
    expect(ledger.body.entries).toHaveLength(1);
    expect(ledger.body.entries[0]).toMatchObject({ type: 'grant', amount: 100 });
  });
});

describe('injected DynamoDB faults', () => {
  let t: TestService;
  let faults: FaultyClient;
  let plan: { current: { next(call: number): ReturnType<ReturnType<typeof failFirst>['next']> } };
  beforeAll(async () => {
    plan = { current: failFirst(0, 'transaction_conflict') };
    t = await startTestService({
      pollers: false,
      db: (db) => {
        faults = withFaults(db, { next: (call) => plan.current.next(call) });
        return faults.client;
      },
    });
  });
  afterAll(async () => {
    plan.current = failFirst(0, 'throttling');
    await expectMoneyInvariants(t);
    await t.stop();
  });

  test('an uncontended debit is two DynamoDB calls: one read, one transaction', async () => {
    const token = await t.token('frugal');
    await t.call('GET', '/v1/balance', { token });
    for (const name of Object.keys(faults.calls)) delete faults.calls[name];

    const response = await t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });

    expect(response.status).toBe(202);
    expect(faults.calls).toEqual({ BatchGetCommand: 1, TransactWriteCommand: 1 });
  });

  test('TransactionConflict and throttling are retried: the debit lands once', async () => {
    const token = await t.token('conflicted');
    await t.call('GET', '/v1/balance', { token });
    let calls = 0;
    plan.current = { next: () => ((calls += 1) <= 2 ? 'transaction_conflict' : calls === 3 ? 'throttling' : null) };

    const response = await t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });

    expect(response.status).toBe(202);
    expect(calls).toBe(4);
    expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(95);
  });

  test('a commit whose answer is lost: the retry with the same key gets the same job, one debit', async () => {
    const token = await t.token('lost-answer');
    await t.call('GET', '/v1/balance', { token });
    const key = newIdempotencyKey();
    let calls = 0;
    plan.current = { next: () => ((calls += 1) === 1 ? 'lost_response' : null) };

    const first = await t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': key } });
    const retried = await t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': key } });

    expect(first.status).toBe(500);
    expect(first.body.error.code).toBe('internal_error');
    expect(retried.status).toBe(202);
    expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(95);
    const job = await t.call('GET', `/v1/generations/${retried.body.id}`, { token });
    expect(job.status).toBe(200);
  });

  test('endless conflicts give up with 409 write_conflict and change nothing', async () => {
    const token = await t.token('doomed');
    await t.call('GET', '/v1/balance', { token });
    plan.current = { next: () => 'transaction_conflict' };

    const response = await t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });

    plan.current = failFirst(0, 'throttling');
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('write_conflict');
    expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(100);
  });

  test('random faults (seeded) under 100 concurrent debits keep every invariant', async () => {
    const token = await t.token('chaos');
    await t.call('GET', '/v1/balance', { token });
    await setPlan(t, 'chaos', 'TEAM');
    plan.current = randomFaults(42, 0.3, ['transaction_conflict', 'throttling']);

    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => debit(t.service.deps, 'chaos', 3, `chaos-${i}`)));

    plan.current = failFirst(0, 'throttling');
    expect(results.filter((r) => r === 'accepted')).toHaveLength(33);
    expect(faults.injected.transaction_conflict + faults.injected.throttling).toBeGreaterThan(10);
    expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(1);
  });
});
