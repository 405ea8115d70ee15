/**
 * Request bodies for the route fuzzer: valid-shaped JSON objects with one thing wrong (a field of the
 * wrong type or out of range, a field missing or extra, the whole document replaced), and bodies that
 * are not JSON at all. `RawJson` carries number tokens JSON.stringify cannot produce (1e999, -0, 1.0…)
 * and documents nested deeper than any serializer recurses.
 */
import fc from 'fast-check';
import { MAX_BODY_BYTES } from '../../../lambdas/shared/http-endpoint';

/** A piece of JSON text spliced in verbatim by `toJsonText`. */
export class RawJson {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    return `RawJson(${abbreviate(this.text)})`;
  }
}

/** JSON text of a value that may hold RawJson tokens (keys such as `__proto__` stay own keys). */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Shortens long strings in failure reports (a 70 KB body is not readable anyway). */
export function abbreviate(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
}

/** What goes in the request body: nothing at all, or exact text (JSON or not). */
export type BodyInput = { readonly kind: 'none' } | { readonly kind: 'text'; readonly text: string };

export const NO_BODY: BodyInput = { kind: 'none' };
export const textBody = (text: string): BodyInput => ({ kind: 'text', text });
export const jsonBody = (value: unknown): BodyInput => textBody(toJsonText(value));

const nest = (depth: number, open: string, close: string, inner = '1') => open.repeat(depth) + inner + close.repeat(depth);

/** Numbers that break naive validation: signs, fractions, precision edges, overflow, exponent forms. */
export const junkNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(-1, 0, 0.5, 1.5, -0.0001, 1e-7, 2 ** 31, 2 ** 32 + 1, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e21, 1e308, -1e308, 5e-324, 101, 17, 10_000_001, 1_000_001),
  fc.integer(),
  fc.double(), // NaN and ±Infinity serialize as null
  fc.constantFrom('1e999', '-1e999', '1E400', '-0', '1.0', '1e0', '0.1e1', '1e2', '1e-400', '100000000000000000000000000000', '0.00000000000000000000001').map((t) => new RawJson(t)),
);

/** Strings: empty, whitespace, numeric-looking, control characters, any unicode, lone surrogates, long. */
export const junkString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '\t\n', 'NaN', 'Infinity', '-1', '1', '1.5', 'true', 'null', '{}', '[]', '\u0000', '\u202e', '💥', 'é', 'ǅ', '\ud800', 'DROP TABLE', "' OR 1=1 --", '../../etc/passwd', '${jndi:ldap://x}', '<script>'),
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(65, 129, 256, 1_000, 9_000, 70_000).map((n) => 'x'.repeat(n)),
);

/** Anything that can stand where a field's value should be. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: junkNumber },
  { weight: 4, arbitrary: junkString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [1], ['a'], { value: 1 }, [null]) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(200, 5_000, 20_000).map((d) => new RawJson(nest(d, '[', ']'))) },
);

/** Field names that should never be accepted: prototype keys, account overrides, the empty key. */
export const extraKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'accountId', 'account_id', 'userId', 'admin', '', ' ', 'credits ', 'MODEL', 'Count'),
  fc.string({ minLength: 1, maxLength: 20 }),
);

/** Text that is not JSON, not an object, truncated, BOM-prefixed, duplicated keys, far too deep, etc. */
export const nonJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\n\t ',
    '{',
    '}',
    '{"a":',
    '{"model": "gpt-image-2", "count": ',
    "{'model':'gpt-image-2'}",
    '{model: 1}',
    'model=gpt-image-2&count=1',
    'undefined',
    'NaN',
    '\ufeff{}',
    '{} {}',
    '[] trailing',
    '{"a":1,}',
    '/* comment */ {}',
    '\u0000',
    '<xml/>',
    '--boundary\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--boundary--',
  ),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(1_000, 30_000, 40_000).map((d) => nest(d, '[', ']')),
  fc.constantFrom(1_000, 10_000).map((d) => nest(d, '{"a":', '}')),
);

/** Scalars and arrays that parse as JSON but are not the object a route expects. */
export const nonObjectJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, '', 'string', [], [{}], [1, 2]),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A body larger than the 64 KB limit (valid JSON, so only its size is wrong). */
export const oversizeJson: fc.Arbitrary<string> = fc.constantFrom(MAX_BODY_BYTES - 10, MAX_BODY_BYTES + 1, 200 * 1024).map((n) => `{"pad":"${'x'.repeat(n)}"}`);

export interface BodyShape {
  /** Bodies the route accepts (they may still fail business rules: limits, balance…). */
  readonly valid: fc.Arbitrary<Record<string, unknown>>;
  /** Every field the schema knows, optional ones included. */
  readonly fields: readonly string[];
}

/** One of: valid, one field replaced by junk, one field dropped, one extra field, not an object, not JSON, oversize, empty. */
export function bodyArb(shape: BodyShape): fc.Arbitrary<BodyInput> {
  const { valid, fields } = shape;
  const field = fc.constantFrom(...fields);
  return fc.oneof(
    { weight: 10, arbitrary: valid.map(jsonBody) },
    { weight: 8, arbitrary: fc.tuple(valid, field, junkValue).map(([v, f, junk]) => jsonBody({ ...v, [f]: junk })) },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, field).map(([v, f]) => {
        const copy: Record<string, unknown> = { ...v };
        delete copy[f];
        return jsonBody(copy);
      }),
    },
    { weight: 2, arbitrary: fc.tuple(valid, extraKey, junkValue).map(([v, k, junk]) => jsonBody({ ...v, [k]: junk })) },
    { weight: 1, arbitrary: fc.tuple(valid, field, junkValue).map(([v, f, junk]) => jsonBody({ ...v, [f]: { nested: v[f] ?? junk, junk } })) },
    { weight: 1, arbitrary: fc.tuple(valid, fc.nat(3)).map(([v, n]) => jsonBody(Array.from({ length: n }, () => v))) },
    { weight: 2, arbitrary: nonObjectJson.map(jsonBody) },
    { weight: 2, arbitrary: nonJsonText.map(textBody) },
    { weight: 1, arbitrary: oversizeJson.map(textBody) },
    { weight: 1, arbitrary: fc.constant(NO_BODY) },
  );
}

/** Routes without a body schema still get bodies now and then (they must ignore them, or refuse oversize ones). */
export const strayBodyArb: fc.Arbitrary<BodyInput> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(NO_BODY) },
  { weight: 1, arbitrary: nonJsonText.map(textBody) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(jsonBody) },
  { weight: 1, arbitrary: oversizeJson.map(textBody) },
);
