/**
 * Headers, query strings and paths for the route fuzzer.
 */
import fc from 'fast-check';

/** Content-Type values: JSON in its spellings, almost-JSON, not JSON, empty (treated as absent), junk. */
export const contentTypeValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=latin1', 'application/json-patch+json', 'application/json, text/plain', '') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/jsonx',
      'application/json5',
      'text/json',
      'text/plain',
      'text/html; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '*/*',
      ' application/json',
      'application/jsön',
      'application/vnd.api+json',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

/** Idempotency-Key values: valid, reused (so replays and 422s happen), and invalid ones. */
export const idempotencyKeyValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,64}$/) },
  { weight: 3, arbitrary: fc.constantFrom('fuzz-reused-1', 'fuzz-reused-2') },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom('', ' ', 'has spaces', ' leading', 'trailing ', '\t', 'tab\there', 'line\nbreak', 'ключ', '🔑', 'é', '\u0000', '\u007f', 'k'.repeat(255), 'k'.repeat(256), 'k'.repeat(10_000)),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
      fc.string({ minLength: 254, maxLength: 260, unit: fc.constantFrom('a', 'b', ' ') }),
    ),
  },
);

export type HeaderSet = Readonly<Record<string, string>>;

/**
 * Headers apart from Authorization: Content-Type (lower or mixed case, sometimes both, which the
 * gateway joins with a comma), Idempotency-Key (sometimes missing, sometimes twice), and unrelated extras.
 */
export function headersArb(options: { idempotency: boolean }): fc.Arbitrary<HeaderSet> {
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant<HeaderSet>({}) },
    { weight: 4, arbitrary: contentTypeValue.map((v): HeaderSet => ({ 'content-type': v })) },
    { weight: 1, arbitrary: contentTypeValue.map((v): HeaderSet => ({ 'Content-Type': v })) },
    { weight: 1, arbitrary: fc.tuple(contentTypeValue, contentTypeValue).map(([a, b]): HeaderSet => ({ 'Content-Type': a, 'content-type': b })) },
  );
  const idempotency = fc.oneof(
    { weight: options.idempotency ? 1 : 4, arbitrary: fc.constant<HeaderSet>({}) },
    { weight: 6, arbitrary: idempotencyKeyValue.map((v): HeaderSet => ({ 'idempotency-key': v })) },
    { weight: 1, arbitrary: idempotencyKeyValue.map((v): HeaderSet => ({ 'IDEMPOTENCY-KEY': v })) },
    { weight: 1, arbitrary: fc.tuple(idempotencyKeyValue, idempotencyKeyValue).map(([a, b]): HeaderSet => ({ 'Idempotency-Key': a, 'idempotency-key': b })) },
  );
  const extraName = fc.oneof(
    fc.constantFrom('x-account-id', 'x-forwarded-for', 'host', 'cookie', 'user-agent', 'x-amzn-trace-id', 'accept', 'x-http-method-override', 'content-length', 'transfer-encoding', 'stripe-signature'),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((name) => !['authorization', 'content-type', 'idempotency-key'].includes(name)),
  );
  const extras = fc.dictionary(extraName, fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('fuzz-pro', '../', 'PUT', '-1', 'a=b; c=d')), { maxKeys: 2 });
  return fc.tuple(contentType, idempotency, extras).map(([a, b, c]) => ({ ...c, ...a, ...b }));
}

/** The Content-Type the handler sees: names are folded to lower case and repeats joined, as the gateway does. */
export function effectiveContentType(headers: HeaderSet, hasBody: boolean): string | undefined {
  const values = Object.entries(headers)
    .filter(([name]) => name.toLowerCase() === 'content-type')
    .map(([, value]) => value);
  if (values.length === 0) return hasBody ? 'application/json' : undefined; // t.call's default
  return values.join(',');
}

// ---------------------------------------------------------------------------------------------------
// Query strings of the paged lists

export const limitValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 100 }).map(String) },
  {
    weight: 5,
    arbitrary: fc.oneof(
      fc.constantFrom('0', '-1', '101', '999', '1000', '1e2', '01', '001', ' 1', '1 ', '+1', '', 'abc', '１', '1.0', '0x10', 'NaN', 'Infinity', '100.5', '9'.repeat(400), '%31', '1,2', 'null', 'undefined', '[]', '{}'),
      fc.string({ maxLength: 12 }),
      fc.integer().map(String),
    ),
  },
);

/** Cursors: junk, base64url of sort keys of other kinds (and of nothing), far too long, empty. */
export function cursorValue(known: () => readonly string[]): fc.Arbitrary<string> {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(null).map(() => known()[0] ?? 'none-yet') },
    {
      weight: 4,
      arbitrary: fc.oneof(
        fc.constantFrom('', ' ', '=', '====', 'null', 'undefined', '%', '%zz', 'x'.repeat(200), 'x'.repeat(201), 'x'.repeat(5_000)),
        fc.string({ maxLength: 60 }),
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.base64String({ maxLength: 80 }),
        fc
          .constantFrom(
            'LEDGER#',
            'LEDGER#000000000001#000',
            'LEDGER#999999999999#999',
            'LEDGER#000000000001#000\u0000',
            'JOB#',
            'JOB#gen_00000000000000000000000000',
            'JOB#gen_zzzzzzzzzzzzzzzzzzzzzzzzzz',
            'ACCOUNT',
            'IDEM#generation#fuzz-reused-1',
            'TOPUP#top_00000000000000000000000000000000',
            'COUPON',
            'RATE#coupon#2026-01-01T00',
          )
          .map(b64),
        fc.string({ maxLength: 40 }).map(b64),
        fc.jsonValue({ maxDepth: 2 }).map((v) => b64(JSON.stringify(v))),
      ),
    },
  );
}

