/**
 * Authorization headers for the route fuzzer, each with who the service must take the caller to be
 * (or `null`: the request must be refused with 401 before anything else happens).
 *
 * A token's `account_id` only selects a wallet (default: the caller's own); the caller's role on it
 * comes from the service's own records, never from a claim (`account_role` is ignored): the owner
 * when `sub` is the wallet, a member or admin when they joined its team through an invite, otherwise
 * nobody (403 not_a_member). The Roster is the fuzzer's copy of those records: set up here through
 * the real invite and join routes, and kept up to date from the 2xx answers of the team routes.
 *
 * Every token that names a valid account names one of FUZZ_ACCOUNTS, opened before the run: the
 * first authenticated request opens an account (with its FREE grant), which is not a 4xx side effect.
 */
import fc from 'fast-check';
import { SignJWT } from 'jose';
import type { InvitedRole, TeamRole } from '../../../lambdas/domain/team';
import { addMember, setPlan } from '../../support/fixtures';
import type { TestService } from '../../support/test-service';
import { TEST_JWT_SECRET } from '../../support/test-service';

export interface Principal {
  /** The token's `sub`. */
  readonly userId: string;
  /** The wallet the token selects. */
  readonly accountId: string;
  /** In the platform's admin group. */
  readonly admin: boolean;
}

export interface AuthChoice {
  readonly name: string;
  /** The Authorization header, or undefined to send none. */
  readonly header: string | undefined;
  readonly principal: Principal | null;
}

/** Accounts fuzzed requests may act on: all opened before the run. */
export const FUZZ_ACCOUNTS = {
  /** FREE plan (one seat: no members); its owner and callers who are not members act on it. */
  owner: 'fuzz-owner',
  /** PRO plan (PAYG, bigger limits). */
  pro: 'fuzz-pro',
  /** TEAM plan, with a member (capped), an admin and a member in the platform's admin group. Not named by fuzzed webhooks, so its plan (and so its members' access) stays. */
  team: 'fuzz-team',
  /** The admin's own account. */
  admin: 'fuzz-admin',
  /** What a numeric `account_id` claim (4242) becomes after the authorizer stringifies it. */
  numeric: '4242',
  /** What a boolean `account_id` claim (true) becomes. */
  boolean: 'true',
} as const;

/** The team members set up before the run (user ids). */
export const FUZZ_MEMBERS = { member: 'fuzz-team-member', admin: 'fuzz-team-admin', staff: 'fuzz-team-staff' } as const;

/** Who the service should take to be a member of which fuzz wallet, in which role. */
export class Roster {
  private readonly teams = new Map<string, Map<string, InvitedRole>>();

  roleOf(principal: Principal): TeamRole | null {
    if (principal.userId === principal.accountId) return 'owner';
    return this.teams.get(principal.accountId)?.get(principal.userId) ?? null;
  }

  set(accountId: string, userId: string, role: InvitedRole): void {
    const team = this.teams.get(accountId) ?? this.teams.set(accountId, new Map()).get(accountId)!;
    team.set(userId, role);
  }

  remove(accountId: string, userId: string): void {
    this.teams.get(accountId)?.delete(userId);
  }
}

const key = new TextEncoder().encode(TEST_JWT_SECRET);
const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs arbitrary claims (any types) with the gateway's secret, relative to the test clock. */
async function signClaims(t: TestService, claims: Record<string, unknown>, options: { alg?: string; secret?: Uint8Array; exp?: number | null; nbf?: number } = {}): Promise<string> {
  const now = Math.floor(t.clock.now().getTime() / 1000);
  const payload: Record<string, unknown> = { iat: now, ...claims };
  if (options.exp !== null) payload.exp = options.exp ?? now + 3600;
  if (options.nbf !== undefined) payload.nbf = options.nbf;
  return new SignJWT(payload).setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' }).sign(options.secret ?? key);
}

const ownerOf = (accountId: string, admin = false): Principal => ({ userId: accountId, accountId, admin });
/** `userId`'s token selecting `accountId`: a member or not, as the Roster says. */
const callerOn = (accountId: string, userId: string, admin = false): Principal => ({ userId, accountId, admin });

