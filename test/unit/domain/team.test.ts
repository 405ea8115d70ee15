/** The team rules on their own: roles, seats, invites, caps and their counters, suspension. */
import fc from 'fast-check';
import type { Account } from '../../../lambdas/domain/account';
import { openAccount } from '../../../lambdas/domain/account';
import type { PlanId } from '../../../lambdas/domain/catalog';
import type { DomainError } from '../../../lambdas/domain/errors';
import type { NewInvite, TeamMember } from '../../../lambdas/domain/team';
import * as team from '../../../lambdas/domain/team';
import { generateInviteCode, parseInviteCode } from '../../../lambdas/domain/invite-code';
import { DAY_MS, NOW, NOW_MS, iso } from './arbitraries';

const OWNER = 'owner-1';
const member = (userId: string, role: TeamMember['role'] = 'member', monthlyCapCredits: number | null = null): TeamMember => ({ userId, email: `${userId}@example.com`, role, monthlyCapCredits, joinedAt: iso(NOW_MS - DAY_MS) });

function wallet(plan: PlanId, members: TeamMember[] = [], extra: Partial<Account> = {}): Account {
  const opened = openAccount(OWNER, new Date(NOW_MS - 2 * DAY_MS)).account;
  return { ...opened, plan, team: { members, invites: [], spent: {} }, ...extra };
}

const invite = (id: string, email: string, role: NewInvite['role'] = 'member'): NewInvite => ({ id, email, role, monthlyCapCredits: null, codeHash: `hash-${id}`, createdBy: OWNER });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as DomainError).code;
  }
  return 'none';
};

describe('authorize: the role comes from the records, never from the token', () => {
  const account = wallet('PRO', [member('ada', 'admin'), member('bob')]);
  test.each([
    ['owner', OWNER, 'owner', 'owner'],
    ['admin as manager', 'ada', 'manager', 'admin'],
    ['member as member', 'bob', 'member', 'member'],
  ])('%s', (_name, userId, rule, role) => {
    expect(team.authorize(account, { userId, accountId: OWNER }, rule as team.TeamAccessRule)).toBe(role);
  });
  test('a stranger is not a member; a member is not a manager; an admin is not the owner', () => {
    expect(codeOf(() => team.authorize(account, { userId: 'eve', accountId: OWNER }, 'member'))).toBe('not_a_member');
    expect(codeOf(() => team.authorize(null, { userId: 'eve', accountId: OWNER }, 'member'))).toBe('not_a_member');
    expect(codeOf(() => team.authorize(account, { userId: 'bob', accountId: OWNER }, 'manager'))).toBe('forbidden');
    expect(codeOf(() => team.authorize(account, { userId: 'ada', accountId: OWNER }, 'owner'))).toBe('forbidden');
  });
  test("the owner of their own wallet, even before it is opened", () => {
    expect(team.authorize(null, { userId: OWNER, accountId: OWNER }, 'owner')).toBe('owner');
  });
  test('members are suspended when the plan has fewer seats than the owner and members; the owner is not', () => {
    const ended = wallet('FREE', [member('ada', 'admin'), member('bob')]);
    expect(codeOf(() => team.authorize(ended, { userId: 'bob', accountId: OWNER }, 'member'))).toBe('member_suspended');
    expect(team.authorize(ended, { userId: OWNER, accountId: OWNER }, 'owner')).toBe('owner');
    // The plan returns: so does their access.
    expect(team.authorize({ ...ended, plan: 'PRO' }, { userId: 'bob', accountId: OWNER }, 'member')).toBe('member');
  });
});

