/**
 * Local stack only: the payment simulator's test card for the signed-in wallet (PUT /_local/card, a
 * local control route behind the same token check; never deployed) and the simulated model's modes.
 */
import { ApiError } from './api/client';
import type { Session } from './auth/session';

export type TestCard = 'succeed' | 'decline' | 'require_action';

export const TEST_CARDS: ReadonlyArray<{ value: TestCard; label: string }> = [
  { value: 'succeed', label: 'Succeeds' },
  { value: 'decline', label: 'Is declined' },
  { value: 'require_action', label: 'Requires authentication' },
];

export const SIMULATIONS: ReadonlyArray<{ value: '' | 'fail' | 'timeout'; label: string }> = [
  { value: '', label: 'Normal' },
  { value: 'fail', label: 'Model error' },
  { value: 'timeout', label: 'Timeout' },
];

export async function setLocalCard(session: Session, behaviour: TestCard): Promise<void> {
  const token = await session.accessToken();
  const response = await fetch('/_local/card', { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ behaviour }) });
  if (!response.ok) throw new ApiError('local_card', `The payment simulator refused the test card (HTTP ${response.status}).`, response.status);
}
