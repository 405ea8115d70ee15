/**
 * Fuzzes every route of HTTP_ROUTES (and unknown routes and methods) through the local gateway, with
 * JWT verification, on DynamoDB Local, the SQS emulator and the payment simulator.
 *
 * Inputs: valid-shaped bodies with one field mutated (wrong types, negative/zero/fractional/huge
 * numbers, number tokens like 1e999, long and unicode strings, nested junk, extra fields), arrays,
 * null, non-JSON and empty bodies, oversize bodies; Content-Type and Idempotency-Key variants; tokens
 * (none, garbage, tampered, alg none, wrong secret, expired on the test clock, owners, team members
 * and admins, callers who are not members, malformed claims); limit/cursor junk; junk generation,
 * invite and member ids; invite codes (real ones too); Stripe webhook bodies and signatures.
 *
 * Properties, for every request:
 *  1. never a 5xx. The one documented exception is 503 `event_not_ready` on the Stripe webhook (Stripe
 *     retries an event that names something not there yet). The 500s of the bugs this fuzzer found are
 *     tolerated for exactly their inputs (support/known-bugs.ts, each with a test.failing reproduction
 *     below); FUZZ_STRICT=1 tolerates none;
 *  2. every non-2xx is exactly `{ error: { code: snake_case, message, details?: object } }` with a JSON
 *     content type (2xx answers are JSON objects);
 *  3. every non-2xx, and every 2xx GET, changed nothing: every item of the table (a full Scan, compared
 *     item by item, so also the item count) is the same before and after; on a sample of requests
 *     (FUZZ_VIEW_PERCENT, default 20%, on authenticated routes) the caller's API views (balance, ledger?limit=100,
 *     generations?limit=100) are compared as well. Counting a failed coupon lookup toward the
 *     brute-force limit (RATE# items) is the one accepted side effect, and only on 404/410 coupon
 *     answers: RATE# items are compared separately and reported;
 *  4. oracles that need no store: a bad token is 401; a caller who is not a member of the wallet their
 *     token selects is 403 not_a_member on its routes (never a 2xx, even where the use case checks),
 *     a member below the route's role (owner, or owner/admin) 403 forbidden, a non-admin on the admin
 *     route 403 forbidden (and a caller the route admits never gets 401/403, except the team routes'
 *     own rules: 403 forbidden); roles come from the service's records (support/tokens.ts Roster),
 *     never from the token's `account_role`; oversize 413, non-JSON content type 415,
 *     unparseable JSON 400 invalid_json, a bad list query 400, a 2xx needs a valid Idempotency-Key, an
 *     unsigned webhook 400 invalid_signature, unknown paths 404 and wrong methods 405 with Allow,
 *     another account's generation 404.
 * 2xx answers are valid requests and may change state (the team routes' answers keep the Roster up to
 * date: who joined, changed role or left); the money invariants are checked at the end.
 * Every account a fuzzed token names is opened before the run (opening one grants FREE credits).
 *
 * Default: a fixed seed, 30 runs per route (15-25 s on DynamoDB Local). Run longer, with another seed, or replay:
 *   FUZZ_RUNS=500 npx jest test/fuzz
 *   FUZZ_SEED=123 npx jest test/fuzz
 *   FUZZ_SEED=123 FUZZ_PATH='34:0:0' npx jest test/fuzz -t 'POST /v1/generations never'   (seed and path as printed by a
 *     failure; -t picks the one property the path belongs to: the route's describe name, e.g. 'POST /v1/webhooks/stripe')
 *   FUZZ_COLLECT=1 …  records every distinct violation (up to 8 examples each) instead of stopping at the first
 *   FUZZ_STRICT=1 …   fails on the known bugs' 500s too
 * A replay of one route (-t) runs against a store that the other routes' runs did not touch first, so
 * a state-dependent failure may need the whole file. The run prints its seed and, at the end, the
 * answers per route, which answers touched the coupon rate counters and the known bugs' 500s.
 */
