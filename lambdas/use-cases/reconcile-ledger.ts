/**
 * Scheduled (daily in AWS): checks, for every account and bucket, that the ledger sums to the
 * balance (lambdas/domain/reconcile.ts: entries up to the account's version). A full pass by
 * nature: a parallel segmented scan, streamed an account at a time. Under live traffic a scan is no
 * snapshot, so every suspected mismatch is read again, strongly consistent, before it is reported:
 * the job never cries wolf, and a real mismatch (a tampered balance) survives the re-read.
 */
import { ledgerMismatches } from '../domain/reconcile';
import type { LedgerMismatch } from '../domain/reconcile';
import type { UseCaseDeps } from './context';

export type { LedgerMismatch };

export async function reconcileLedger(deps: UseCaseDeps, segments = 4): Promise<{ accounts: number; mismatches: LedgerMismatch[]; suspectedThenCleared: number }> {
  let accounts = 0;
  const suspects = new Set<string>();
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      for await (const { account, entries } of deps.store.scanAccountLedgers(segment, segments)) {
        accounts += 1;
        if (ledgerMismatches(account, entries).length > 0) suspects.add(account.id);
      }
    }),
  );
  const mismatches: LedgerMismatch[] = [];
  for (const accountId of suspects) {
    const fresh = await deps.store.readAccountLedger(accountId);
    if (fresh) mismatches.push(...ledgerMismatches(fresh.account, fresh.entries));
  }
  const confirmed = new Set(mismatches.map((m) => m.accountId)).size;
  return { accounts, mismatches, suspectedThenCleared: suspects.size - confirmed };
}
