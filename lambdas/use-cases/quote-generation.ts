import type { GenerationQuote } from '../domain/generation';
import { quoteGeneration } from '../domain/generation';
import type { UseCaseDeps } from './context';
import { getOrOpenAccount } from './open-account';

/** The price shown before generating, within the caller's plan limits. */
export async function quoteForAccount(deps: UseCaseDeps, input: { accountId: string; model: string; count: number }): Promise<GenerationQuote> {
  const account = await getOrOpenAccount(deps, input.accountId);
  return quoteGeneration(account.plan, input.model, input.count);
}