import fc from 'fast-check';
import { compilePathTemplate } from '../../bin/local/gateway';
import { MODELS } from '../../lambdas/domain/catalog';
import { COUPON_ALPHABET } from '../../lambdas/domain/coupon-code';
import { HTTP_ROUTES } from '../../lambdas/handlers/http/routes';
import { MAX_BODY_BYTES, WEBHOOK_MAX_BODY_BYTES } from '../../lambdas/shared/http-endpoint';
import type { TeamAccessRule } from '../../lambdas/domain/team';
import { issueCoupon, setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import { sign } from '../support/stripe-events';
import type { CallResult, TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';
import type { BodyInput, BodyShape } from './support/json-junk';
import { NO_BODY, abbreviate, bodyArb, strayBodyArb } from './support/json-junk';
import type { HeaderSet } from './support/http-junk';
import { effectiveContentType, generationIdArb, headersArb, listQueryArb, listQueryVerdict, methodArb, pathArb, strayQueryArb } from './support/http-junk';
import type { StoreSnapshot } from './support/state';
import { describeDiff, diffSnapshots, rateCountersChanged, takeAccountView, takeSnapshot } from './support/state';
import type { WebhookDelivery } from './support/stripe-junk';
import { describeDelivery, webhookDeliveryArb } from './support/stripe-junk';
import type { KnownBug } from './support/known-bugs';
import { STRICT, generationBodyBug, webhookBug } from './support/known-bugs';
import type { AuthChoice, Principal, TokenTable } from './support/tokens';
import { FUZZ_ACCOUNTS, FUZZ_MEMBERS, authArb, buildTokens } from './support/tokens';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20_260_601;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 30;
const REPLAY_PATH = process.env.FUZZ_PATH;
/** Share of requests (with a valid caller) whose caller's API views are compared too; FUZZ_VIEW_PERCENT=100 for all. */
const VIEW_PERCENT = process.env.FUZZ_VIEW_PERCENT ? Number(process.env.FUZZ_VIEW_PERCENT) : 20;
/** FUZZ_COLLECT=1: record every distinct violation and fail at the end, instead of stopping (and shrinking) at the first. */
const COLLECT = process.env.FUZZ_COLLECT === '1';
const collected = new Map<string, string[]>();
const checkViewArb = fc.integer({ min: 0, max: 99 }).map((n) => n < VIEW_PERCENT);
/** Generous: a failing property shrinks against the real stack. */
const PROPERTY_TIMEOUT_MS = Math.max(120_000, RUNS * 2_000);

console.log(`routes fuzz: seed ${SEED}, ${RUNS} runs per route${REPLAY_PATH ? `, replaying path ${REPLAY_PATH}` : ''} (FUZZ_SEED / FUZZ_RUNS / FUZZ_PATH to change)`);

// ---------------------------------------------------------------------------------------------------
// What each route takes

/** Who the route admits: anyone; any verified caller; a role on the selected wallet (member, manager = owner or admin, owner); the admin group. */
type Access = 'public' | 'token' | TeamAccessRule | 'admin';

interface RouteFuzzSpec {
  readonly access: Access;
  /** The use case checks the team rule, after the body, the key and the path: only a non-member's answer is known (never 2xx; a 403 is not_a_member). */
  readonly checkedByUseCase?: boolean;
  /** The team routes' own rules (an admin invites members only, the owner cannot leave…) may refuse an admitted caller with 403 forbidden. */
  readonly teamRules?: boolean;
  /** The `{…}` segment of the path. */
  readonly pathParam?: fc.Arbitrary<string>;
  /** The JSON body schema's shape; routes without one get stray bodies. */
  readonly body?: BodyShape;
  readonly idempotencyKey?: boolean;
  /** `?limit=&cursor=` lists. */
  readonly listQuery?: boolean;
  /** Another query schema (GET /v1/usage), checked before the body's size: an oversize request may be 400 invalid_request first. */
  readonly query?: fc.Arbitrary<string>;
  /** A 2xx may start work that lands later (jobs on the queue, simulated payment events). */
  readonly startsAsyncWork?: boolean;
}

const modelId = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...MODELS.map((m) => m.id)) }, { weight: 1, arbitrary: fc.constantFrom('dall-e-1', 'GPT-IMAGE-2', ' gpt-image-2', 'veo-3.1 ', 'nano-banana-2\u0000') });
const couponGroup = fc.string({ minLength: 4, maxLength: 4, unit: fc.constantFrom(...COUPON_ALPHABET) });
const issuedCodes: string[] = [];
const couponCode = fc.oneof(
  { weight: 3, arbitrary: fc.nat().map((i) => issuedCodes[i % Math.max(1, issuedCodes.length)] ?? 'NONE-AAAA-AAAA') },
  { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom((c: string) => c.toLowerCase(), (c: string) => `  ${c}\t`, (c: string) => c.replace(/-/g, ''))).map(([i, f]) => f(issuedCodes[i % Math.max(1, issuedCodes.length)] ?? 'NONE-AAAA-AAAA')) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('LAUNCH', 'FUZZ', 'TEST', 'Z9'), couponGroup, couponGroup).map(([c, a, b]) => `${c}-${a}-${b}`) },
  { weight: 1, arbitrary: fc.constantFrom('LAUNCH-0OIL-1111', 'LAUNCH', 'A-AAAA-AAAA', `${'A'.repeat(21)}-AAAA-AAAA`, 'LAUNCH-AAAA-AAAA-AAAA', 'LAUNCH_AAAA_AAAA', 'launch-aaaa-aaaa') },
);
const futureIso = fc.integer({ min: 1, max: 400 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString());

/** Invites created by 2xx answers (ids and their one-time codes) and users who may be in a team: the team routes' real inputs. */
const inviteIds: string[] = [];
const inviteCodes: string[] = [];
const knownUserIds: string[] = [...Object.values(FUZZ_ACCOUNTS), ...Object.values(FUZZ_MEMBERS), 'fuzz-guest', 'fuzz-usurper', 'fuzz-nobody'];
const pick = (list: readonly string[], fallback: string) => fc.nat().map((i) => list[i % Math.max(1, list.length)] ?? fallback);
const email = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,12}$/), fc.constantFrom('example.com', 'fuzz.test')).map(([local, domain]) => `${local}@${domain}`) },
  { weight: 1, arbitrary: fc.constantFrom(`${FUZZ_MEMBERS.member}@example.com`, 'FUZZ-TEAM-ADMIN@EXAMPLE.COM', 'not-an-email', '@example.com', `${'a'.repeat(250)}@example.com`) },
);
const monthlyCap = fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.constant(null));
const inviteCode = fc.oneof(
  { weight: 3, arbitrary: pick(inviteCodes, 'JOIN-AAAA-AAAA-AAAA-AAAA') },
  { weight: 1, arbitrary: fc.tuple(pick(inviteCodes, 'JOIN-AAAA-AAAA-AAAA-AAAA'), fc.constantFrom((c: string) => c.toLowerCase(), (c: string) => ` ${c} `, (c: string) => c.replace(/-/g, ''), (c: string) => c.slice(0, -1))).map(([c, f]) => f(c)) },
  { weight: 2, arbitrary: fc.constantFrom('JOIN-AAAA-AAAA-AAAA-AAAA', 'JOIN', '', 'join-0000-0000-0000-0000', 'x'.repeat(200)) },
);
/** Every other invite stays pending (never revoked here), for POST /v1/team/join to use. */
const revocableInviteIds = () => inviteIds.filter((_, i) => i % 2 === 0);
const inviteIdSegment = fc.oneof(
  { weight: 3, arbitrary: fc.nat().map((i) => revocableInviteIds()[i % Math.max(1, revocableInviteIds().length)] ?? 'inv_00000000000000000000000000') },
  { weight: 1, arbitrary: fc.stringMatching(/^inv_[0-9a-z]{26}$/) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('inv_', 'INV_00000000000000000000000000', ' ', '%', '💥'), fc.string({ minLength: 1, maxLength: 30 }).filter((x) => x !== '.' && x !== '..')) },
);
const userIdSegment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...Object.values(FUZZ_MEMBERS)) },
  { weight: 2, arbitrary: pick(knownUserIds, 'fuzz-owner') },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('-x', ' ', '%', 'a'.repeat(200), '💥'), fc.string({ minLength: 1, maxLength: 30 }).filter((x) => x !== '.' && x !== '..')) },
);
const day = fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const usageQuery = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(day, day, fc.option(fc.constantFrom('member', 'model', 'day', 'member,model,day', 'day,day', 'member,', 'week'), { nil: undefined })).map(([from, to, groupBy]) => `?from=${from}&to=${to}${groupBy === undefined ? '' : `&groupBy=${encodeURIComponent(groupBy)}`}`) },
  // Days that are not YYYY-MM-DD were a 500 once (BUG-6, fixed: daysBetween refuses them).
  { weight: 1, arbitrary: fc.constantFrom('', '?from=x&to=y', '?from=2027-01-01&to=y', '?from=2027-1-1&to=2027-01-31', '?from=2027-02-30&to=2027-03-01', '?from=2027-01-01', '?from=2027-01-01&to=2026-01-01&extra=1', '?from=2027-01-01&to=2027-12-31') },
);

