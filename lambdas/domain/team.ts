/**
 * A wallet's team: who may use it, in which role, and how much each may spend per billing period.
 * Kept on the account itself, so the membership and the spending counters are read with the balance
 * and changed by the same version-guarded commit as every debit: a removal and a debit racing it are
 * ordered by that one guard, and a cap is checked and counted inside the debit's transaction.
 *
 * The owner is the user whose id is the account's (implicit, never a row); `members` are the others.
 * A pending invite holds a seat until it is used, revoked or expires.
 *
 * When the plan has fewer seats than the owner plus members (a paid plan ended: cancelled at period
 * end, or unpaid), every member except the owner is suspended, not removed: nothing is deleted, and
 * they are back as soon as a plan with enough seats returns. A voluntary downgrade below the seats
 * in use is refused (too_many_members) instead.
 */
import type { Account } from './account';
import type { PlanId } from './catalog';
import { PLANS } from './catalog';
import {
  DomainError,
  MemberCapReachedError,
  MemberSuspendedError,
  NotAMemberError,
  SeatLimitReachedError,
  TooManyMembersError,
} from './errors';

export type TeamRole = 'owner' | 'admin' | 'member';
export type InvitedRole = Exclude<TeamRole, 'owner'>;

/** Who may call a route, by their role on the wallet: any active member, owner or admin, the owner alone. */
export type TeamAccessRule = 'member' | 'manager' | 'owner';

export interface TeamMember {
  readonly userId: string;
  readonly email: string | null;
  readonly role: InvitedRole;
  /** Credits this member may spend per billing period of the wallet; null = no cap. */
  readonly monthlyCapCredits: number | null;
  readonly joinedAt: string;
}

export interface TeamInvite {
  readonly id: string;
  readonly email: string;
  readonly role: InvitedRole;
  readonly monthlyCapCredits: number | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** SHA-256 of the code: the code itself is shown once, to whoever created the invite. */
  readonly codeHash: string;
  readonly createdBy: string;
}

/** What a user has spent from the wallet in one billing period (the period's start names it). */
export interface SpentCounter {
  readonly periodStart: string;
  readonly credits: number;
}

export interface Team {
  readonly members: readonly TeamMember[];
  readonly invites: readonly TeamInvite[];
  /** By user id, the owner's included; a counter of another period reads as zero. */
  readonly spent: Readonly<Record<string, SpentCounter>>;
}

export const NO_TEAM: Team = { members: [], invites: [], spent: {} };

export const INVITE_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export const teamOf = (account: Account): Team => account.team ?? NO_TEAM;

export const isLive = (invite: TeamInvite, now: Date) => Date.parse(invite.expiresAt) > now.getTime();

/** Seats the wallet may fill: its plan's, or the pending downgrade's when that has fewer. */
export function seatLimitOf(account: Account): number {
  const pending = account.subscription.pendingPlan;
  return Math.min(PLANS[account.plan].seats, pending ? PLANS[pending].seats : Infinity);
}

/** The owner, the members and the invites still pending. */
export function seatsUsed(account: Account, now: Date): number {
  const team = teamOf(account);
  return 1 + team.members.length + team.invites.filter((i) => isLive(i, now)).length;
}

/** Members are suspended while the plan in force has fewer seats than the owner and members. */
export function membersSuspended(account: Account): boolean {
  return PLANS[account.plan].seats < 1 + teamOf(account).members.length;
}

export function roleOf(account: Account, userId: string): TeamRole | null {
  if (userId === account.id) return 'owner';
  return teamOf(account).members.find((m) => m.userId === userId)?.role ?? null;
}

/**
 * The one access check: the caller's role on the wallet, from our own records (never from a token
 * claim). The owner is always a member of their own wallet, even before it is opened (`account` null).
 */
