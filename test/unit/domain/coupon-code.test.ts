import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { COUPON_ALPHABET, MAX_COUPON_CODE_LENGTH, generateCouponCode, isValidCampaign, parseCouponCode } from '../../../lambdas/domain/coupon-code';
import type { RandomBytes } from '../../../lambdas/domain/ports';

const campaignArb = fc.stringMatching(/^[A-Z][A-Z0-9]{1,19}$/);
/** A byte source replaying `bytes` forever; at least one byte below 248 guarantees it terminates. */
const bytesArb = fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 247 })).map(([bytes, accepted]) => [...bytes, accepted]);
const replaying = (bytes: readonly number[]): RandomBytes => {
  let i = 0;
  return (length) => Uint8Array.from({ length }, () => bytes[i++ % bytes.length]!);
};
const LOOK_ALIKES = ['0', 'O', 'o', '1', 'I', 'i', 'L', 'l'];

function expectWellFormed(code: string, campaign: string): void {
  expect(parseCouponCode(code)).toBe(code);
  const [head, ...groups] = code.split('-');
  expect(head).toBe(campaign.toUpperCase());
  expect(groups).toHaveLength(2);
  for (const group of groups) {
    expect(group).toHaveLength(4);
    for (const ch of group) expect(COUPON_ALPHABET).toContain(ch);
  }
}

describe('generateCouponCode', () => {
  test('any byte stream yields a code that parses, with random groups drawn from the alphabet', () => {
    fc.assert(
      fc.property(campaignArb, bytesArb, (campaign, bytes) => {
        expectWellFormed(generateCouponCode(campaign, replaying(bytes)), campaign);
      }),
    );
  });

  test('node crypto yields well-formed codes; a lower-case campaign is normalized', () => {
    for (let i = 0; i < 200; i += 1) expectWellFormed(generateCouponCode('launch', randomBytes), 'LAUNCH');
  });

  test('rejection sampling: bytes >= 248 are skipped', () => {
    expect(generateCouponCode('X1', replaying([255, 0]))).toBe('X1-AAAA-AAAA');
    expect(generateCouponCode('X1', replaying([248, 249, 250, 251, 252, 253, 254, 255, 30]))).toBe('X1-9999-9999');
    expect(generateCouponCode('X1', replaying([247]))).toBe(`X1-${COUPON_ALPHABET[247 % 31]!.repeat(4)}-${COUPON_ALPHABET[247 % 31]!.repeat(4)}`);
  });

  test('every character is reached by exactly 8 of the 248 accepted byte values', () => {
    const firstChars = Array.from({ length: 256 }, (_, byte) => generateCouponCode('X1', replaying([byte, 255, 255, 255, 7]))[3]);

    const accepted = firstChars.slice(0, 248);
    for (const ch of COUPON_ALPHABET) expect(accepted.filter((c) => c === ch)).toHaveLength(8);
    expect(firstChars.slice(248).every((c) => c === COUPON_ALPHABET[7])).toBe(true);
  });

  test.each(['', 'A', '9LAUNCH', 'LAUNCH-1', 'A'.repeat(21), 'ÉTÉ'])('refuses the campaign %p', (campaign) => {
    expect(() => generateCouponCode(campaign, randomBytes)).toThrow(/invalid campaign/);
  });
});

describe('parseCouponCode', () => {
  const codeArb = fc.tuple(campaignArb, bytesArb).map(([campaign, bytes]) => generateCouponCode(campaign, replaying(bytes)));

  test('is case-insensitive and trims: a lower-cased, space-padded code parses to the same code', () => {
    const spaceArb = fc.string({ unit: fc.constantFrom(' ', '\t', '\n'), maxLength: 30 });
    fc.assert(
      fc.property(codeArb, spaceArb, spaceArb, fc.boolean(), (code, before, after, lower) => {
        const typed = `${before}${lower ? code.toLowerCase() : code}${after}`;

        expect(parseCouponCode(typed)).toBe(code);
      }),
    );
  });

  test('refuses a look-alike character (0, O, 1, I, L) anywhere in the random groups', () => {
    fc.assert(
      fc.property(codeArb, fc.integer({ min: 0, max: 7 }), fc.constantFrom(...LOOK_ALIKES), (code, position, lookAlike) => {
        const campaignLength = code.length - 10;
        const index = campaignLength + 1 + position + Math.floor(position / 4);
        const tampered = code.slice(0, index) + lookAlike + code.slice(index + 1);

        expect(parseCouponCode(tampered)).toBeNull();
      }),
    );
  });

  test('garbage either is refused or parses to its own trimmed upper-case form', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (input) => {
        const parsed = parseCouponCode(input);

        if (parsed !== null) {
          expect(parsed).toBe(input.trim().toUpperCase());
          expect(parseCouponCode(parsed)).toBe(parsed);
        }
      }),
    );
  });

  test('refuses oversize input before any work, even around a valid code', () => {
    fc.assert(
      fc.property(codeArb, fc.integer({ min: MAX_COUPON_CODE_LENGTH + 65, max: 10_000 }), (code, length) => {
        expect(parseCouponCode(code.padEnd(length, ' '))).toBeNull();
      }),
    );
  });

  test.each(['', 'LAUNCH', 'LAUNCH-ABCD', 'LAUNCH-ABCD-EFG', 'LAUNCH-ABCD-EFGH-JKMN', 'LAUNCH_ABCD_EFGH', 'L-ABCD-EFGH', '9X-ABCD-EFGH', `${'A'.repeat(21)}-ABCD-EFGH`])(
    'refuses %p',
    (input) => {
      expect(parseCouponCode(input)).toBeNull();
    },
  );

  test('accepts the documented shape, digits allowed in the campaign', () => {
    expect(parseCouponCode(' launch-9kx2-r7vp ')).toBe('LAUNCH-9KX2-R7VP');
    expect(parseCouponCode('SPRING2026-ABCD-EFGH')).toBe('SPRING2026-ABCD-EFGH');
    expect(isValidCampaign('A'.repeat(20))).toBe(true);
  });
});