const SPECS: Readonly<Record<string, RouteFuzzSpec>> = {
  'GET /v1/pricing': { access: 'public' },
  'GET /v1/openapi.json': { access: 'public' },
  'POST /v1/quotes': { access: 'member', body: { fields: ['model', 'count'], valid: fc.record({ model: modelId, count: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 16 })) }) } },
  'GET /v1/balance': { access: 'member' },
  'GET /v1/ledger': { access: 'member', listQuery: true },
  'POST /v1/generations': {
    access: 'member',
    checkedByUseCase: true,
    idempotencyKey: true,
    startsAsyncWork: true,
    body: {
      fields: ['model', 'count', 'params'],
      valid: fc.record(
        {
          model: modelId,
          count: fc.integer({ min: 1, max: 4 }),
          // Params the schema takes (a prompt and options, some the model does not offer: a 400 before the debit), and a few it refuses.
          params: fc.oneof(
            {
              weight: 4,
              arbitrary: fc.record(
                { prompt: fc.string({ minLength: 1, maxLength: 60 }), aspectRatio: fc.constantFrom('1:1', '16:9', '9:16', '3:2', '7:5'), durationSeconds: fc.constantFrom(4, 5, 6, 8, 10), seed: fc.integer({ min: 0, max: 10_000 }) },
                { requiredKeys: ['prompt'] },
              ),
            },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                { prompt: 'p', simulate: 'fail' },
                { prompt: 'p', simulate: 'explode' },
                { prompt: 'p', simulate: null },
                { prompt: 'p'.repeat(9_000) },
                { prompt: 'p', ['x'.repeat(65)]: 1 },
                {},
                { prompt: ' \t ' },
                { prompt: 'p', referenceImages: ['gen_00000000000000000000000000/0'] },
                { prompt: 'p', seed: -1 },
                { prompt: 'p', durationSeconds: 1.5 },
              ),
            },
          ),
        },
        { requiredKeys: ['model', 'count', 'params'] },
      ),
    },
  },
  'GET /v1/generations': { access: 'member', listQuery: true },
  'GET /v1/generations/{id}': { access: 'member' },
  // A member may cancel only their own jobs (403 forbidden otherwise); the owner and admins any.
  'POST /v1/generations/{id}/cancel': { access: 'member', teamRules: true, pathParam: jobIdSegment() },
  'POST /v1/coupons/redeem': { access: 'member', body: { fields: ['code'], valid: fc.record({ code: couponCode }) } },
  'POST /v1/admin/coupons': {
    access: 'admin',
    body: {
      fields: ['campaign', 'credits', 'count', 'maxRedemptions', 'redeemBy'],
      valid: fc.record(
        {
          campaign: fc.oneof(fc.stringMatching(/^[A-Z][A-Z0-9]{1,19}$/), fc.constantFrom('fuzz', ' Fuzz ')),
          credits: fc.integer({ min: 1, max: 1_000 }),
          count: fc.integer({ min: 1, max: 3 }),
          maxRedemptions: fc.integer({ min: 1, max: 5 }),
          redeemBy: fc.option(futureIso),
        },
        { requiredKeys: ['campaign', 'credits', 'count'] },
      ),
    },
  },
  'POST /v1/topups': {
    access: 'owner',
    idempotencyKey: true,
    startsAsyncWork: true,
    body: { fields: ['credits'], valid: fc.record({ credits: fc.oneof(fc.integer({ min: 100, max: 10_000 }), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 10_001, max: 2_000_000 })) }) },
  },
  'POST /v1/webhooks/stripe': { access: 'public', startsAsyncWork: true },
  'GET /v1/auto-refill': { access: 'member' },
  'PUT /v1/auto-refill': {
    access: 'owner',
    body: {
      fields: ['enabled', 'thresholdCredits', 'refillCredits', 'monthlyCapCredits'],
      valid: fc.record({ enabled: fc.boolean(), thresholdCredits: fc.integer({ min: 0, max: 500 }), refillCredits: fc.integer({ min: 50, max: 5_000 }), monthlyCapCredits: fc.integer({ min: 0, max: 20_000 }) }),
    },
  },
  'POST /v1/subscription': { access: 'owner', startsAsyncWork: true, body: { fields: ['plan'], valid: fc.record({ plan: fc.constantFrom('BEGINNER', 'PRO', 'TEAM', 'FREE', 'pro') }) } },
  'DELETE /v1/subscription': { access: 'owner', startsAsyncWork: true },
  'PUT /v1/payg': { access: 'owner', body: { fields: ['enabled'], valid: fc.record({ enabled: fc.boolean() }) } },
  'GET /v1/billing': { access: 'owner' },
  'GET /v1/team': { access: 'member' },
  'POST /v1/team/invites': {
    access: 'manager',
    teamRules: true,
    body: { fields: ['email', 'role', 'monthlyCapCredits'], valid: fc.record({ email, role: fc.constantFrom('member', 'admin', 'owner'), monthlyCapCredits: monthlyCap }, { requiredKeys: ['email', 'role'] }) },
  },
  'DELETE /v1/team/invites/{id}': { access: 'manager', pathParam: inviteIdSegment },
  'POST /v1/team/join': { access: 'token', body: { fields: ['code'], valid: fc.record({ code: inviteCode }) } },
  'PATCH /v1/team/members/{userId}': {
    access: 'manager',
    teamRules: true,
    pathParam: userIdSegment,
    body: { fields: ['role', 'monthlyCapCredits'], valid: fc.record({ role: fc.constantFrom('member', 'admin', 'owner'), monthlyCapCredits: monthlyCap }, { requiredKeys: [] }) },
  },
  'DELETE /v1/team/members/{userId}': { access: 'member', checkedByUseCase: true, teamRules: true, pathParam: userIdSegment },
  'GET /v1/usage': { access: 'member', query: usageQuery },
};

