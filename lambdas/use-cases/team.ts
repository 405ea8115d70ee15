/**
 * Managing a wallet's team: read it, invite, revoke, join by code, change a member, remove one.
 * Each change is one commit of the account (the team lives on it) guarded by its version, with the
 * invite code's record and the member's team link in the same transaction. Every use case checks the
 * caller's role again on the account it read, so the commit never rests on an older read.
 */
import type { Account } from '../domain/account';
import { PLANS } from '../domain/catalog';
import type { AccountCommit } from '../domain/credit-store';
import { DomainError, NotAMemberError } from '../domain/errors';
import { generateInviteCode, parseInviteCode } from '../domain/invite-code';
import type { InvitedRole, MemberChange, TeamMember, TeamRole } from '../domain/team';
import * as team from '../domain/team';
import { sha256Hex } from '../shared/canonical-json';
import type { Caller } from '../shared/caller';
import type { UseCaseDeps } from './context';
import { selectedWallet } from './open-account';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export interface MemberView {
  readonly userId: string;
  readonly email: string | null;
  readonly role: TeamRole;
  readonly monthlyCapCredits: number | null;
  readonly spentThisPeriodCredits: number;
  readonly joinedAt: string;
}

export interface InviteView {
  readonly id: string;
  readonly email: string;
  readonly role: InvitedRole;
  readonly monthlyCapCredits: number | null;
  readonly expiresAt: string;
}

export interface TeamView {
  readonly accountId: string;
  readonly plan: string;
  readonly seats: { readonly limit: number; readonly used: number };
  readonly members: readonly MemberView[];
  readonly invites: readonly InviteView[];
}

const memberView = (account: Account, m: TeamMember): MemberView => ({ userId: m.userId, email: m.email, role: m.role, monthlyCapCredits: m.monthlyCapCredits, spentThisPeriodCredits: team.spentThisPeriod(account, m.userId), joinedAt: m.joinedAt });
const ownerView = (account: Account): MemberView => ({ userId: account.id, email: null, role: 'owner', monthlyCapCredits: null, spentThisPeriodCredits: team.spentThisPeriod(account, account.id), joinedAt: account.createdAt });

/** Owner and admins see everyone and the pending invites; a member sees their own row (and the seat counts). */
export async function getTeam(deps: UseCaseDeps, caller: Caller): Promise<TeamView> {
  const account = await selectedWallet(deps, caller);
  const role = team.authorize(account, caller, 'member');
  const now = deps.clock.now();
  const rows = [ownerView(account), ...team.teamOf(account).members.map((m) => memberView(account, m))];
  const seesAll = role !== 'member';
  return {
    accountId: account.id,
    plan: account.plan,
    seats: { limit: PLANS[account.plan].seats, used: team.seatsUsed(account, now) },
    members: seesAll ? rows : rows.filter((r) => r.userId === caller.userId),
    invites: seesAll ? team.teamOf(account).invites.filter((i) => team.isLive(i, now)).map((i) => ({ id: i.id, email: i.email, role: i.role, monthlyCapCredits: i.monthlyCapCredits, expiresAt: i.expiresAt })) : [],
  };
}

export interface InviteRequest {
  readonly email: string;
  readonly role: InvitedRole;
  readonly monthlyCapCredits: number | null;
}

export interface InviteCreated extends InviteView {
  /** Shown once: only its hash is kept. */
  readonly code: string;
}

export async function createInvite(deps: UseCaseDeps, caller: Caller, request: InviteRequest): Promise<InviteCreated> {
  const code = generateInviteCode(deps.randomBytes);
  const codeHash = sha256Hex(code);
  const id = deps.ids.next('inv');
  return changeTeam(deps, caller, 'manager', (account, role, now) => {
    const next = team.inviteToTeam(account, role, { id, ...request, codeHash, createdBy: caller.userId }, now);
    const invite = next.invites.find((i) => i.id === id)!;
    return {
      team: next,
      extra: { inviteCode: { codeHash, accountId: account.id, inviteId: id, status: 'pending', expiresAt: invite.expiresAt } },
      answer: { id, email: invite.email, role: invite.role, monthlyCapCredits: invite.monthlyCapCredits, expiresAt: invite.expiresAt, code },
    };
  });
}

