/**
 * The money invariants, checked against what is stored: no bucket below its floor, and for every
 * bucket the ledger sums to the balance (the reconcile job's own check), with each entry's
 * balanceAfter equal to the running sum in commit order.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { PLANS } from '../../lambdas/domain/catalog';
import type { TestService } from './test-service';

export async function expectMoneyInvariants(t: TestService): Promise<void> {
  const reconcile = (await t.service.jobs.reconcile!()) as { accounts: number; mismatches: unknown[] };
  expect(reconcile.mismatches).toEqual([]);
  for await (const { account } of t.service.deps.store.scanAccountLedgers(0, 1)) {
    for (const bucket of account.buckets) {
      // As the wallet's own floors: PAYG down to its limit, a debt unbounded, every other bucket 0.
      const floor = bucket.type === 'payg' ? -PLANS[account.plan].paygLimitCredits : bucket.type === 'debt' ? Number.NEGATIVE_INFINITY : 0;
      expect(bucket.balance).toBeGreaterThanOrEqual(floor);
    }
    const entries = await readLedgerOldestFirst(t, account.id);
    const running = new Map<string, number>();
    for (const entry of entries) {
      const after = (running.get(entry.bucketId) ?? 0) + entry.amount;
      running.set(entry.bucketId, after);
      expect(entry.balanceAfter).toBe(after);
    }
  }
}

async function readLedgerOldestFirst(t: TestService, accountId: string): Promise<Array<{ bucketId: string; amount: number; balanceAfter: number }>> {
  const items: Array<{ bucketId: string; amount: number; balanceAfter: number }> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await t.table.db.send(
      new QueryCommand({
        TableName: t.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':p': 'LEDGER#' },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((page.Items ?? []) as typeof items));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
