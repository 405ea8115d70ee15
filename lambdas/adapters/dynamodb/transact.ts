/**
 * Runs one TransactWriteItems and reads a cancellation the way DynamoDB reports it: one reason per
 * item, in request order. Transient failures (conflicts, throttling) are told apart from failed
 * guards, so callers can retry the first and map the second to domain errors. Also TransactGetItems,
 * for the reads whose items must come from one side of every concurrent transaction.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TransactGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type TransactResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly transient: true; readonly reason: string }
  | {
      readonly ok: false;
      readonly transient: false;
      readonly failedConditions: ReadonlyArray<{ index: number; oldItem: Record<string, unknown> | null }>;
      /**
       * Items DynamoDB could not check because another transaction was writing them (or throttled):
       * their guards may fail or pass once it is done, so a failed guard elsewhere is the whole story
       * only when this is empty.
       */
      readonly unchecked: readonly number[];
    };

const TRANSIENT_ERRORS = new Set([
  'TransactionConflictException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
]);

/** The per-item cancellation reasons that say "not now" rather than "no". */
const isTransientReason = (r: { Code?: string }) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded';

export const MAX_TRANSACT_ITEMS = 100;

export async function transactWrite(db: DynamoDBDocumentClient, items: readonly TransactItem[]): Promise<TransactResult> {
  if (items.length === 0 || items.length > MAX_TRANSACT_ITEMS) throw new Error(`a transaction holds 1..${MAX_TRANSACT_ITEMS} items, got ${items.length}`);
  try {
    // A token per attempt makes the SDK's own retries of this call idempotent.
    await db.send(new TransactWriteCommand({ TransactItems: [...items], ClientRequestToken: randomUUID() }));
    return { ok: true };
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (TRANSIENT_ERRORS.has(name)) return { ok: false, transient: true, reason: name };
    if (name !== 'TransactionCanceledException') throw error;
    const reasons = (error as { CancellationReasons?: Array<{ Code?: string; Item?: Record<string, AttributeValue> }> }).CancellationReasons ?? [];
    const transient = reasons.find(isTransientReason);
    const failedConditions = reasons.flatMap((r, index) =>
      r.Code === 'ConditionalCheckFailed' ? [{ index, oldItem: r.Item ? unmarshall(r.Item) : null }] : [],
    );
    // A failed guard is a fact about the data and wins over a transient conflict elsewhere; the
    // caller is told which items went unchecked, in case their outcome would change the answer.
    const unchecked = reasons.flatMap((r, index) => (isTransientReason(r) ? [index] : []));
    if (failedConditions.length > 0) return { ok: false, transient: false, failedConditions, unchecked };
    if (transient) return { ok: false, transient: true, reason: transient.Code ?? 'TransactionConflict' };
    throw error;
  }
}

export type TransactGetResult = { readonly ok: true; readonly items: ReadonlyArray<Record<string, unknown> | undefined> } | { readonly ok: false; readonly reason: string };

/**
 * Reads up to 100 items as one serializable snapshot: every concurrent TransactWriteItems is either
 * wholly in it or wholly out of it (a BatchGetItem only promises that of each item on its own).
 * DynamoDB refuses the read while a transaction is writing one of the items, or when throttled:
 * then `ok: false`, to be read again.
 */
export async function transactGet(db: DynamoDBDocumentClient, tableName: string, keys: ReadonlyArray<Record<string, unknown>>): Promise<TransactGetResult> {
  if (keys.length === 0 || keys.length > MAX_TRANSACT_ITEMS) throw new Error(`a transaction holds 1..${MAX_TRANSACT_ITEMS} items, got ${keys.length}`);
  try {
    const result = await db.send(new TransactGetCommand({ TransactItems: keys.map((Key) => ({ Get: { TableName: tableName, Key } })) }));
    return { ok: true, items: keys.map((_, index) => result.Responses?.[index]?.Item) };
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (TRANSIENT_ERRORS.has(name)) return { ok: false, reason: name };
    const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
    const transient = name === 'TransactionCanceledException' ? reasons.find(isTransientReason) : undefined;
    if (transient) return { ok: false, reason: transient.Code ?? 'TransactionConflict' };
    throw error;
  }
}
