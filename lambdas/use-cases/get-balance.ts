import type { Account } from '../domain/account';
import { paygTermsOf } from '../domain/account';
import { availableCredits, paygUsed, visibleBuckets } from '../domain/wallet';
import type { BucketType } from '../domain/wallet';
import type { UseCaseDeps } from './context';
import { getOrOpenAccount } from './open-account';

export interface BalanceView {
  readonly accountId: string;
  readonly available: number;
  readonly buckets: ReadonlyArray<{ id: string; type: BucketType; balance: number; expiresAt: string | null }>;
  readonly payg: { enabled: boolean; limit: number; used: number };
}

export function balanceView(account: Account, now: Date): BalanceView {
  const payg = paygTermsOf(account);
  return {
    accountId: account.id,
    available: availableCredits(account.buckets, now),
    buckets: visibleBuckets(account.buckets, now).map((b) => ({ id: b.id, type: b.type, balance: b.balance, expiresAt: b.expiresAt })),
    payg: { enabled: payg.enabled, limit: payg.limitCredits, used: paygUsed(account.buckets) },
  };
}

export async function getBalance(deps: UseCaseDeps, accountId: string): Promise<BalanceView> {
  const account = await getOrOpenAccount(deps, accountId);
  return balanceView(account, deps.clock.now());
}
