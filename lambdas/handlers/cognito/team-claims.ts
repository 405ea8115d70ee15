/**
 * What a signed-in user's tokens say about their wallet, decided from their team link alone (pure:
 * no I/O, tested in isolation). A user is in at most one team besides their own wallet; while that
 * link is active, `account_id` names the team's wallet in both the ID and the access token, so the
 * app lands in it. Otherwise nothing is added and the API uses the caller's own wallet (`sub`).
 * The claim only SELECTS the wallet: the API checks membership against its own records.
 */
import type { UserTeamLink } from '../../domain/credit-store';

/** The wallet the API selects (lambdas/shared/caller.ts); absent = the caller's own. */
export const ACCOUNT_ID_CLAIM = 'account_id';
/** No longer read by the API (membership is checked against the records): kept out of new tokens. */
export const RETIRED_CLAIMS: readonly string[] = ['account_role'];

/** One token's part of Cognito's V2_0 `claimsAndScopeOverrideDetails`. */
export interface TokenClaimsOverride {
  readonly claimsToAddOrOverride?: Readonly<Record<string, string>>;
  readonly claimsToSuppress: readonly string[];
}

export interface TeamClaims {
  readonly idTokenGeneration: TokenClaimsOverride;
  readonly accessTokenGeneration: TokenClaimsOverride;
}

/** The team wallet a link selects, or null for the user's own wallet. */
export function teamWalletOf(userId: string, link: UserTeamLink | null): string | null {
  if (!link || link.status !== 'active') return null;
  // A link is stored under its user's key; one that names another user, or no wallet, selects nothing.
  if (link.userId !== userId || typeof link.accountId !== 'string' || link.accountId === '' || link.accountId === userId) return null;
  return link.accountId;
}

/** The claims both tokens get: `account_id` while the link is active, and never the retired claims. */
export function teamClaims(userId: string, link: UserTeamLink | null): TeamClaims {
  const wallet = teamWalletOf(userId, link);
  const override: TokenClaimsOverride = {
    ...(wallet ? { claimsToAddOrOverride: { [ACCOUNT_ID_CLAIM]: wallet } } : {}),
    claimsToSuppress: [...RETIRED_CLAIMS],
  };
  return { idTokenGeneration: override, accessTokenGeneration: override };
}
