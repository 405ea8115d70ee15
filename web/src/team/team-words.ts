/** How team facts read on the page: roles, caps and spending in words. */
import { unwrap, type Schemas } from '../api/client';
import { formatCredits, formatNumber } from '../format';

export type TeamRole = Schemas['TeamRole'];
export type TeamMember = Schemas['TeamMember'];

export const ROLE_WORDS: Readonly<Record<TeamRole, string>> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

/** The name a person recognises: the e-mail they were invited with, else the user id. */
export const memberName = (m: Pick<TeamMember, 'userId' | 'email'>): string => m.email ?? m.userId;

export const describeCap = (capCredits: number | null): string => (capCredits === null ? 'No cap' : `${formatCredits(capCredits)} a month`);

/** "120 of 500 credits" under a cap, "120 credits (no cap)" without one. */
export const describeSpent = (spentCredits: number, capCredits: number | null): string =>
  capCredits === null ? `${formatCredits(spentCredits)} (no cap)` : `${formatNumber(spentCredits)} of ${formatCredits(capCredits)}`;

/** A cap field's text as the API wants it: empty = no cap (null); otherwise a whole number ≥ 0, or an error in words. */
export function parseCap(text: string): { cap: number | null; error: null } | { cap: null; error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { cap: null, error: null };
  const value = Number(trimmed);
  if (!Number.isInteger(value) || value < 0 || value > 10_000_000) return { cap: null, error: 'A monthly cap is a whole number of credits from 0 to 10,000,000, or empty for no cap.' };
  return { cap: value, error: null };
}

/** Seats for members a plan has (the owner takes one). */
export const memberSeats = (seatLimit: number): number => Math.max(0, seatLimit - 1);

type Answer = { data?: unknown; error?: unknown; response: Response };

/** A 204 answer (no body) as success; any other answer through unwrap(), which throws its words. */
export async function unwrapNoContent(call: Promise<Answer>): Promise<void> {
  await unwrap(call.then((answer) => (answer.response.ok ? { ...answer, data: null } : answer)));
}