// ---------------------------------------------------------------------------------------------------
// Requests

interface Expectation {
  readonly status: number;
  readonly code: string;
}

class FuzzRequest {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly auth: AuthChoice,
    readonly headers: HeaderSet,
    readonly body: BodyInput,
    /** Also compare the caller's API views (balance, ledger, generations) before and after. */
    readonly checkView: boolean,
    readonly note = '',
  ) {}

  describe(): string {
    const headers = Object.fromEntries(Object.entries(this.headers).map(([k, v]) => [k, abbreviate(v, 120)]));
    const body = this.body.kind === 'none' ? '(none)' : JSON.stringify(abbreviate(this.body.text, 600));
    return `${this.method} ${abbreviate(this.path, 300)}\n  auth: ${this.auth.name}${this.note ? `\n  ${this.note}` : ''}\n  headers: ${JSON.stringify(headers)}\n  body: ${body}`;
  }

  [fc.toStringMethod](): string {
    return this.describe();
  }
}

let t: TestService;
let tokens: TokenTable;
/** Jobs seen in 2xx answers, by account: the caller's are 200 on GET /v1/generations/{id}, anyone else's 404. */
const jobsByAccount = new Map<string, string[]>();
const knownCursors: string[] = [];
const allJobIds = () => [...jobsByAccount.values()].flat();
function jobIdSegment(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.nat().map((i) => allJobIds()[i % Math.max(1, allJobIds().length)] ?? 'gen_00000000000000000000000000') },
    { weight: 1, arbitrary: fc.stringMatching(/^gen_[0-9a-z]{26}$/) },
    { weight: 1, arbitrary: fc.constantFrom('gen_', 'GEN_00000000000000000000000000', ' ', '%', '💥', 'x'.repeat(100)) },
  );
}

/** Status counts per route, and which answers touched the coupon rate counters: printed at the end. */
const tally = new Map<string, Map<string, number>>();
const rateCounterAnswers = new Map<string, number>();
const knownBugHits = new Map<string, number>();
const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** The table after the last request, when nothing may have changed since: the next request's "before". */
let lastSnapshot: StoreSnapshot | null = null;
/** The API view of the last request's caller, when nothing has changed since: that account's next "before". */
const viewCache = new Map<string, string>();
const viewOf = async (accountId: string) => viewCache.get(accountId) ?? takeAccountView(t, tokens.ownerTokens[accountId]!);

async function settle(): Promise<void> {
  await t.settle();
  await t.payments.settle(); // a refill the jobs queue started pays through the simulator
}

class PropertyViolation extends Error {}

function violation(what: string, request: FuzzRequest | string, response: CallResult): never {
  const input = typeof request === 'string' ? request : request.describe();
  throw new PropertyViolation(`${what}\n--- request\n${input}\n--- response ${response.status}\n  headers: ${JSON.stringify(response.headers)}\n  body: ${abbreviate(JSON.stringify(response.body) ?? '(none)', 1_500)}`);
}

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

function checkShape(request: FuzzRequest | string, response: CallResult): void {
  const body: unknown = response.body;
  if (response.status === 204) {
    if (body !== undefined && body !== null && body !== '') violation('204 answer with a body', request, response);
    return;
  }
  if (!/^application\/json\b/i.test(response.headers['content-type'] ?? '')) violation('answer without a JSON content type', request, response);
  if (response.status >= 200 && response.status < 300) {
    if (body === null || typeof body !== 'object') violation('2xx answer that is not a JSON object', request, response);
    return;
  }
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(body) || Object.keys(body).join() !== 'error' || !isObject(body.error)) violation('error answer not exactly { error: {…} }', request, response);
  const error = body.error;
  const extra = Object.keys(error).filter((k) => !['code', 'message', 'details'].includes(k));
  if (extra.length > 0) violation(`error envelope with extra keys ${extra.join(', ')}`, request, response);
  if (typeof error.code !== 'string' || !SNAKE_CASE.test(error.code)) violation('error code is not a snake_case string', request, response);
  if (typeof error.message !== 'string' || error.message.length === 0) violation('error message is not a non-empty string', request, response);
  if ('details' in error && !isObject(error.details)) violation('error details is not an object', request, response);
}

function checkExpected(request: FuzzRequest | string, response: CallResult, expected: Expectation | readonly Expectation[] | null): void {
  if (expected === null) return;
  const options = Array.isArray(expected) ? expected : [expected as Expectation];
  if (!options.some((e) => e.status === response.status && response.body?.error?.code === e.code)) {
    violation(`expected ${options.map((e) => `${e.status} ${e.code}`).join(' or ')}`, request, response);
  }
}