export interface TokenTable {
  readonly fixed: readonly AuthChoice[];
  /** Good owner tokens per account, for snapshots. */
  readonly ownerTokens: Readonly<Record<string, string>>;
  /** Valid tokens to tamper with. */
  readonly validTokens: readonly string[];
  /** Team membership as the service should have it now. */
  readonly roster: Roster;
}

/** Sets up the team wallet's members (through the real invite and join routes) and signs every token. */
export async function buildTokens(t: TestService): Promise<TokenTable> {
  const now = Math.floor(t.clock.now().getTime() / 1000);
  const { owner, pro, team, admin, numeric, boolean } = FUZZ_ACCOUNTS;
  const roster = new Roster();
  await setPlan(t, team, 'TEAM');
  const teamMemberToken = await addMember(t, team, FUZZ_MEMBERS.member, { role: 'member', monthlyCapCredits: 40 });
  roster.set(team, FUZZ_MEMBERS.member, 'member');
  const teamAdminToken = await addMember(t, team, FUZZ_MEMBERS.admin, { role: 'admin' });
  roster.set(team, FUZZ_MEMBERS.admin, 'admin');
  await addMember(t, team, FUZZ_MEMBERS.staff, { role: 'member' });
  roster.set(team, FUZZ_MEMBERS.staff, 'member');
  const staffToken = await t.token(FUZZ_MEMBERS.staff, { account_id: team, groups: ['admin'] });

  const ownerToken = await t.token(owner);
  const proToken = await t.token(pro);
  const teamToken = await t.token(team);
  const adminToken = await t.token(admin, { groups: ['admin'] });
  const strangerToken = await t.token('fuzz-member', { account_id: owner, account_role: 'member' });
  const bearer = (token: string) => `Bearer ${token}`;
  const fixed: AuthChoice[] = [
    // Valid callers: owners of their own wallets.
    { name: 'owner', header: bearer(ownerToken), principal: ownerOf(owner) },
    { name: 'pro owner', header: bearer(proToken), principal: ownerOf(pro) },
    { name: 'team owner', header: bearer(teamToken), principal: ownerOf(team) },
    { name: 'admin', header: bearer(adminToken), principal: ownerOf(admin, true) },
    // Members of the team wallet (joined through an invite).
    { name: 'team member', header: bearer(teamMemberToken), principal: callerOn(team, FUZZ_MEMBERS.member) },
    { name: 'team admin', header: bearer(teamAdminToken), principal: callerOn(team, FUZZ_MEMBERS.admin) },
    { name: 'team member in the admin group', header: bearer(staffToken), principal: callerOn(team, FUZZ_MEMBERS.staff, true) },
    { name: 'team member, account_role owner (ignored)', header: bearer(await t.token(FUZZ_MEMBERS.member, { account_id: team, account_role: 'owner' })), principal: callerOn(team, FUZZ_MEMBERS.member) },
    // Another wallet than the caller's own, not a member of it, whatever the role claim says: 403 not_a_member on its routes.
    { name: 'not a member, account_role member', header: bearer(strangerToken), principal: callerOn(owner, 'fuzz-member') },
    { name: 'not a member of pro, account_role member', header: bearer(await t.token('fuzz-pro-member', { account_id: pro, account_role: 'member' })), principal: callerOn(pro, 'fuzz-pro-member') },
    { name: 'not a member, in the admin group', header: bearer(await t.token('fuzz-admin-member', { account_id: owner, account_role: 'member', groups: ['admin'] })), principal: callerOn(owner, 'fuzz-admin-member', true) },
    { name: 'not a member of team, account_role owner', header: bearer(await t.token('fuzz-usurper', { account_id: team, account_role: 'owner' })), principal: callerOn(team, 'fuzz-usurper') },
    { name: 'another wallet, no role', header: bearer(await t.token('fuzz-guest', { account_id: owner })), principal: callerOn(owner, 'fuzz-guest') },
    { name: 'account_id number', header: bearer(await signClaims(t, { sub: 'fuzz-number', account_id: 4242 })), principal: callerOn(numeric, 'fuzz-number') },
    { name: 'account_id boolean', header: bearer(await signClaims(t, { sub: 'fuzz-bool', account_id: true })), principal: callerOn(boolean, 'fuzz-bool') },
    // Odd but valid tokens of an owner.
    { name: 'no Bearer prefix', header: ownerToken, principal: ownerOf(owner) },
    { name: 'lower-case bearer, extra spaces', header: `bearer    ${ownerToken}`, principal: ownerOf(owner) },
    { name: 'groups as a string claim', header: bearer(await signClaims(t, { sub: 'fuzz-admin', 'cognito:groups': 'admin' })), principal: ownerOf(admin, true) },
    { name: 'groups as junk', header: bearer(await signClaims(t, { sub: owner, 'cognito:groups': { admin: true } })), principal: ownerOf(owner) },
    { name: 'account_id null (defaults to sub)', header: bearer(await signClaims(t, { sub: owner, account_id: null })), principal: ownerOf(owner) },
    { name: 'sub number', header: bearer(await signClaims(t, { sub: 4242 })), principal: ownerOf(numeric) },
    { name: 'issued in the future', header: bearer(await signClaims(t, { sub: owner, iat: now + 86_400 })), principal: ownerOf(owner) },
    // The account_role claim is ignored, whatever its value: the caller's own wallet is theirs.
    { name: 'account_role admin', header: bearer(await signClaims(t, { sub: owner, account_role: 'admin' })), principal: ownerOf(owner) },
    { name: 'account_role OWNER', header: bearer(await signClaims(t, { sub: owner, account_role: 'OWNER' })), principal: ownerOf(owner) },
    { name: 'account_role empty', header: bearer(await signClaims(t, { sub: owner, account_role: '' })), principal: ownerOf(owner) },
    { name: 'account_role array', header: bearer(await signClaims(t, { sub: owner, account_role: ['owner'] })), principal: ownerOf(owner) },
    { name: 'account_role member on the own wallet', header: bearer(await signClaims(t, { sub: owner, account_id: owner, account_role: 'member' })), principal: ownerOf(owner) },
    // Refused by the gateway (401).
    { name: 'none', header: undefined, principal: null },
    { name: 'empty', header: '', principal: null },
    { name: 'Bearer only', header: 'Bearer ', principal: null },
    { name: 'Basic', header: 'Basic dXNlcjpwYXNz', principal: null },
    { name: 'alg none', header: bearer(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: owner, exp: now + 3600 })}.`), principal: null },
    { name: 'alg none, admin', header: bearer(`${b64url({ alg: 'none' })}.${b64url({ sub: admin, 'cognito:groups': ['admin'], exp: now + 3600 })}.`), principal: null },
    { name: 'HS512 with the right secret', header: bearer(await signClaims(t, { sub: owner }, { alg: 'HS512' })), principal: null },
    { name: 'wrong secret', header: bearer(await signClaims(t, { sub: owner }, { secret: new TextEncoder().encode('not-the-secret-not-the-secret-!!') })), principal: null },
    { name: 'expired (test clock)', header: bearer(await t.token(owner, { expiresInSeconds: -60 })), principal: null },
    { name: 'expired one second ago', header: bearer(await signClaims(t, { sub: owner }, { exp: now - 1 })), principal: null },
    { name: 'no exp', header: bearer(await signClaims(t, { sub: owner }, { exp: null })), principal: null },
    { name: 'not before tomorrow', header: bearer(await signClaims(t, { sub: owner }, { nbf: now + 86_400 })), principal: null },
    { name: 'two tokens', header: `Bearer ${ownerToken},Bearer ${adminToken}`, principal: null },
    // Signed, but the claims name no valid caller (401 from the handler).
    { name: 'no sub', header: bearer(await signClaims(t, { account_id: owner })), principal: null },
    { name: 'sub empty', header: bearer(await signClaims(t, { sub: '' })), principal: null },
    { name: 'sub with a space', header: bearer(await signClaims(t, { sub: 'fuzz owner' })), principal: null },
    { name: 'account_id empty', header: bearer(await signClaims(t, { sub: owner, account_id: '' })), principal: null },
    { name: 'account_id with a space', header: bearer(await signClaims(t, { sub: owner, account_id: 'fuzz owner' })), principal: null },
    { name: 'account_id too long', header: bearer(await signClaims(t, { sub: owner, account_id: `a${'b'.repeat(128)}` })), principal: null },
    { name: 'account_id unicode', header: bearer(await signClaims(t, { sub: owner, account_id: 'fuzz-ownér' })), principal: null },
    { name: 'account_id leading dash', header: bearer(await signClaims(t, { sub: owner, account_id: '-fuzz-owner' })), principal: null },
    { name: 'account_id array', header: bearer(await signClaims(t, { sub: owner, account_id: [owner] })), principal: null },
    { name: 'account_id object', header: bearer(await signClaims(t, { sub: owner, account_id: { id: owner } })), principal: null },
    { name: 'account_id with a newline', header: bearer(await signClaims(t, { sub: owner, account_id: `${owner}\n` })), principal: null },
  ];
  return {
    fixed,
    ownerTokens: { [owner]: ownerToken, [pro]: proToken, [team]: teamToken, [admin]: adminToken, [numeric]: await t.token(numeric), [boolean]: await t.token(boolean) },
    validTokens: [ownerToken, adminToken, teamMemberToken, strangerToken],
    roster,
  };
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A valid token with one character of its header or payload changed (never the segment's last one, whose low bits may not count). */
function tampered(token: string, at: number, shift: number): string {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const segments = [header, payload];
  const which = at % 2;
  const segment = segments[which]!;
  const index = Math.floor(at / 2) % Math.max(1, segment.length - 1);
  const original = segment[index] ?? 'A';
  const replacement = B64URL[(B64URL.indexOf(original) + 1 + (shift % 63)) % 64]!;
  segments[which] = segment.slice(0, index) + replacement + segment.slice(index + 1);
  return `${segments[0]}.${segments[1]}.${signature}`;
}

/** Callers, mostly valid ones; `prefer` (e.g. admins for the admin route) makes some of them more likely still. */
export function authArb(tokens: TokenTable, prefer?: (principal: Principal) => boolean): fc.Arbitrary<AuthChoice> {
  const garbage: fc.Arbitrary<AuthChoice> = fc
    .oneof(
      fc.string(),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.base64String({ maxLength: 200 }),
      fc.array(fc.base64String({ maxLength: 60 }), { minLength: 3, maxLength: 3 }).map((parts) => parts.join('.').replace(/=/g, '')),
      fc.constantFrom('x'.repeat(10_000), 'a.b.c', '..', 'e30.e30.', 'eyJhbGciOiJIUzI1NiJ9.e30.'),
    )
    .map((junk) => ({ name: 'garbage', header: `Bearer ${junk}`, principal: null }));
  const tamperedToken: fc.Arbitrary<AuthChoice> = fc
    .tuple(fc.constantFrom(...tokens.validTokens), fc.nat(), fc.nat())
    .map(([token, at, shift]) => ({ name: 'tampered', header: `Bearer ${tampered(token, at, shift)}`, principal: null }));
  const valid = tokens.fixed.filter((a) => a.principal !== null);
  const refused = tokens.fixed.filter((a) => a.principal === null);
  const preferred = prefer ? valid.filter((a) => prefer(a.principal!)) : [];
  return fc.oneof(
    { weight: 15, arbitrary: fc.constantFrom(...valid) },
    ...(preferred.length > 0 ? [{ weight: 8, arbitrary: fc.constantFrom(...preferred) }] : []),
    { weight: 3, arbitrary: fc.constantFrom(...refused) },
    { weight: 1, arbitrary: garbage },
    { weight: 1, arbitrary: tamperedToken },
  );
}
