import { paygTermsOf } from '../domain/account';
import type { Charge } from '../domain/allocate-debit';
import { previewDebit } from '../domain/allocate-debit';
import type { GenerationQuote } from '../domain/generation';
import { quoteGeneration } from '../domain/generation';
import { capOf, spentThisPeriod } from '../domain/team';
import type { UseCaseDeps } from './context';
import { getOrOpenAccount } from './open-account';

/** A quote for this account: the price, and which buckets would pay it now (in drain order). */
export interface AccountQuote extends GenerationQuote {
  readonly affordable: boolean;
  readonly charges: readonly Charge[];
  /** The caller's monthly cap on this wallet, when they have one. */
  readonly memberCap: { readonly capCredits: number; readonly spentCredits: number } | null;
}

/** The price shown before generating, within the caller's plan limits and monthly cap. */
export async function quoteForAccount(deps: UseCaseDeps, input: { accountId: string; userId: string; model: string; count: number }): Promise<AccountQuote> {
  const account = await getOrOpenAccount(deps, input.accountId);
  const quote = quoteGeneration(account.plan, input.model, input.count);
  const preview = previewDebit(account.buckets, quote.credits, deps.clock.now(), paygTermsOf(account));
  const capCredits = capOf(account, input.userId);
  const memberCap = capCredits === null ? null : { capCredits, spentCredits: spentThisPeriod(account, input.userId) };
  const withinCap = memberCap === null || memberCap.spentCredits + quote.credits <= memberCap.capCredits;
  return { ...quote, affordable: preview.affordable && withinCap, charges: withinCap ? preview.charges : [], memberCap };
}
