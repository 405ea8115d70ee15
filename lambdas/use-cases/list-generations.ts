import type { GenerationPage } from '../domain/credit-store';
import type { UseCaseDeps } from './context';

/** Newest first; the cursor is opaque to callers. An account with no jobs simply has an empty page. */
export async function listGenerations(deps: UseCaseDeps, input: { accountId: string; limit: number; cursor: string | null }): Promise<GenerationPage> {
  return deps.store.listGenerations(input.accountId, input.limit, input.cursor);
}
