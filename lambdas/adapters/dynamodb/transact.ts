/**
 * Runs one TransactWriteItems and reads a cancellation the way DynamoDB reports it: one reason per
 * item, in request order. Transient failures (conflicts, throttling) are told apart from failed
 * guards, so callers can retry the first and map the second to domain errors.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type TransactResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly transient: true; readonly reason: string }
  | { readonly ok: false; readonly transient: false; readonly failedConditions: ReadonlyArray<{ index: number; oldItem: Record<string, unknown> | null }> };

const TRANSIENT_ERRORS = new Set([
  'TransactionConflictException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
]);

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
    const transient = reasons.find((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded');
    const failedConditions = reasons.flatMap((r, index) =>
      r.Code === 'ConditionalCheckFailed' ? [{ index, oldItem: r.Item ? unmarshall(r.Item) : null }] : [],
    );
    // A failed guard is a fact about the data and wins over a transient conflict elsewhere.
    if (failedConditions.length > 0) return { ok: false, transient: false, failedConditions };
    if (transient) return { ok: false, transient: true, reason: transient.Code ?? 'TransactionConflict' };
    throw error;
  }
}