interface ExerciseOptions {
  /** 503 event_not_ready is the webhook's documented "retry later". */
  readonly allow503?: boolean;
  /** A reported bug whose 500 this input provokes (tolerated unless FUZZ_STRICT=1; see support/known-bugs.ts). */
  readonly knownBug?: () => KnownBug | null;
  readonly check?: (response: CallResult) => void;
  readonly afterSuccess?: (response: CallResult) => void;
  readonly startsAsyncWork?: boolean;
}

/**
 * Sends one request and checks properties 1-3 (and, through `check`, the route's oracle). The table
 * is scanned after every non-2xx (and every 2xx GET: reads must change nothing either) and that scan
 * is the next request's "before"; after a 2xx that may change state the next request scans afresh,
 * once queued work and simulated payment events have landed. The caller's API views are compared on
 * the requests whose `checkView` is set (a sample: each view costs four DynamoDB Local round trips).
 */
async function exercise(label: string, request: FuzzRequest, options: ExerciseOptions): Promise<void> {
  let before = lastSnapshot;
  lastSnapshot = null;
  const viewAccount = request.checkView ? request.auth.principal?.accountId : undefined;
  try {
    before ??= await takeSnapshot(t);
    const viewBefore = viewAccount === undefined ? undefined : await viewOf(viewAccount);
    viewCache.clear();
    const response = await t.call(request.method, request.path, {
      headers: { ...request.headers, ...(request.auth.header !== undefined ? { authorization: request.auth.header } : {}) },
      ...(request.body.kind === 'text' ? { rawBody: request.body.text } : {}),
    });
    count(tally.get(label) ?? tally.set(label, new Map()).get(label)!, String(response.status));

    // 1. No 5xx.
    const documented503 = options.allow503 === true && response.status === 503 && response.body?.error?.code === 'event_not_ready';
    const knownBug = response.status === 500 && !STRICT ? (options.knownBug?.() ?? null) : null;
    if (knownBug) count(knownBugHits, `${label} → ${knownBug}`);
    else if (response.status >= 500 && !documented503) violation(`${response.status} from ${label}`, request, response);
    // 2. The envelope.
    checkShape(request, response);
    // 4. The route's own oracle (a tolerated 500 has none).
    if (!knownBug) options.check?.(response);

    const success = response.status >= 200 && response.status < 300;
    if (success) options.afterSuccess?.(response);
    if (success && request.method !== 'GET') {
      if (options.startsAsyncWork) await settle();
      return;
    }
    // 3. Nothing changed (a 2xx GET neither).
    const after = await takeSnapshot(t);
    const diff = diffSnapshots(before, after);
    if (diff) violation(`state changed on a ${response.status}:\n${describeDiff(diff)}`, request, response);
    if (rateCountersChanged(before, after)) {
      const code = String(response.body?.error?.code);
      count(rateCounterAnswers, `${label} → ${response.status} ${code}`);
      const accepted = label === 'POST /v1/coupons/redeem' && ['coupon_not_found', 'coupon_expired', 'coupon_exhausted'].includes(code);
      if (!accepted) violation(`coupon rate counter changed on ${response.status} ${code}`, request, response);
    }
    if (viewAccount !== undefined && viewBefore !== undefined) {
      const viewAfter = await takeAccountView(t, tokens.ownerTokens[viewAccount]!);
      if (viewAfter !== viewBefore) violation(`the API view of ${viewAccount} changed on a ${response.status}:\n  before ${abbreviate(viewBefore, 2_000)}\n  after  ${abbreviate(viewAfter, 2_000)}`, request, response);
      viewCache.set(viewAccount, viewAfter);
    }
    lastSnapshot = after;
  } catch (error) {
    viewCache.clear();
    if (!COLLECT || !(error instanceof PropertyViolation)) throw error;
    const key = `${label}: ${error.message.split('\n')[0]}`;
    const seen = collected.get(key) ?? [];
    if (seen.length < 8) seen.push(error.message);
    collected.set(key, seen);
  }
}

// ---------------------------------------------------------------------------------------------------
// Oracles that need no store

/** Why the route refuses this caller before its use case runs (null: it admits them): a role on the selected wallet from the Roster, never from a claim. */
function refusal(access: Access, principal: Principal): Expectation | null {
  if (access === 'public' || access === 'token') return null;
  if (access === 'admin') return principal.admin ? null : { status: 403, code: 'forbidden' };
  const role = tokens.roster.roleOf(principal);
  if (role === null) return { status: 403, code: 'not_a_member' };
  if (access === 'owner' && role !== 'owner') return { status: 403, code: 'forbidden' };
  if (access === 'manager' && role === 'member') return { status: 403, code: 'forbidden' };
  return null;
}

const accessAllows = (access: Access, principal: Principal) => refusal(access, principal) === null;

function isJsonContentType(contentType: string | undefined): boolean {
  return !contentType || /^application\/json\b/i.test(contentType);
}

/** The answer decided before any use case runs, in the order the gateway and middleware decide it; null when the store decides. */
function earlyAnswer(spec: RouteFuzzSpec, request: FuzzRequest): Expectation | readonly Expectation[] | null {
  if (spec.access !== 'public') {
    if (request.auth.principal === null) return { status: 401, code: 'unauthorized' };
    const refused = spec.checkedByUseCase ? null : refusal(spec.access, request.auth.principal);
    if (refused) return refused;
  }
  const raw = request.body.kind === 'text' ? request.body.text : '';
  const oversize = Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES;
  if (spec.body) {
    if (oversize) return { status: 413, code: 'payload_too_large' };
    if (!isJsonContentType(effectiveContentType(request.headers, request.body.kind === 'text'))) return { status: 415, code: 'unsupported_media_type' };
    if (raw.trim() === '') return { status: 400, code: 'invalid_json' };
    try {
      JSON.parse(raw);
    } catch {
      return { status: 400, code: 'invalid_json' };
    }
    return null;
  }
  const query = request.path.includes('?') ? request.path.slice(request.path.indexOf('?')) : '';
  if (spec.listQuery && listQueryVerdict(query) === 'invalid') return { status: 400, code: 'invalid_request' };
  if (oversize) return spec.query ? [{ status: 413, code: 'payload_too_large' }, { status: 400, code: 'invalid_request' }] : { status: 413, code: 'payload_too_large' };
  return null;
}

