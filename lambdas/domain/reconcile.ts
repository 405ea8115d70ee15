/**
 * Reconcile's rule: a bucket's balance equals the sum of its ledger entries, counting exactly the
 * entries the account's version includes. Entries carry the version of the commit that wrote them
 * (the account and its entries are written in one transaction), so entries newer than the account
 * read are a commit that landed after it, not a mismatch.
 */
import type { Account } from './account';

export interface VersionedEntry {
  readonly accountVersion: number;
  readonly bucketId: string;
  readonly amount: number;
}

export interface LedgerMismatch {
  readonly accountId: string;
  readonly bucketId: string;
  readonly balance: number;
  readonly ledgerSum: number;
}

export function ledgerMismatches(account: Pick<Account, 'id' | 'version' | 'buckets'>, entries: Iterable<VersionedEntry>): LedgerMismatch[] {
  const sums = new Map<string, number>();
  for (const entry of entries) {
    if (entry.accountVersion > account.version) continue;
    sums.set(entry.bucketId, (sums.get(entry.bucketId) ?? 0) + entry.amount);
  }
  const mismatches: LedgerMismatch[] = [];
  for (const bucketId of new Set([...account.buckets.map((b) => b.id), ...sums.keys()])) {
    const balance = account.buckets.find((b) => b.id === bucketId)?.balance ?? 0;
    const ledgerSum = sums.get(bucketId) ?? 0;
    if (balance !== ledgerSum) mismatches.push({ accountId: account.id, bucketId, balance, ledgerSum });
  }
  return mismatches;
}
