/**
 * Joining a team by invite code (POST /v1/team/join through the typed client), with the person's own
 * token: the answer names the wallet they joined. Their next token must select it (`account_id`):
 * locally the app mints one; with Cognito the pre-token trigger adds it when the tokens are refreshed.
 */
import { createApiClient, unwrap } from '../api/client';

export interface Joined {
  readonly accountId: string;
  readonly role: 'admin' | 'member';
}

export async function joinTeam(token: string, code: string): Promise<Joined> {
  const api = createApiClient({ accessToken: async () => token, onUnauthorized: () => undefined });
  return unwrap(api.POST('/v1/team/join', { body: { code: code.trim() } }));
}
