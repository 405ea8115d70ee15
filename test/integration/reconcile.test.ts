/**
 * Issue 11: reconcile never cries wolf. The scan is not a snapshot: here it reads one item per page
 * and the account is debited after its item was read and before its new ledger entries are, as live
 * traffic does. Entries newer than the account read are not counted (they carry their commit's
 * version), and a suspected mismatch is re-read strongly consistent before it is reported. A
 * tampered balance is still reported.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACCOUNT_SK, accountPk } from '../../lambdas/adapters/dynamodb/keys';
import { ledgerMismatches } from '../../lambdas/domain/reconcile';
import { issueCoupon, newIdempotencyKey } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

/** Scans one item a page; after the page holding `accountId`'s account item, runs `between` once. */
function interleaving(db: DynamoDBDocumentClient, state: State) {
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }, ...rest: unknown[]) => {
    const real = db.send as (...a: unknown[]) => Promise<unknown>;
    if (command.constructor.name === 'ScanCommand' && state.staleLedgerOf !== null) {
      // An eventually consistent replica that has the account's last write but not yet its newest ledger entry.
      const page = (await real.call(db, command, ...rest)) as { Items?: Array<{ pk: string; sk: string }> };
      const ledger = (page.Items ?? []).filter((i) => i.pk === accountPk(state.staleLedgerOf!) && i.sk.startsWith('LEDGER#'));
      const newest = ledger.map((i) => i.sk).sort().at(-1);
      return { ...page, Items: (page.Items ?? []).filter((i) => !(i.pk === accountPk(state.staleLedgerOf!) && i.sk === newest)) };
    }
    if (command.constructor.name !== 'ScanCommand' || state.between === null) return real.call(db, command, ...rest);
    command.input.Limit = 1;
    const page = (await real.call(db, command, ...rest)) as { Items?: Array<{ pk: string; sk: string }> };
    if (page.Items?.some((i) => i.pk === accountPk(state.accountId!) && i.sk === ACCOUNT_SK)) {
      const between = state.between;
      state.between = null;
      await between();
    }
    return page;
  };
  return new Proxy(db, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
}

interface State {
  accountId: string | null;
  between: (() => Promise<void>) | null;
  staleLedgerOf: string | null;
}

let t: TestService;
const state: State = { accountId: null, between: null, staleLedgerOf: null };
beforeAll(async () => {
  t = await startTestService({ pollers: false, db: (db) => interleaving(db, state) });
});
afterAll(async () => {
  await expectMoneyInvariants(t);
  await t.stop();
});

const generate = async (token: string) => expect((await t.call('POST', '/v1/generations', { token, body: { model: 'nano-banana-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } })).status).toBe(202);

test('a commit (a coupon redeemed) while the scan is between the account and its ledger is no mismatch', async () => {
  const token = await t.token('busy');
  await generate(token);
  state.accountId = 'busy';
  let committed = false;
  const code = await issueCoupon(t, 40);
  state.between = async () => {
    expect((await t.call('POST', '/v1/coupons/redeem', { token, body: { code } })).status).toBe(200);
    committed = true;
  };

  const result = (await t.service.jobs.reconcile!()) as { accounts: number; mismatches: unknown[] };

  expect(committed).toBe(true);
  // Not even suspected: the new entries carry a version after the account read.
  expect(result).toMatchObject({ mismatches: [], suspectedThenCleared: 0 });
  expect(result.accounts).toBeGreaterThanOrEqual(1);
});

test('a scan that missed an entry (eventual consistency) suspects the account; the strongly consistent re-read clears it', async () => {
  const token = await t.token('stale');
  await generate(token);
  state.staleLedgerOf = 'stale';
  try {
    const result = (await t.service.jobs.reconcile!()) as { mismatches: unknown[]; suspectedThenCleared: number };
    expect(result).toMatchObject({ mismatches: [], suspectedThenCleared: 1 });
  } finally {
    state.staleLedgerOf = null;
  }
});

test('a tampered balance is still reported, after the strongly consistent re-read', async () => {
  const token = await t.token('tampered');
  await generate(token);
  await t.table.db.send(
    new UpdateCommand({ TableName: t.table.tableName, Key: { pk: accountPk('tampered'), sk: ACCOUNT_SK }, UpdateExpression: 'SET buckets[0].balance = buckets[0].balance + :two', ExpressionAttributeValues: { ':two': 2 } }),
  );

  const result = (await t.service.jobs.reconcile!()) as { mismatches: Array<{ accountId: string; balance: number; ledgerSum: number }>; suspectedThenCleared: number };

  expect(result.mismatches).toHaveLength(1);
  expect(result.mismatches[0]).toMatchObject({ accountId: 'tampered' });
  expect(result.mismatches[0]!.balance - result.mismatches[0]!.ledgerSum).toBe(2);
  expect(result.suspectedThenCleared).toBe(0);
  // Undo it, so the suite's own invariants hold.
  await t.table.db.send(
    new UpdateCommand({ TableName: t.table.tableName, Key: { pk: accountPk('tampered'), sk: ACCOUNT_SK }, UpdateExpression: 'SET buckets[0].balance = buckets[0].balance - :two', ExpressionAttributeValues: { ':two': 2 } }),
  );
});

test('the rule: entries newer than the account read are not counted; older ones must sum to the balance', () => {
  const account = { id: 'a', version: 3, buckets: [{ id: 'sub:1', balance: 80 }] } as never;
  expect(ledgerMismatches(account, [{ accountVersion: 1, bucketId: 'sub:1', amount: 100 }, { accountVersion: 3, bucketId: 'sub:1', amount: -20 }, { accountVersion: 4, bucketId: 'sub:1', amount: -5 }])).toEqual([]);
  expect(ledgerMismatches(account, [{ accountVersion: 1, bucketId: 'sub:1', amount: 100 }])).toEqual([{ accountId: 'a', bucketId: 'sub:1', balance: 80, ledgerSum: 100 }]);
  expect(ledgerMismatches(account, [{ accountVersion: 1, bucketId: 'sub:1', amount: 80 }, { accountVersion: 2, bucketId: 'coupon', amount: 5 }])).toEqual([{ accountId: 'a', bucketId: 'coupon', balance: 0, ledgerSum: 5 }]);
});
