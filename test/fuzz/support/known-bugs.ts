/**
 * All five bugs below are fixed (their reproductions in routes.fuzz.test.ts are regression tests
 * now) and the run is strict by default; FUZZ_STRICT=0 brings back the old tolerance for comparison.
 *
 * Service bugs this fuzzer found and that are reported, not fixed here (the fuzzer owns no service
 * code). Each predicate recognises the inputs of one bug, so the default run tolerates exactly their
 * 500 (still checking the error envelope and that nothing changed) and keeps failing on any other
 * 5xx. `FUZZ_STRICT=1` tolerates nothing. Each bug also has a `test.failing` reproduction in
 * routes.fuzz.test.ts: once it is fixed, that test fails and its predicate here should go.
 *
 * TODO(fuzz BUG-1…BUG-5): remove each predicate when its bug is fixed.
 */
import { FUZZ_ACCOUNTS } from './tokens';

export type KnownBug =
  /** POST /v1/generations: `params` DynamoDB cannot store (or the 8 KB check cannot measure) → 500. */
  | 'BUG-1 generation params the store cannot hold'
  /** Stripe webhook: a correctly signed body that is not an event envelope → ZodError → 500. */
  | 'BUG-2 signed webhook body that is not an event envelope'
  /** Stripe webhook: `created` or a period timestamp outside Date's range → RangeError → 500. */
  | 'BUG-3 signed webhook timestamp outside the Date range'
  /** Stripe webhook: an id too long for a DynamoDB key (2048-byte pk / 1024-byte sk) → ValidationException → 500. */
  | 'BUG-4 signed webhook id too long for a DynamoDB key'
  /** Stripe webhook: auto-refill payment_failed for an account that does not exist → plain Error → 500 (not 503 event_not_ready). */
  | 'BUG-5 signed auto-refill failure for an unknown account';

export const STRICT = process.env.FUZZ_STRICT !== '0';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Depth of nested arrays/objects (a scalar is 0). */
function depth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v !== null && typeof v === 'object') {
      max = Math.max(max, d + 1);
      for (const child of Object.values(v)) stack.push([child, d + 1]);
    }
  }
  return max;
}

/** Whether some value (or key) anywhere in the tree matches. */
function some(value: unknown, test: (v: unknown, key: string | null) => boolean): boolean {
  const stack: Array<[unknown, string | null]> = [[value, null]];
  while (stack.length > 0) {
    const [v, key] = stack.pop()!;
    if (test(v, key)) return true;
    if (v !== null && typeof v === 'object') for (const [k, child] of Object.entries(v)) stack.push([child, Array.isArray(v) ? null : k]);
  }
  return false;
}

/**
 * BUG-1: the params schema (a record of ≤ 8 KB JSON) admits values the DynamoDB item cannot hold:
 * numbers beyond ±MAX_SAFE_INTEGER (the SDK's marshaller refuses them) or below 1e-130 in magnitude
 * (DynamoDB underflow), empty map keys at any depth, nesting deeper than DynamoDB's 32 levels; and
 * params nested so deep that JSON.stringify in the 8 KB check overflows the stack.
 */
export function generationBodyBug(bodyText: string): KnownBug | null {
  const parsed = parse(bodyText);
  if (!parsed.ok || !isRecord(parsed.value) || !isRecord(parsed.value.params)) return null;
  const params = parsed.value.params;
  const unstorable =
    depth(params) > 30 ||
    some(params, (v, key) => key === '' || (typeof v === 'number' && (Math.abs(v) > Number.MAX_SAFE_INTEGER || (v !== 0 && Math.abs(v) < 1e-130))));
  return unstorable ? 'BUG-1 generation params the store cannot hold' : null;
}

const DATE_LIMIT_SECONDS = 8.64e12; // new Date(ms) is valid up to 8.64e15 ms
const outOfDateRange = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && Math.abs(v) > DATE_LIMIT_SECONDS;
const EPOCH_KEYS = new Set(['current_period_start', 'current_period_end', 'start', 'end']);
const ID_KEYS = new Set(['id', 'payment_intent', 'subscription']);
/** A key prefix plus the id beyond 1024 bytes (sort keys) is refused; pk ids beyond 2048. Anything over 1000 counts. */
const tooLongForKey = (v: unknown) => typeof v === 'string' && Buffer.byteLength(v, 'utf8') > 1_000;
const EXISTING_ACCOUNTS = new Set<string>(Object.values(FUZZ_ACCOUNTS));

/** BUG-2…BUG-5 for a correctly signed webhook body. */
export function webhookBug(bodyText: string): KnownBug | null {
  const parsed = parse(bodyText);
  if (!parsed.ok) return null;
  const event = parsed.value;
  const envelopeOk =
    isRecord(event) &&
    typeof event.id === 'string' &&
    event.id.length > 0 &&
    typeof event.type === 'string' &&
    event.type.length > 0 &&
    Number.isSafeInteger(event.created) &&
    isRecord(event.data) &&
    isRecord(event.data.object);
  if (!envelopeOk) return 'BUG-2 signed webhook body that is not an event envelope';
  const object = (event.data as Record<string, unknown>).object as Record<string, unknown>;
  if (outOfDateRange(event.created) || some(object, (v, key) => key !== null && EPOCH_KEYS.has(key) && outOfDateRange(v))) return 'BUG-3 signed webhook timestamp outside the Date range';
  if (tooLongForKey(event.id) || some(object, (v, key) => key !== null && ID_KEYS.has(key) && tooLongForKey(v))) return 'BUG-4 signed webhook id too long for a DynamoDB key';
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  if (event.type === 'payment_intent.payment_failed' && metadata.purpose === 'auto_refill' && typeof metadata.topup_id === 'string' && typeof metadata.account_id === 'string' && !EXISTING_ACCOUNTS.has(metadata.account_id)) {
    return 'BUG-5 signed auto-refill failure for an unknown account';
  }
  return null;
}