/**
 * Answers no valid caller of an allowed route may get (they are for bad tokens and roles), except the
 * team routes' own 403 forbidden; and, where the use case checks the team rule, what a caller who is
 * not a member may get: never a 2xx, and a 403 only as not_a_member.
 */
function checkNotRefusedAsCaller(spec: RouteFuzzSpec, request: FuzzRequest, response: CallResult): void {
  const principal = request.auth.principal;
  if (spec.access === 'public' || principal === null) return;
  const refused = refusal(spec.access, principal);
  if (refused?.code === 'not_a_member' && spec.checkedByUseCase) {
    if (response.status < 300) violation(`${response.status} for ${request.auth.name}, who is not a member of ${principal.accountId}`, request, response);
    if (response.status === 403 && response.body?.error?.code !== 'not_a_member') violation('a 403 for a caller who is not a member should be not_a_member', request, response);
    return;
  }
  if (refused) return;
  const teamRule = spec.teamRules === true && response.status === 403 && response.body?.error?.code === 'forbidden';
  if ((response.status === 401 || response.status === 403) && !teamRule) violation(`${response.status} for a valid ${request.auth.name} caller`, request, response);
}

/** Keeps the Roster and the known invites as the 2xx answers of the team routes leave them. */
function noteTeamAnswer(label: string, request: FuzzRequest, response: CallResult): void {
  const principal = request.auth.principal;
  if (!principal) return;
  const target = decodeURIComponent(request.path.split('?')[0]!.split('/').pop()!);
  if (label === 'POST /v1/team/invites') {
    inviteIds.push(response.body.id as string);
    inviteCodes.push(response.body.code as string);
  } else if (label === 'POST /v1/team/join') {
    tokens.roster.set(response.body.accountId as string, principal.userId, response.body.role as 'admin' | 'member');
  } else if (label === 'PATCH /v1/team/members/{userId}') {
    tokens.roster.set(principal.accountId, response.body.userId as string, response.body.role as 'admin' | 'member');
  } else if (label === 'DELETE /v1/team/members/{userId}') {
    tokens.roster.remove(principal.accountId, target);
  }
}

function idempotencyKeyOk(headers: HeaderSet): boolean {
  const values = Object.entries(headers)
    .filter(([name]) => name.toLowerCase() === 'idempotency-key')
    .map(([, v]) => v);
  return values.length > 0 && /^[\x21-\x7e]{1,255}$/.test(values.join(','));
}

// ---------------------------------------------------------------------------------------------------
// Setup

beforeAll(async () => {
  t = await startTestService();
  tokens = await buildTokens(t);
  // Open every account a fuzzed token can name (the first request opens it, with its FREE grant).
  for (const token of Object.values(tokens.ownerTokens)) {
    const opened = await t.call('GET', '/v1/balance', { token });
    if (opened.status !== 200) throw new Error(`could not open a fuzz account: ${JSON.stringify(opened.body)}`);
  }
  await setPlan(t, FUZZ_ACCOUNTS.pro, 'PRO');
  issuedCodes.push(await issueCoupon(t, 30, { campaign: 'FUZZ' }), await issueCoupon(t, 40, { campaign: 'FUZZ', maxRedemptions: 2 }), await issueCoupon(t, 10, { campaign: 'LAUNCH', maxRedemptions: 100 }));
  // One job per main account, so GET /v1/generations/{id} has real ids (the caller's and someone else's).
  for (const accountId of [FUZZ_ACCOUNTS.owner, FUZZ_ACCOUNTS.pro]) {
    const token = tokens.ownerTokens[accountId]!;
    const job = await t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a fuzz setup image' } }, headers: { 'idempotency-key': `fuzz-setup-${accountId}` } });
    if (job.status !== 202) throw new Error(`setup job refused: ${JSON.stringify(job.body)}`);
    jobsByAccount.set(accountId, [job.body.id as string]);
  }
  await settle();
  const page = await t.call('GET', '/v1/ledger?limit=1', { token: tokens.ownerTokens[FUZZ_ACCOUNTS.owner]! });
  if (typeof page.body.nextCursor === 'string') knownCursors.push(page.body.nextCursor);
}, 60_000);

