/**
 * Team invite codes: JOIN-XXXX-XXXX-XXXX-XXXX, 16 characters of the coupon alphabet from a CSPRNG
 * (about 79 bits: unguessable), single use, shown once; the table keeps only their SHA-256.
 */
import { COUPON_ALPHABET, randomCodeChars } from './coupon-code';
import type { RandomBytes } from './ports';

const GROUPS = 4;
const GROUP_LENGTH = 4;
const INVITE_CODE_PATTERN = new RegExp(`^JOIN(-[${COUPON_ALPHABET}]{${GROUP_LENGTH}}){${GROUPS}}$`);
export const MAX_INVITE_CODE_LENGTH = 4 + GROUPS * (GROUP_LENGTH + 1);

export function generateInviteCode(randomBytes: RandomBytes): string {
  const chars = randomCodeChars(GROUPS * GROUP_LENGTH, randomBytes);
  const groups = Array.from({ length: GROUPS }, (_, g) => chars.slice(g * GROUP_LENGTH, (g + 1) * GROUP_LENGTH));
  return ['JOIN', ...groups].join('-');
}

/** Trims and upper-cases what a person typed; null when it cannot be an invite code. */
export function parseInviteCode(input: string): string | null {
  const candidate = input.trim().toUpperCase();
  return INVITE_CODE_PATTERN.test(candidate) ? candidate : null;
}