describe('seats and invites', () => {
  test('pending invites take seats: PRO (3) holds the owner, one member and one invite, not a second', () => {
    const account = wallet('PRO', [member('bob')]);
    const invited = { ...account, team: team.inviteToTeam(account, 'owner', invite('inv_1', 'c@example.com'), NOW) };
    expect(team.seatsUsed(invited, NOW)).toBe(3);
    expect(codeOf(() => team.inviteToTeam(invited, 'owner', invite('inv_2', 'd@example.com'), NOW))).toBe('seat_limit_reached');
  });
  test('a one-seat plan can invite nobody', () => {
    expect(codeOf(() => team.inviteToTeam(wallet('FREE'), 'owner', invite('inv_1', 'c@example.com'), NOW))).toBe('seat_limit_reached');
    expect(codeOf(() => team.inviteToTeam(wallet('BEGINNER'), 'owner', invite('inv_1', 'c@example.com'), NOW))).toBe('seat_limit_reached');
  });
  test('an expired invite frees its seat; a pending downgrade limits seats to its plan', () => {
    const account = wallet('PRO', [member('bob')]);
    const invited = { ...account, team: team.inviteToTeam(account, 'owner', invite('inv_1', 'c@example.com'), NOW) };
    const later = new Date(NOW_MS + team.INVITE_LIFETIME_MS);
    expect(team.seatsUsed(invited, later)).toBe(2);
    expect(team.inviteToTeam(invited, 'owner', invite('inv_2', 'd@example.com'), later).invites.map((i) => i.id)).toEqual(['inv_2']);
    const downgrading = { ...wallet('TEAM'), subscription: { subscriptionId: 'sub_1', pendingPlan: 'BEGINNER' as const, lastEventAt: null } };
    expect(team.seatLimitOf(downgrading)).toBe(1);
  });
  test('the same email twice, and an admin inviting an admin, are refused', () => {
    const account = wallet('TEAM');
    const invited = { ...account, team: team.inviteToTeam(account, 'owner', invite('inv_1', 'C@Example.com'), NOW) };
    expect(codeOf(() => team.inviteToTeam(invited, 'owner', invite('inv_2', 'c@example.com'), NOW))).toBe('already_invited');
    expect(codeOf(() => team.inviteToTeam(account, 'admin', invite('inv_3', 'x@example.com', 'admin'), NOW))).toBe('forbidden');
  });
  test('joining turns the invite into a member with its role and cap; expired or unknown invites are refused', () => {
    const account = wallet('PRO');
    const invited = { ...account, team: team.inviteToTeam(account, 'owner', { ...invite('inv_1', 'c@example.com', 'admin'), monthlyCapCredits: 50 }, NOW) };
    const joined = team.joinTeam(invited, 'inv_1', 'carol', NOW);
    expect(joined.member).toMatchObject({ userId: 'carol', role: 'admin', monthlyCapCredits: 50 });
    expect(joined.team.invites).toEqual([]);
    expect(codeOf(() => team.joinTeam(invited, 'inv_1', 'carol', new Date(NOW_MS + team.INVITE_LIFETIME_MS)))).toBe('invite_expired');
    expect(codeOf(() => team.joinTeam(invited, 'inv_9', 'carol', NOW))).toBe('invite_not_found');
    expect(codeOf(() => team.joinTeam(invited, 'inv_1', OWNER, NOW))).toBe('already_in_team');
    // The plan lost its seats after the invite: the join is refused, not squeezed in.
    expect(codeOf(() => team.joinTeam({ ...invited, plan: 'FREE' }, 'inv_1', 'carol', NOW))).toBe('seat_limit_reached');
  });
  test('a plan with fewer seats than the owner, members and invites is refused with how many must go', () => {
    const account = wallet('TEAM', [member('a'), member('b'), member('c')]);
    let error: DomainError | undefined;
    try {
      team.assertPlanFitsTeam(account, 'PRO', NOW);
    } catch (e) {
      error = e as DomainError;
    }
    expect(error).toMatchObject({ code: 'too_many_members', details: { seatLimit: 3, used: 4, mustRemove: 1 } });
    expect(() => team.assertPlanFitsTeam(wallet('TEAM', [member('a')]), 'PRO', NOW)).not.toThrow();
  });
});

describe('changing and removing members', () => {
  const account = wallet('TEAM', [member('ada', 'admin'), member('abe', 'admin'), member('bob')]);
  const owner = { userId: OWNER, role: 'owner' as const };
  const ada = { userId: 'ada', role: 'admin' as const };
  const bob = { userId: 'bob', role: 'member' as const };
  test('the owner changes anyone but themselves', () => {
    expect(team.changeMember(account, owner, 'ada', { role: 'member', monthlyCapCredits: 10 }).member).toMatchObject({ role: 'member', monthlyCapCredits: 10 });
    expect(codeOf(() => team.changeMember(account, owner, OWNER, { monthlyCapCredits: 10 }))).toBe('forbidden');
  });
  test('an admin changes members only: not the owner, not another admin, not into an admin', () => {
    expect(team.changeMember(account, ada, 'bob', { monthlyCapCredits: 5 }).member.monthlyCapCredits).toBe(5);
    expect(codeOf(() => team.changeMember(account, ada, OWNER, { role: 'member' }))).toBe('forbidden');
    expect(codeOf(() => team.changeMember(account, ada, 'abe', { monthlyCapCredits: 1 }))).toBe('forbidden');
    expect(codeOf(() => team.changeMember(account, ada, 'bob', { role: 'admin' }))).toBe('forbidden');
    expect(codeOf(() => team.changeMember(account, ada, 'nobody', { role: 'member' }))).toBe('member_not_found');
  });
  test('anyone may leave; a member removes nobody else; the owner cannot be removed', () => {
    expect(team.removeMember(account, bob, 'bob').members.map((m) => m.userId)).toEqual(['ada', 'abe']);
    expect(team.removeMember(account, ada, 'ada').members.map((m) => m.userId)).toEqual(['abe', 'bob']);
    expect(codeOf(() => team.removeMember(account, bob, 'ada'))).toBe('forbidden');
    expect(codeOf(() => team.removeMember(account, ada, 'abe'))).toBe('forbidden');
    expect(codeOf(() => team.removeMember(account, owner, OWNER))).toBe('forbidden');
  });
});

