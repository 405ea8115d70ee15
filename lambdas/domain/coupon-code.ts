/**
 * Coupon codes: CAMPAIGN-XXXX-XXXX. The random groups use uppercase letters and digits without the
 * look-alikes 0, O, 1, I and L, so a code read aloud or off a screen is typed right.
 */
import type { RandomBytes } from './ports';

export const COUPON_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const GROUPS = 2;
const GROUP_LENGTH = 4;
const CAMPAIGN_PATTERN = /^[A-Z][A-Z0-9]{1,19}$/;
const CODE_PATTERN = new RegExp(`^[A-Z][A-Z0-9]{1,19}(-[${COUPON_ALPHABET}]{${GROUP_LENGTH}}){${GROUPS}}$`);
/** Longest valid code: campaign of 20 plus the groups. Longer input is refused before any work. */
export const MAX_COUPON_CODE_LENGTH = 20 + GROUPS * (GROUP_LENGTH + 1);

export type CouponCode = string & { readonly __brand: 'CouponCode' };

export function isValidCampaign(campaign: string): boolean {
  return CAMPAIGN_PATTERN.test(campaign);
}

/** Trims and upper-cases user input; null when it cannot be a code (checked before any lookup). */
export function parseCouponCode(input: string): CouponCode | null {
  if (input.length > MAX_COUPON_CODE_LENGTH + 64) return null;
  const candidate = input.trim().toUpperCase();
  return CODE_PATTERN.test(candidate) ? (candidate as CouponCode) : null;
}

/** A new code for a campaign, from a CSPRNG, with rejection sampling so every character is equally likely. */
export function generateCouponCode(campaign: string, randomBytes: RandomBytes): CouponCode {
  const normalized = campaign.trim().toUpperCase();
  if (!isValidCampaign(normalized)) throw new Error(`invalid campaign "${campaign}"`);
  const chars = randomCodeChars(GROUPS * GROUP_LENGTH, randomBytes);
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g += 1) groups.push(chars.slice(g * GROUP_LENGTH, (g + 1) * GROUP_LENGTH));
  return `${normalized}-${groups.join('-')}` as CouponCode;
}

/** `count` characters of the code alphabet from a CSPRNG, by rejection sampling (every character equally likely). */
export function randomCodeChars(count: number, randomBytes: RandomBytes): string {
  const size = COUPON_ALPHABET.length;
  const limit = 256 - (256 % size);
  const chars: string[] = [];
  while (chars.length < count) {
    for (const byte of randomBytes(count * 2)) {
      if (byte < limit && chars.length < count) chars.push(COUPON_ALPHABET[byte % size]!);
    }
  }
  return chars.join('');
}