afterAll(async () => {
  const lines = [...tally.entries()].map(([route, statuses]) => {
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const by = [...statuses.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    return `  ${route.padEnd(30)} ${String(total).padStart(4)} runs  ${by}`;
  });
  const rate = [...rateCounterAnswers.entries()].map(([k, n]) => `  ${k}: ${n}`);
  const bugs = [...knownBugHits.entries()].map(([k, n]) => `  ${k}: ${n}`);
  console.log(
    `routes fuzz (seed ${SEED}): answers per route\n${lines.join('\n')}\n` +
      `coupon rate counters (RATE# items, the accepted side effect) touched by:\n${rate.join('\n') || '  none'}\n` +
      `500s of reported bugs (tolerated${STRICT ? ': none, FUZZ_STRICT=1' : '; FUZZ_STRICT=1 fails on them'}):\n${bugs.join('\n') || '  none'}`,
  );
  await t?.stop();
});

const assertProperty = <T>(property: fc.IAsyncPropertyWithHooks<T>) => fc.assert(property, { seed: SEED, numRuns: RUNS, ...(REPLAY_PATH ? { path: REPLAY_PATH } : {}) });

// ---------------------------------------------------------------------------------------------------
// Properties

test('every route of HTTP_ROUTES has a fuzz spec', () => {
  expect(Object.keys(SPECS).sort()).toEqual(HTTP_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  for (const route of HTTP_ROUTES) expect(SPECS[`${route.method} ${route.path}`]!.access === 'public').toBe(route.auth === 'none');
});

const STANDARD_ROUTES = HTTP_ROUTES.filter((r) => r.path !== '/v1/webhooks/stripe' && r.path !== '/v1/generations/{id}').map((r) => `${r.method} ${r.path}`);

describe.each(STANDARD_ROUTES)('%s', (label) => {
  test(
    'never 5xx; errors in the envelope; a refused request changes nothing',
    async () => {
      const spec = SPECS[label]!;
      const [method = '', path = ''] = label.split(' ');
      const arb = fc
        .record({
          auth: authArb(
            tokens,
            spec.access === 'admin' ? (p) => p.admin : path.startsWith('/v1/team/') ? (p) => p.accountId === FUZZ_ACCOUNTS.team : spec.access === 'owner' ? (p) => accessAllows(spec.access, p) : undefined,
          ),
          headers: headersArb({ idempotency: spec.idempotencyKey === true }),
          body: spec.body ? bodyArb(spec.body) : strayBodyArb,
          query: spec.listQuery ? listQueryArb(() => knownCursors) : (spec.query ?? strayQueryArb),
          segment: spec.pathParam ?? fc.constant(''),
          checkView: checkViewArb,
        })
        .map(({ auth, headers, body, query, segment, checkView }) => new FuzzRequest(method, `${path.replace(/\{\w+\}/, encodeURIComponent(segment))}${query}`, auth, headers, body, checkView && spec.access !== 'public'));
      await assertProperty(
        fc.asyncProperty(arb, async (request) => {
          await exercise(label, request, {
            startsAsyncWork: spec.startsAsyncWork === true,
            knownBug: () => (label === 'POST /v1/generations' && request.body.kind === 'text' ? generationBodyBug(request.body.text) : null),
            check: (response) => {
              checkExpected(request, response, earlyAnswer(spec, request));
              checkNotRefusedAsCaller(spec, request, response);
              if (spec.idempotencyKey && response.status < 300 && !idempotencyKeyOk(request.headers)) violation('2xx without a valid Idempotency-Key', request, response);
            },
            afterSuccess: (response) => {
              if (label === 'POST /v1/generations' && request.auth.principal) {
                const jobs = jobsByAccount.get(request.auth.principal.accountId) ?? [];
                if (!jobs.includes(response.body.id)) jobs.push(response.body.id);
                jobsByAccount.set(request.auth.principal.accountId, jobs);
              }
              if (typeof response.body?.nextCursor === 'string' && !knownCursors.includes(response.body.nextCursor)) knownCursors.push(response.body.nextCursor);
              noteTeamAnswer(label, request, response);
            },
          });
        }),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('GET /v1/generations/{id}', () => {
  const template = compilePathTemplate('/v1/generations/{id}');
  test(
    "junk ids: 404 (another account's job too), 400 for bad percent-encoding, 200 only for the caller's own job",
    async () => {
      const spec = SPECS['GET /v1/generations/{id}']!;
      const arb = fc
        .record({ auth: authArb(tokens), headers: headersArb({ idempotency: false }), body: strayBodyArb, id: generationIdArb(allJobIds), query: strayQueryArb, checkView: checkViewArb })
        .map(({ auth, headers, body, id, query, checkView }) => new FuzzRequest('GET', `/v1/generations/${id.raw ? id.segment : encodeURIComponent(id.segment)}${query}`, auth, headers, body, checkView));
      await assertProperty(
        fc.asyncProperty(arb, async (request) => {
          await exercise('GET /v1/generations/{id}', request, {
            check: (response) => {
              const rawPath = request.path.split('?')[0]!;
              let params: Record<string, string> | undefined;
              try {
                params = template.match(rawPath);
              } catch {
                return checkExpected(request, response, { status: 400, code: 'invalid_request' });
              }
              if (!params) return checkExpected(request, response, { status: 404, code: 'route_not_found' });
              const early = earlyAnswer(spec, request);
              if (early) return checkExpected(request, response, early);
              checkNotRefusedAsCaller(spec, request, response);
              const own = jobsByAccount.get(request.auth.principal!.accountId) ?? [];
              if (own.includes(params.id!)) {
                if (response.status !== 200 || response.body.id !== params.id) violation("the caller's own job is not 200", request, response);
              } else {
                checkExpected(request, response, { status: 404, code: 'generation_not_found' });
              }
            },
          });
        }),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('POST /v1/webhooks/stripe', () => {
  test(
    'random, tampered, stale and wrongly-keyed signatures are 400; correctly signed junk is 200 (or 503 event_not_ready), never 5xx',
    async () => {
      const arb = fc
        .record({ delivery: webhookDeliveryArb, auth: fc.constantFrom(...tokens.fixed.slice(0, 3), ...tokens.fixed.slice(-3)), contentType: fc.constantFrom(undefined, 'application/json; charset=utf-8', 'text/plain') })
        .map(({ delivery, auth, contentType }) => ({
          delivery,
          request: new FuzzRequest(
            'POST',
            '/v1/webhooks/stripe',
            auth,
            { ...(delivery.signature !== undefined ? { 'stripe-signature': delivery.signature } : {}), ...(contentType ? { 'content-type': contentType } : {}) },
            { kind: 'text', text: delivery.body },
            false,
            describeDelivery(delivery),
          ),
        }));
      await assertProperty(
        fc.asyncProperty(arb, async ({ delivery, request }) => {
          await exercise('POST /v1/webhooks/stripe', request, {
            allow503: true,
            knownBug: () => (delivery.signed ? webhookBug(delivery.body) : null),
            startsAsyncWork: true,
            check: (response) => checkExpected(request, response, webhookAnswer(delivery)),
          });
        }),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

function webhookAnswer(delivery: WebhookDelivery): Expectation | readonly Expectation[] | null {
  if (Buffer.byteLength(delivery.body, 'utf8') > WEBHOOK_MAX_BODY_BYTES) return { status: 413, code: 'payload_too_large' };
  if (!delivery.signed) return { status: 400, code: 'invalid_signature' };
  try {
    JSON.parse(delivery.body);
  } catch {
    return { status: 400, code: 'invalid_signature' }; // stripe-node parses the body as part of verifying it
  }
  return null;
}

describe('unknown routes and methods', () => {
  const templates = [...HTTP_ROUTES.map((r) => ({ method: r.method as string, path: r.path })), { method: 'PUT', path: '/_local/card' }].map((r) => ({ ...r, compiled: compilePathTemplate(r.path) }));
  const classify = (method: string, rawPath: string): 'route' | 'bad_encoding' | { allow: string[] } | 'none' => {
    const allow: string[] = [];
    for (const route of templates) {
      let params: Record<string, string> | undefined;
      try {
        params = route.compiled.match(rawPath);
      } catch {
        return 'bad_encoding';
      }
      if (!params) continue;
      if (route.method === method.toUpperCase()) return 'route';
      allow.push(route.method);
    }
    return allow.length > 0 ? { allow } : 'none';
  };

  test(
    'answer 404 route_not_found, 405 method_not_allowed (with Allow) or 400 for bad percent-encoding, whatever the token or body',
    async () => {
      const arb = fc
        .record({ method: methodArb, path: pathArb(HTTP_ROUTES.map((r) => r.path)), auth: authArb(tokens), headers: headersArb({ idempotency: false }), body: fc.oneof(strayBodyArb, fc.constant(NO_BODY)) })
        .filter(({ method, path }) => classify(method, path.split('?')[0]!) !== 'route')
        .map(({ method, path, auth, headers, body }) => new FuzzRequest(method, path, auth, headers, body, false));
      await assertProperty(
        fc.asyncProperty(arb, async (request) => {
          await exercise('unknown route/method', request, {
            check: (response) => {
              const kind = classify(request.method, request.path.split('?')[0]!);
              if (kind === 'bad_encoding') return checkExpected(request, response, { status: 400, code: 'invalid_request' });
              if (kind === 'none') return checkExpected(request, response, { status: 404, code: 'route_not_found' });
              if (kind === 'route') return;
              checkExpected(request, response, { status: 405, code: 'method_not_allowed' });
              const allowed = (response.headers.allow ?? '').split(/,\s*/).sort();
              if (allowed.join() !== [...new Set(kind.allow)].sort().join()) violation(`Allow header should list ${kind.allow.join(', ')}`, request, response);
            },
          });
        }),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('bugs this fuzzer found, fixed: regression tests', () => {
  beforeEach(() => {
    lastSnapshot = null; // these requests bypass exercise()
    viewCache.clear();
  });
  const signed = (payload: unknown) => {
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return t.postWebhook(raw, sign(raw));
  };
  const now = () => Math.floor(Date.now() / 1000);
  let n = 0;
  const generate = (params: unknown) =>
    t.call('POST', '/v1/generations', { token: tokens.ownerTokens[FUZZ_ACCOUNTS.pro]!, body: { model: 'gpt-image-2', count: 1, params }, headers: { 'idempotency-key': `fuzz-bug-${(n += 1)}` } });

  test('BUG-1 POST /v1/generations with params {"x": 1e21} is refused (4xx), not a 500', async () => {
    expect((await generate({ x: 1e21 })).status).toBeLessThan(500);
  });
  test('BUG-1 POST /v1/generations with params {"x": 1e-131} is refused (4xx), not a 500', async () => {
    expect((await generate({ x: 1e-131 })).status).toBeLessThan(500);
  });
  test('BUG-1 POST /v1/generations with an empty key in params is refused (4xx), not a 500', async () => {
    expect((await generate({ a: { '': 1 } })).status).toBeLessThan(500);
  });
  test('BUG-1 POST /v1/generations with params nested 40 deep is refused (4xx), not a 500', async () => {
    expect((await generate({ a: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) })).status).toBeLessThan(500);
  });
  test('BUG-2 a correctly signed webhook body that is not an event (`null`, `{}`) is not a 500', async () => {
    expect(await signed('null')).toBeLessThan(500);
    expect(await signed({})).toBeLessThan(500);
  });
  test('BUG-3 a correctly signed event created at 1e13 s (outside Date) is not a 500', async () => {
    expect(await signed({ id: 'evt_fuzz_bug3', object: 'event', type: 'ping', created: 1e13, data: { object: {} } })).toBeLessThan(500);
  });
  test('BUG-4 a correctly signed payment_intent.succeeded with a 3000-character id is not a 500', async () => {
    const metadata = { account_id: FUZZ_ACCOUNTS.pro, credits: '100', purpose: 'topup' };
    expect(await signed({ id: 'evt_fuzz_bug4', object: 'event', type: 'payment_intent.succeeded', created: now(), data: { object: { id: `pi_${'x'.repeat(3_000)}`, amount_received: 100, metadata } } })).toBeLessThan(500);
  });
  test('BUG-5 a correctly signed auto-refill payment_failed for an unknown account answers 200 or 503 event_not_ready, not 500', async () => {
    const metadata = { account_id: 'fuzz-nobody', credits: '100', purpose: 'auto_refill', topup_id: 'top_fuzz' };
    expect([200, 503]).toContain(await signed({ id: 'evt_fuzz_bug5', object: 'event', type: 'payment_intent.payment_failed', created: now(), data: { object: { id: 'pi_fuzz_bug5', metadata } } }));
  });
});

test('no violations were collected (FUZZ_COLLECT=1)', () => {
  if (collected.size > 0) throw new Error(`${collected.size} distinct violations (up to 8 examples each):\n\n${[...collected.entries()].map(([key, examples]) => `=== ${key}\n${examples.join('\n\n')}`).join('\n\n')}`);
});

test('the money invariants hold after the fuzzing', async () => {
  await settle();
  await expectMoneyInvariants(t);
});