export function authorize(account: Account | null, caller: { readonly userId: string; readonly accountId: string }, rule: TeamAccessRule): TeamRole {
  if (caller.accountId === caller.userId) return 'owner';
  const role = account ? roleOf(account, caller.userId) : null;
  if (!account || !role) throw new NotAMemberError();
  if (membersSuspended(account)) throw new MemberSuspendedError(PLANS[account.plan].seats, 1 + teamOf(account).members.length);
  if (rule === 'owner') throw new DomainError('forbidden', "Only the wallet's owner can do this.");
  if (rule === 'manager' && role !== 'admin') throw new DomainError('forbidden', "Only the wallet's owner or an admin can do this.");
  return role;
}

export function spentThisPeriod(account: Account, userId: string): number {
  const counter = teamOf(account).spent[userId];
  return counter && counter.periodStart === account.currentPeriod.start ? counter.credits : 0;
}

export function capOf(account: Account, userId: string): number | null {
  return teamOf(account).members.find((m) => m.userId === userId)?.monthlyCapCredits ?? null;
}

/**
 * Counts a debit against the spender's counter for the current period; refused when it would take a
 * capped member over their cap. The owner has no cap (their spending is counted all the same).
 */
export function chargeMember(account: Account, userId: string, credits: number): Team {
  const team = teamOf(account);
  const spent = spentThisPeriod(account, userId);
  const cap = capOf(account, userId);
  if (cap !== null && spent + credits > cap) throw new MemberCapReachedError(cap, spent, credits);
  return { ...team, spent: { ...team.spent, [userId]: { periodStart: account.currentPeriod.start, credits: spent + credits } } };
}

/**
 * Gives a refunded debit back to the spender's counter, when it was counted in it: in the current
 * period (a debit of an earlier period was counted in a counter that has since reset) and in the
 * current membership (a removal drops the counter; a rejoined member starts a new one).
 */
export function refundMember(account: Account, userId: string, credits: number, debitedAt: string): Team {
  const team = teamOf(account);
  const counter = team.spent[userId];
  if (!counter || counter.periodStart !== account.currentPeriod.start || debitedAt < account.currentPeriod.start) return team;
  // A debit of an earlier membership (removed, then joined again) was never in this counter.
  const joinedAt = team.members.find((m) => m.userId === userId)?.joinedAt;
  if (joinedAt !== undefined && debitedAt < joinedAt) return team;
  return { ...team, spent: { ...team.spent, [userId]: { ...counter, credits: Math.max(0, counter.credits - credits) } } };
}

export interface NewInvite {
  readonly id: string;
  readonly email: string;
  readonly role: InvitedRole;
  readonly monthlyCapCredits: number | null;
  readonly codeHash: string;
  readonly createdBy: string;
}

/** A new pending invite, if a seat is free; an admin invites members only. */
export function inviteToTeam(account: Account, actorRole: TeamRole, invite: NewInvite, now: Date): Team {
  if (actorRole === 'admin' && invite.role !== 'member') throw new DomainError('forbidden', 'An admin can invite members; only the owner can invite admins.');
  const team = pruneExpired(teamOf(account), now);
  const email = invite.email.toLowerCase();
  if (team.invites.some((i) => i.email === email) || team.members.some((m) => m.email === email)) throw new DomainError('already_invited', `${email} is already a member or has a pending invite.`);
  const limit = seatLimitOf(account);
  const used = seatsUsed(account, now);
  if (used + 1 > limit) throw new SeatLimitReachedError(limit, used);
  const created: TeamInvite = { ...invite, email, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + INVITE_LIFETIME_MS).toISOString() };
  return { ...team, invites: [...team.invites, created] };
}

export function findInvite(account: Account, inviteId: string): TeamInvite {
  const invite = teamOf(account).invites.find((i) => i.id === inviteId);
  if (!invite) throw new DomainError('invite_not_found', 'No pending invite has that id or code.');
  return invite;
}

