import { paygTermsOf } from '../domain/account';
import type { Charge } from '../domain/allocate-debit';
import { previewDebit } from '../domain/allocate-debit';
import type { GenerationQuote } from '../domain/generation';
import { quoteGeneration } from '../domain/generation';
import type { UseCaseDeps } from './context';
import { getOrOpenAccount } from './open-account';

/** A quote for this account: the price, and which buckets would pay it now (in drain order). */
export interface AccountQuote extends GenerationQuote {
  readonly affordable: boolean;
  readonly charges: readonly Charge[];
}

/** The price shown before generating, within the caller's plan limits. */
export async function quoteForAccount(deps: UseCaseDeps, input: { accountId: string; model: string; count: number }): Promise<AccountQuote> {
  const account = await getOrOpenAccount(deps, input.accountId);
  const quote = quoteGeneration(account.plan, input.model, input.count);
  return { ...quote, ...previewDebit(account.buckets, quote.credits, deps.clock.now(), paygTermsOf(account)) };
}
