/**
 * Scheduled (daily in AWS): checks, for every account and bucket, that the ledger sums to the
 * balance. A full pass by nature, so it runs as a parallel segmented scan.
 */
import type { UseCaseDeps } from './context';

export interface LedgerMismatch {
  readonly accountId: string;
  readonly bucketId: string;
  readonly balance: number;
  readonly ledgerSum: number;
}

export async function reconcileLedger(deps: UseCaseDeps, segments = 4): Promise<{ accounts: number; mismatches: LedgerMismatch[] }> {
  const totals = await deps.store.scanLedgerTotals(segments);
  const mismatches: LedgerMismatch[] = [];
  for (const { account, ledgerSums } of totals) {
    const bucketIds = new Set([...account.buckets.map((b) => b.id), ...ledgerSums.keys()]);
    for (const bucketId of bucketIds) {
      const balance = account.buckets.find((b) => b.id === bucketId)?.balance ?? 0;
      const ledgerSum = ledgerSums.get(bucketId) ?? 0;
      if (balance !== ledgerSum) mismatches.push({ accountId: account.id, bucketId, balance, ledgerSum });
    }
  }
  return { accounts: totals.length, mismatches };
}