describe('monthly caps', () => {
  const capped = (spent: number, periodStart?: string) => {
    const account = wallet('TEAM', [member('bob', 'member', 100)]);
    return { ...account, team: { ...account.team!, spent: { bob: { periodStart: periodStart ?? account.currentPeriod.start, credits: spent } } } };
  };
  test('a member never goes over the cap, whatever the sequence of debits and refunds (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ refund: fc.boolean(), credits: fc.integer({ min: 1, max: 60 }) }), { maxLength: 40 }), (steps) => {
        let account: Account = capped(0);
        const charged: number[] = [];
        for (const step of steps) {
          if (step.refund && charged.length > 0) {
            account = { ...account, team: team.refundMember(account, 'bob', charged.pop()!, iso(NOW_MS)) };
          } else {
            const before = team.spentThisPeriod(account, 'bob');
            try {
              account = { ...account, team: team.chargeMember(account, 'bob', step.credits) };
              charged.push(step.credits);
            } catch (error) {
              expect(error).toMatchObject({ code: 'member_cap_reached', details: { capCredits: 100, spentCredits: before, requiredCredits: step.credits } });
              expect(before + step.credits).toBeGreaterThan(100);
            }
          }
          const spent = team.spentThisPeriod(account, 'bob');
          expect(spent).toBeLessThanOrEqual(100);
          expect(spent).toBe(charged.reduce((a, b) => a + b, 0));
        }
      }),
    );
  });
  test('the counter resets with the period; a refund of last period\'s debit does not lower this one\'s', () => {
    const stale = capped(100, '2000-01-01T00:00:00.000Z');
    expect(team.spentThisPeriod(stale, 'bob')).toBe(0);
    expect(team.spentThisPeriod({ ...stale, team: team.chargeMember(stale, 'bob', 100) }, 'bob')).toBe(100);
    const full = capped(100);
    expect(team.spentThisPeriod({ ...full, team: team.refundMember(full, 'bob', 40, '2000-01-01T00:00:00.000Z') }, 'bob')).toBe(100);
  });
  test("a refund of a debit from before the member's removal and rejoining does not lower the new membership's counter", () => {
    const rejoined = capped(30);
    const joinedAt = rejoined.team.members[0]!.joinedAt;
    const before = iso(Date.parse(joinedAt) - 60_000);
    expect(team.spentThisPeriod({ ...rejoined, team: team.refundMember(rejoined, 'bob', 50, before) }, 'bob')).toBe(30);
    expect(team.spentThisPeriod({ ...rejoined, team: team.refundMember(rejoined, 'bob', 20, joinedAt) }, 'bob')).toBe(10);
  });
  test('the owner is never capped, but counted', () => {
    const account = wallet('TEAM');
    const next = { ...account, team: team.chargeMember(account, OWNER, 1_000_000) };
    expect(team.spentThisPeriod(next, OWNER)).toBe(1_000_000);
  });
  test('removing a member drops their counter (their spending stays in the ledger and usage)', () => {
    const account = capped(30);
    expect(team.removeMember(account, { userId: OWNER, role: 'owner' }, 'bob').spent).toEqual({});
  });
});

describe('invite codes', () => {
  test('JOIN and four groups of the unambiguous alphabet, parsed back whatever the case and spaces', () => {
    const bytes = (n: number) => new Uint8Array(Array.from({ length: n }, (_, i) => (i * 37 + 11) % 256));
    const code = generateInviteCode(bytes);
    expect(code).toMatch(/^JOIN(-[A-HJKMNP-Z2-9]{4}){4}$/);
    expect(parseInviteCode(`  ${code.toLowerCase()} `)).toBe(code);
    expect(parseInviteCode('JOIN-AAAA-AAAA-AAAA')).toBeNull();
    expect(parseInviteCode('LAUNCH-AAAA-AAAA')).toBeNull();
  });
});
