/**
 * What `DynamoDbCreditStore.commit` sends to DynamoDB and how it reads a cancellation, without
 * DynamoDB: a recording client stands in for the document client. The expected TransactItems
 * (commit-plan.golden.json) were captured from the store as it was before the commit plan, so these
 * tests prove a refactor of the translation changes nothing a transaction writes or checks.
 * CAPTURE_COMMIT_GOLDEN=1 rewrites the file from the current code (only on purpose, and review the diff).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbCreditStore } from '../../../lambdas/adapters/dynamodb/credit-store';
import type { AccountCommit } from '../../../lambdas/domain/credit-store';
import { CouponAlreadyRedeemedError, CouponExhaustedError } from '../../../lambdas/domain/errors';
import { COMMIT_EXAMPLES } from './commit-examples';

const TABLE = 'ledger-table';
const GOLDEN = path.join(__dirname, 'commit-plan.golden.json');

type TransactItem = Record<string, Record<string, unknown>>;

/** A document client that records each TransactWriteItems and answers with `failure` (thrown) or success. */
function recordingClient(failure?: (items: TransactItem[]) => Error) {
  const sent: TransactItem[][] = [];
  const db = {
    send: async (command: { input: { TransactItems?: TransactItem[] } }) => {
      const items = command.input.TransactItems ?? [];
      sent.push(items);
      if (failure) throw failure(items);
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { db, sent };
}

async function transactItemsOf(change: AccountCommit): Promise<TransactItem[]> {
  const { db, sent } = recordingClient();
  expect(await new DynamoDbCreditStore(db, TABLE).commit(change)).toMatchObject({ kind: 'committed' });
  expect(sent).toHaveLength(1);
  // Plain data, as DynamoDB receives it (undefined attributes are not sent).
  return JSON.parse(JSON.stringify(sent[0])) as TransactItem[];
}

describe('the TransactItems of each kind of commit', () => {
  const golden: Record<string, TransactItem[]> = process.env.CAPTURE_COMMIT_GOLDEN === '1' ? {} : (JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, TransactItem[]>);
  afterAll(() => {
    if (process.env.CAPTURE_COMMIT_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(golden, null, 2)}\n`);
  });

  test('every example has its captured TransactItems, and nothing else is captured', () => {
    if (process.env.CAPTURE_COMMIT_GOLDEN === '1') return;
    expect(Object.keys(golden).sort()).toEqual(Object.keys(COMMIT_EXAMPLES).sort());
  });

  test.each(Object.keys(COMMIT_EXAMPLES))('%s: the same items, attributes and conditions as captured', async (name) => {
    const items = await transactItemsOf(COMMIT_EXAMPLES[name]!());
    if (process.env.CAPTURE_COMMIT_GOLDEN === '1') golden[name] = items;
    expect(items).toEqual(golden[name]);
  });
});

// ---- How a cancellation becomes an outcome ----

const keyOf = (item: TransactItem) => {
  const op = item.Put ?? item.Update ?? {};
  const key = (op.Item ?? op.Key) as { pk: string; sk: string };
  return { pk: key.pk, sk: key.sk };
};
const indexWhere = (items: TransactItem[], matches: (key: { pk: string; sk: string }, item: TransactItem) => boolean) => {
  const index = items.findIndex((item) => matches(keyOf(item), item));
  if (index < 0) throw new Error('no such item in the transaction');
  return index;
};
const ACCOUNT = (k: { sk: string }) => k.sk === 'ACCOUNT';
const LEDGER = (k: { sk: string }) => k.sk.startsWith('LEDGER#');
const IDEMPOTENCY = (k: { sk: string }) => k.sk.startsWith('IDEM#');
const EVENT = (k: { pk: string }) => k.pk.startsWith('STRIPE_EVENT#');
const PAYMENT = (k: { pk: string }) => k.pk.startsWith('PAYMENT#');
const REDEMPTION = (k: { sk: string }) => k.sk.startsWith('REDEMPTION#');
const COUPON = (k: { pk: string }) => k.pk.startsWith('COUPON#');
const GRANT = (k: { sk: string }) => k.sk.startsWith('GRANT#');
const JOB = (k: { sk: string }) => k.sk.startsWith('JOB#');

type Reason = { Code: string; Item?: Record<string, unknown> };

/** A TransactionCanceledException as DynamoDB reports it: one reason per item, `None` for the rest. */
function cancelled(codes: ReadonlyArray<readonly [(key: { pk: string; sk: string }, item: TransactItem) => boolean, string, Record<string, unknown>?]>) {
  return (items: TransactItem[]) => {
    const reasons: Reason[] = items.map(() => ({ Code: 'None' }));
    for (const [matches, code, oldItem] of codes) {
      const index = indexWhere(items, matches);
      reasons[index] = oldItem ? { Code: code, Item: marshall(oldItem) as unknown as Record<string, unknown> } : { Code: code };
    }
    return Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException', CancellationReasons: reasons });
  };
}

async function outcomeOf(change: AccountCommit, failure: (items: TransactItem[]) => Error) {
  const { db } = recordingClient(failure);
  return new DynamoDbCreditStore(db, TABLE).commit(change);
}

describe('a cancelled commit', () => {
  const stored = { key: 'idem-1', requestHash: 'a'.repeat(64), statusCode: 202, responseBody: '{"id":"gen_first"}', createdAt: '2026-11-01T10:00:00.000Z' };

  test('a failed idempotency put answers with the stored first response', async () => {
    const outcome = await outcomeOf(COMMIT_EXAMPLES.generationDebit!(), cancelled([[IDEMPOTENCY, 'ConditionalCheckFailed', { pk: 'ACCOUNT#acc_gen', sk: 'IDEM#generation#idem-1', kind: 'idempotency', ...stored, expiresAtEpoch: 1 }]]));
    expect(outcome).toEqual({ kind: 'idempotent_replay', existing: stored });
  });

  test('the stored first response wins over a lost version race in the same cancellation', async () => {
    const outcome = await outcomeOf(
      COMMIT_EXAMPLES.generationDebit!(),
      cancelled([
        [ACCOUNT, 'ConditionalCheckFailed'],
        [IDEMPOTENCY, 'ConditionalCheckFailed', { pk: 'ACCOUNT#acc_gen', sk: 'IDEM#generation#idem-1', kind: 'idempotency', ...stored, expiresAtEpoch: 1 }],
      ]),
    );
    expect(outcome).toEqual({ kind: 'idempotent_replay', existing: stored });
  });

  test('a lost version race on the account is retried', async () => {
    expect(await outcomeOf(COMMIT_EXAMPLES.generationDebit!(), cancelled([[ACCOUNT, 'ConditionalCheckFailed'], [LEDGER, 'ConditionalCheckFailed']]))).toEqual({ kind: 'retry', reason: 'version_changed' });
  });

  test('a provider event already recorded: already applied', async () => {
    expect(await outcomeOf(COMMIT_EXAMPLES.paymentCredit!(), cancelled([[EVENT, 'ConditionalCheckFailed']]))).toEqual({ kind: 'already_applied', what: 'event' });
  });

  test('a payment record created by another event: already applied', async () => {
    expect(await outcomeOf(COMMIT_EXAMPLES.paymentCredit!(), cancelled([[PAYMENT, 'ConditionalCheckFailed']]))).toEqual({ kind: 'already_applied', what: 'payment' });
  });

  test('a payment record moved since it was read: retried', async () => {
    expect(await outcomeOf(COMMIT_EXAMPLES.paymentReversal!(), cancelled([[PAYMENT, 'ConditionalCheckFailed']]))).toEqual({ kind: 'retry', reason: 'version_changed' });
  });

  test('the event record wins over the payment record', async () => {
    expect(await outcomeOf(COMMIT_EXAMPLES.paymentReversal!(), cancelled([[PAYMENT, 'ConditionalCheckFailed'], [EVENT, 'ConditionalCheckFailed']]))).toEqual({ kind: 'already_applied', what: 'event' });
  });

  test('a redemption marker already there: 409 coupon_already_redeemed', async () => {
    await expect(outcomeOf(COMMIT_EXAMPLES.couponRedemption!(), cancelled([[REDEMPTION, 'ConditionalCheckFailed'], [COUPON, 'ConditionalCheckFailed']]))).rejects.toBeInstanceOf(CouponAlreadyRedeemedError);
  });

  test('a coupon used up by others, its marker checked: 410 coupon_exhausted', async () => {
    await expect(outcomeOf(COMMIT_EXAMPLES.couponRedemption!(), cancelled([[COUPON, 'ConditionalCheckFailed']]))).rejects.toBeInstanceOf(CouponExhaustedError);
  });

  test('a coupon guard failing while the marker could not be checked: retried from a fresh read', async () => {
    expect(await outcomeOf(COMMIT_EXAMPLES.couponRedemption!(), cancelled([[COUPON, 'ConditionalCheckFailed'], [REDEMPTION, 'TransactionConflict']]))).toEqual({ kind: 'retry', reason: 'TransactionConflict' });
  });

  test('a period already granted, or a job moved since it was read: retried', async () => {
    expect(await outcomeOf(COMMIT_EXAMPLES.periodGrant!(), cancelled([[GRANT, 'ConditionalCheckFailed']]))).toEqual({ kind: 'retry', reason: 'version_changed' });
    expect(await outcomeOf(COMMIT_EXAMPLES.jobRefund!(), cancelled([[JOB, 'ConditionalCheckFailed']]))).toEqual({ kind: 'retry', reason: 'version_changed' });
  });

  test('only conflicts: retried with the conflict as the reason', async () => {
    expect(await outcomeOf(COMMIT_EXAMPLES.generationDebit!(), cancelled([[ACCOUNT, 'TransactionConflict']]))).toEqual({ kind: 'retry', reason: 'TransactionConflict' });
    expect(await outcomeOf(COMMIT_EXAMPLES.generationDebit!(), () => Object.assign(new Error('throttled'), { name: 'ThrottlingException' }))).toEqual({ kind: 'retry', reason: 'ThrottlingException' });
  });

  test('a guard no outcome explains is an error, never a silent retry', async () => {
    await expect(outcomeOf(COMMIT_EXAMPLES.generationDebit!(), cancelled([[LEDGER, 'ConditionalCheckFailed']]))).rejects.toThrow('unexpected failed condition on ledger');
  });
});