export async function revokeInvite(deps: UseCaseDeps, caller: Caller, inviteId: string): Promise<void> {
  await changeTeam(deps, caller, 'manager', (account, _role, now) => {
    const invite = team.findInvite(account, inviteId);
    return { team: team.revokeInvite(account, inviteId, now), extra: { inviteCode: { codeHash: invite.codeHash, accountId: account.id, inviteId, status: 'revoked', expiresAt: invite.expiresAt } }, answer: undefined };
  });
}

export async function changeMember(deps: UseCaseDeps, caller: Caller, targetUserId: string, change: MemberChange): Promise<MemberView> {
  return changeTeam(deps, caller, 'manager', (account, role) => {
    const changed = team.changeMember(account, { userId: caller.userId, role }, targetUserId, change);
    return { team: changed.team, extra: {}, answer: memberView({ ...account, team: changed.team }, changed.member) };
  });
}

/**
 * Removes a member, or lets one leave. A suspended member may still leave, so this checks membership
 * itself rather than the usual rule (which refuses suspended members everything).
 */
export async function removeMember(deps: UseCaseDeps, caller: Caller, targetUserId: string): Promise<void> {
  const leaving = caller.userId === targetUserId;
  await changeTeam(deps, caller, leaving ? 'self' : 'manager', (account, role, now) => ({
    team: team.removeMember(account, { userId: caller.userId, role }, targetUserId),
    extra: { teamLink: { userId: targetUserId, accountId: account.id, status: 'left', updatedAt: now.toISOString() } },
    answer: undefined,
  }));
}

/** Joins the team an invite code leads to, as the caller (for themselves). */
export async function joinTeam(deps: UseCaseDeps, userId: string, codeInput: string): Promise<{ accountId: string; role: InvitedRole }> {
  const code = parseInviteCode(codeInput);
  const record = code ? await deps.store.findInviteCode(sha256Hex(code)) : null;
  if (!record) throw new DomainError('invite_not_found', 'No invite has that code. Check it, or ask for a new one.');
  if (record.status !== 'pending' || Date.parse(record.expiresAt) <= deps.clock.now().getTime()) throw new DomainError('invite_expired', 'That invite has been used, revoked or has expired; ask for a new one.');
  if (record.accountId === userId) throw new DomainError('already_in_team', 'This is your own wallet.');
  const link = await deps.store.getUserTeam(userId);
  if (link?.status === 'active') throw new DomainError('already_in_team', 'You are already in a team; leave it before joining another.');
  return withOptimisticRetry(async () => {
    const account = await deps.store.loadAccount(record.accountId);
    if (!account) throw new DomainError('invite_not_found', 'No invite has that code.');
    // Used by someone else meanwhile (its record was read as pending before they committed).
    if (!team.teamOf(account).invites.some((i) => i.id === record.inviteId)) throw new DomainError('invite_expired', 'That invite has just been used; ask for a new one.');
    const now = deps.clock.now();
    const joined = team.joinTeam(account, record.inviteId, userId, now);
    const outcome = await deps.store.commit({
      before: account,
      after: { ...account, team: joined.team },
      entries: [],
      at: now.toISOString(),
      teamLink: { userId, accountId: account.id, status: 'active', updatedAt: now.toISOString() },
      inviteCode: { ...record, status: 'used' },
    });
    if (outcome.kind === 'already_in_team') throw new DomainError('already_in_team', 'You are already in a team; leave it before joining another.');
    if (outcome.kind !== 'committed') return retry(outcome.kind);
    return done({ accountId: account.id, role: joined.member.role });
  });
}

type TeamChange<T> = { readonly team: team.Team; readonly extra: Pick<AccountCommit, 'inviteCode' | 'teamLink'>; readonly answer: T };

/** Reads the account, checks the caller's role on it, applies `decide` and commits; a lost race reads again. */
async function changeTeam<T>(deps: UseCaseDeps, caller: Caller, rule: team.TeamAccessRule | 'self', decide: (account: Account, role: TeamRole, now: Date) => TeamChange<T>): Promise<T> {
  return withOptimisticRetry(async () => {
    const account = await selectedWallet(deps, caller);
    const role = rule === 'self' ? team.roleOf(account, caller.userId) : team.authorize(account, caller, rule);
    if (!role) throw new NotAMemberError();
    const now = deps.clock.now();
    const change = decide(account, role, now);
    const outcome = await deps.store.commit({ before: account, after: { ...account, team: change.team }, entries: [], at: now.toISOString(), ...change.extra });
    if (outcome.kind !== 'committed') return retry(outcome.kind);
    return done(change.answer);
  });
}