/** Revokes a pending invite: its seat is free again. */
export function revokeInvite(account: Account, inviteId: string, now: Date): Team {
  findInvite(account, inviteId);
  const team = pruneExpired(teamOf(account), now);
  return { ...team, invites: team.invites.filter((i) => i.id !== inviteId) };
}

/** The invite becomes a membership: the seat it held is the member's now. */
export function joinTeam(account: Account, inviteId: string, userId: string, now: Date): { team: Team; member: TeamMember } {
  const invite = findInvite(account, inviteId);
  if (!isLive(invite, now)) throw new DomainError('invite_expired', 'That invite has expired; ask for a new one.');
  if (roleOf(account, userId) !== null) throw new DomainError('already_in_team', 'You are already in this team.');
  const limit = seatLimitOf(account);
  const team = pruneExpired(teamOf(account), now);
  const members = 1 + team.members.length + 1;
  if (members > limit) throw new SeatLimitReachedError(limit, members - 1);
  const member: TeamMember = { userId, email: invite.email, role: invite.role, monthlyCapCredits: invite.monthlyCapCredits, joinedAt: now.toISOString() };
  return { team: { ...team, members: [...team.members, member], invites: team.invites.filter((i) => i.id !== inviteId) }, member };
}

export interface MemberChange {
  readonly role?: InvitedRole;
  readonly monthlyCapCredits?: number | null;
}

/** The owner changes anyone but themselves; an admin changes members only, and cannot make admins. */
export function changeMember(account: Account, actor: { userId: string; role: TeamRole }, targetUserId: string, change: MemberChange): { team: Team; member: TeamMember } {
  const target = targetOf(account, actor, targetUserId, 'change');
  if (actor.role === 'admin' && change.role === 'admin') throw new DomainError('forbidden', 'Only the owner can make a member an admin.');
  const member: TeamMember = { ...target, ...(change.role ? { role: change.role } : {}), ...(change.monthlyCapCredits !== undefined ? { monthlyCapCredits: change.monthlyCapCredits } : {}) };
  const team = teamOf(account);
  return { team: { ...team, members: team.members.map((m) => (m.userId === targetUserId ? member : m)) }, member };
}

/** Removes a member (the owner: anyone; an admin: members; anyone: themselves). What they spent stays in the ledger and usage. */
export function removeMember(account: Account, actor: { userId: string; role: TeamRole }, targetUserId: string): Team {
  targetOf(account, actor, targetUserId, 'remove');
  const team = teamOf(account);
  const spent = Object.fromEntries(Object.entries(team.spent).filter(([userId]) => userId !== targetUserId));
  return { ...team, members: team.members.filter((m) => m.userId !== targetUserId), spent };
}

function targetOf(account: Account, actor: { userId: string; role: TeamRole }, targetUserId: string, action: 'change' | 'remove'): TeamMember {
  if (targetUserId === account.id) throw new DomainError('forbidden', action === 'remove' ? 'The owner cannot be removed from their own wallet.' : "The owner's role and spending cannot be changed.");
  const target = teamOf(account).members.find((m) => m.userId === targetUserId);
  if (!target) throw new DomainError('member_not_found', 'No member of this wallet has that user id.');
  const self = actor.userId === targetUserId;
  if (action === 'remove' && self) return target;
  if (actor.role === 'member') throw new DomainError('forbidden', "Only the wallet's owner or an admin can do this.");
  if (actor.role === 'admin' && target.role === 'admin' && !(self && action === 'remove')) throw new DomainError('forbidden', 'An admin cannot change or remove another admin (or themselves); ask the owner.');
  return target;
}

/** A plan change to fewer seats than the owner, members and pending invites is refused. */
export function assertPlanFitsTeam(account: Account, plan: PlanId, now: Date): void {
  const used = seatsUsed(account, now);
  const limit = PLANS[plan].seats;
  if (used > limit) throw new TooManyMembersError(limit, used);
}

function pruneExpired(team: Team, now: Date): Team {
  return { ...team, invites: team.invites.filter((i) => isLive(i, now)) };
}