/** `?limit=&cursor=` and friends: missing, valid, junk, repeated, unknown names, bad percent-encoding. */
export function listQueryArb(knownCursors: () => readonly string[]): fc.Arbitrary<string> {
  const enc = (name: string, value: string, raw: boolean) => `${name}=${raw ? value : encodeURIComponent(value)}`;
  const part = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(limitValue, fc.boolean()).map(([v, raw]) => enc('limit', v, raw)) },
    { weight: 4, arbitrary: fc.tuple(cursorValue(knownCursors), fc.boolean()).map(([v, raw]) => enc('cursor', v, raw)) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('account', 'accountId', 'LIMIT', 'limit[]', 'cursor ', '', 'sort', '__proto__'), fc.string({ maxLength: 10 })).map(([n, v]) => enc(n, v, false)),
    },
    { weight: 1, arbitrary: fc.constantFrom('limit', 'cursor', '&', '==', '%', '%zz', '%E0%A4%A', 'limit=%zz', 'a=1&&b', '#frag') },
  );
  return fc.array(part, { maxLength: 3 }).map((parts) => (parts.length === 0 ? '' : `?${parts.join('&')}`));
}

/** What the list routes must answer to a query string without looking at the store: 'invalid' means 400. */
export function listQueryVerdict(query: string): 'invalid' | 'maybe' {
  if (query === '') return 'maybe';
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(query.slice(1))) params.set(name, params.has(name) ? `${params.get(name)},${value}` : value);
  for (const name of params.keys()) {
    // The local gateway collects query parameters on a plain object, where `__proto__` is the
    // prototype setter: the parameter vanishes and the handler never sees it (API Gateway would pass
    // it on and the strict schema refuse it). A local-only discrepancy, reported; not a service bug.
    if (name === '__proto__') continue;
    if (name !== 'limit' && name !== 'cursor') return 'invalid';
  }
  const limit = params.get('limit');
  if (limit !== undefined && (!/^[1-9][0-9]{0,2}$/.test(limit) || Number(limit) > 100)) return 'invalid';
  const cursor = params.get('cursor');
  if (cursor !== undefined && (cursor.length < 1 || cursor.length > 200)) return 'invalid';
  return 'maybe';
}

/** Query strings on routes that take none: they must be ignored. */
export const strayQueryArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('?limit=5', '?accountId=fuzz-pro', '?%zz', '?a=1&a=2', '?__proto__=x', '?') },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `?${encodeURIComponent(s)}=${encodeURIComponent(s)}`) },
);

// ---------------------------------------------------------------------------------------------------
// Paths

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `{id}` of /v1/generations/{id}: real ids (the caller's or another account's), well-formed unknown ones, junk. */
export function generationIdArb(knownJobIds: () => readonly string[]): fc.Arbitrary<{ segment: string; raw: boolean }> {
  const wellFormed = fc.string({ minLength: 26, maxLength: 26, unit: fc.constantFrom(...ALNUM) }).map((s) => `gen_${s}`);
  const junk = fc.oneof(
    fc.constantFrom('gen_', 'GEN_00000000000000000000000000', 'gen_0000000000000000000000000', 'gen_000000000000000000000000000', 'gen_0000000000000000000000000Z', '..', '.', ' ', 'null', 'undefined', '0', '-1', '%', '%zz', '%E0%A4%A', '%00', '%2F', '%2e%2e', 'a'.repeat(5_000), '💥', 'gen_💥'),
    fc.string({ minLength: 1, maxLength: 40 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
  );
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(null).map(() => ({ segment: knownJobIds()[0] ?? 'gen_00000000000000000000000000', raw: true })) },
    { weight: 2, arbitrary: fc.nat().map((i) => ({ segment: knownJobIds()[i % Math.max(1, knownJobIds().length)] ?? 'gen_00000000000000000000000000', raw: true })) },
    { weight: 2, arbitrary: wellFormed.map((segment) => ({ segment, raw: true })) },
    { weight: 4, arbitrary: fc.tuple(junk, fc.boolean()).map(([segment, raw]) => ({ segment, raw })) },
  );
}

/** Methods: the API's four, others, lower case, junk. */
export const methodArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'get', 'Post', 'PROPFIND'),
  fc.stringMatching(/^[A-Z]{1,10}$/),
);

/** Paths near the real ones (typos, case, trailing slashes, extra segments, encodings) and random ones. */
export function pathArb(knownPaths: readonly string[]): fc.Arbitrary<string> {
  const real = fc.constantFrom(...knownPaths.map((p) => p.replace('{id}', 'gen_00000000000000000000000000')));
  const mutation = fc.constantFrom<(p: string) => string>(
    (p) => p,
    (p) => `${p}/`,
    (p) => `${p}//`,
    (p) => p.toUpperCase(),
    (p) => p.replace('/v1/', '/v2/'),
    (p) => p.replace('/v1/', '/'),
    (p) => `/v1${p}`,
    (p) => `${p}/extra`,
    (p) => `${p}/..`,
    (p) => p.replace(/\/$/, '').replace(/[a-z]$/, '%61'),
    (p) => `${p}%00`,
    (p) => `${p}%`,
    (p) => `${p}/%zz`,
    (p) => p.replace(/\//g, '//'),
    (p) => p.slice(0, -1),
    (p) => `${p}.json`,
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(real, mutation).map(([p, m]) => m(p)) },
    { weight: 1, arbitrary: fc.constantFrom('/', '', '*', '/v1', '/v1/', '/_local/clock', '/_local/jobs/reconcile', '/v1/admin', '/v1/coupons', '/v1/webhooks', '/v1/generations/a/b', '/v1/webhooks/stripe/extra') },
    { weight: 2, arbitrary: fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => `/v1/${s}`) },
  );
}
