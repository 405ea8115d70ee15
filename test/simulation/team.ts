/**
 * The team wallet (`sim-pro`: PRO, 3 seats, set with fixtures.setPlan like the other fixed-plan
 * accounts) and its simulated members `sim-m1`…`sim-m4`, who act on it with a token whose
 * `account_id` selects it. Actions: a member generates (the generic generate action as that user,
 * alone or a burst at once), the owner or an admin invites (pending invites hold seats: with four
 * candidates for two seats, seat refusals are frequent), revokes an invite, a user joins with a
 * code (or a used, revoked, expired or bogus one), the owner changes a member's cap (sometimes below
 * what they spent) or role, the owner or an admin removes a member or a member leaves, and a
 * removal races a burst of the member's own debits.
 *
 * The model (TeamModel) knows the members (role, cap), the invites (and the codes it was shown),
 * the seats, and what each user spent this period: from the jobs the model accepted for them in
 * their current membership (a removal resets it), known exactly at settle points and between
 * bounds while their jobs may still fail and be refunded. It predicts every answer of a team route
 * and every member's debit (403 not_a_member after a removal, 402 member_cap_reached, seats, codes
 * used, revoked or expired). A team request whose attempts met an injected fault (a lost answer:
 * the commit may have happened) is ambiguous, as a redemption is: the stored team must then be
 * either the one with the change or the one without it, and the model adopts it (an invite created
 * under a lost answer is kept with an unknown code, until it is revoked or expires).
 *
 * The wallet's billing period never rolls in the simulation (a fixed-plan account gets no renewals),
 * so the counters never reset by period here; the checks read the stored period all the same.
 *
 * Invariants, on the store (checkSnapshot: after every step on the consistent snapshot the generic
 * checks read, and at settle points), with the membership history observed on the wire (World.wire:
 * every committed transaction's account version, its team, and its user-team link writes):
 * 1. each spending counter (members and owner) equals the user's debits minus their refunds in the
 *    current period since they last joined, from the ledger; no counter for anyone not in the team;
 *    no debit ever took a capped member above the cap in force at that commit (the running sum of
 *    their debits and refunds in ledger order against the cap of the team written by that commit);
 * 2. no debit by a user at an account version at which they were not a member (the last user-team
 *    link written before that version was not `active`), and the members stored are exactly those
 *    whose last link is `active`; every debit and refund entry carries its user;
 * 3. (settle points) GET /v1/usage over every day of the run, by member and model, equals the
 *    ledger's debits (credits, generations) and refunds per user and model (a job's model from the
 *    job the model accepted), and its totals the rows' sums; GET /v1/team equals the model.
 */
import type { Action, GenerationRequest } from './actions';
import type { ReferenceModel } from './model';
import type { World } from './world';

export const TEAM_WALLET = 'sim-pro';
export const TEAM_USERS = ['sim-m1', 'sim-m2', 'sim-m3', 'sim-m4'] as const;
/** README, "Plans": seats per plan (the owner included). */
const SEATS = 3;
const INVITE_LIFETIME_MS = 7 * 24 * 3600_000;
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** README: at most this many days per usage report. */
const MAX_USAGE_DAYS = 93;

type Role = 'admin' | 'member';

interface ModelMember {
  role: Role;
  cap: number | null;
  /** The email of the invite they joined with (whoever was invited: the code is all that is checked). */
  readonly email: string;
}

interface ModelInvite {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly cap: number | null;
  /** Null when created under a lost answer (never shown to the client). */
  readonly code: string | null;
  readonly expiresAt: string;
}

interface StoredTeam {
  readonly members?: ReadonlyArray<{ userId: string; email: string | null; role: Role; monthlyCapCredits: number | null }>;
  readonly invites?: ReadonlyArray<{ id: string; email: string; role: Role; monthlyCapCredits: number | null; expiresAt: string }>;
  readonly spent?: Readonly<Record<string, { periodStart: string; credits: number }>>;
}

export interface TeamLedgerEntry {
  readonly sk: string;
  readonly type: string;
  readonly amount: number;
  readonly reference: string;
  readonly at: string;
  readonly userId?: string;
}

const emailOf = (user: string) => `${user}@sim.example`;
const userOfEmail = (email: string) => email.replace(/@sim\.example$/, '');
const versionOf = (sk: string) => Number(sk.split('#')[1]);

/** What generate() needs to know of a user on the wallet. */
export interface SpenderView {
  readonly member: boolean;
  readonly cap: number | null;
  readonly spent: { readonly lo: number; readonly hi: number };
}

export class TeamModel {
  readonly members = new Map<string, ModelMember>();
  /** Pending invites, expired ones included until a commit prunes them (an invite, a revoke or a join: team.ts's pruneExpired). */
  invites: ModelInvite[] = [];
  /** Codes shown to a client that can no longer be used, and why. */
  readonly deadCodes = new Map<string, 'used' | 'revoked'>();
  /** Removals so far per user: a job counts towards a user's spending only within the membership it was accepted in. */
  private readonly epochs = new Map<string, number>();
  /** Jobs accepted on the wallet: by whom, in which membership. */
  private readonly jobUser = new Map<string, { user: string; epoch: number }>();

  constructor(private readonly model: ReferenceModel) {}

  epoch(user: string): number {
    return this.epochs.get(user) ?? 0;
  }

  noteJob(jobId: string, user: string): void {
    this.jobUser.set(jobId, { user, epoch: this.epoch(user) });
  }

  userOfJob(jobId: string): string | undefined {
    return this.jobUser.get(jobId)?.user;
  }

  /** What `user` spent this period in their current membership: `hi` counts every accepted job not seen failed, `lo` only those seen succeed. */
  spent(user: string): { lo: number; hi: number } {
    let lo = 0;
    let hi = 0;
    for (const [jobId, { user: u, epoch }] of this.jobUser) {
      if (u !== user || epoch !== this.epoch(user)) continue;
      const job = this.model.jobsById.get(jobId);
      if (!job || job.status === 'failed' || job.status === 'cancelled') continue;
      hi += job.credits;
      if (job.status === 'succeeded') lo += job.credits;
    }
    return { lo, hi };
  }

  view(user: string): SpenderView {
    if (user === TEAM_WALLET) return { member: true, cap: null, spent: this.spent(user) };
    const m = this.members.get(user);
    return { member: m !== undefined, cap: m?.cap ?? null, spent: this.spent(user) };
  }

  live(now: Date): ModelInvite[] {
    return this.invites.filter((i) => Date.parse(i.expiresAt) > now.getTime());
  }

  seatsUsed(now: Date): number {
    return 1 + this.members.size + this.live(now).length;
  }

  prune(now: Date): void {
    this.invites = this.live(now);
  }

  remove(user: string): void {
    this.members.delete(user);
    this.epochs.set(user, this.epoch(user) + 1);
  }

  /** The team as comparable text: members (role, cap) and invite ids (expired ones included). */
  key(): string {
    return JSON.stringify({ members: [...this.members].map(([u, m]) => [u, m.role, m.cap, m.email]).sort(), invites: this.invites.map((i) => i.id).sort() });
  }

  static storedKey(team: StoredTeam | undefined): string {
    return JSON.stringify({ members: (team?.members ?? []).map((m) => [m.userId, m.role, m.monthlyCapCredits, m.email ?? '']).sort(), invites: (team?.invites ?? []).map((i) => i.id).sort() });
  }

  /** Adopts the stored team (after an ambiguous request): codes it knows stay, new invites get none. */
  adopt(team: StoredTeam | undefined): void {
    const stored = team?.members ?? [];
    for (const user of [...this.members.keys()]) if (!stored.some((m) => m.userId === user)) this.remove(user);
    for (const m of stored) this.members.set(m.userId, { role: m.role, cap: m.monthlyCapCredits, email: m.email ?? '' });
    const known = new Map(this.invites.map((i) => [i.id, i]));
    for (const gone of this.invites) if (!(team?.invites ?? []).some((i) => i.id === gone.id) && gone.code) this.deadCodes.set(gone.code, stored.some((m) => m.email === gone.email) ? 'used' : 'revoked');
    this.invites = (team?.invites ?? []).map((i) => known.get(i.id) ?? { id: i.id, email: i.email, role: i.role, cap: i.monthlyCapCredits, code: null, expiresAt: i.expiresAt });
  }
}

/** What the team actions need of the generic actions. */
export interface TeamHost {
  generate(accountId: string, requests: readonly GenerationRequest[], options?: { as?: string; removalRace?: boolean }): Promise<void>;
  drawGeneration(accountId: string, allowReplay: boolean): GenerationRequest;
}

type Ambiguity = { readonly faulted: boolean };

export class TeamActions {
  readonly model: TeamModel;

  constructor(
    private readonly w: World,
    private readonly host: TeamHost,
  ) {
    this.model = new TeamModel(w.model);
    w.extraSensitiveInstants = () => this.model.invites.map((i) => Date.parse(i.expiresAt));
  }

  private count(what: string): void {
    const stats = this.w.stats.team;
    stats[what] = (stats[what] ?? 0) + 1;
  }

  private async storedTeam(): Promise<StoredTeam | undefined> {
    const account = await this.w.store.loadAccount(TEAM_WALLET);
    return account?.team as StoredTeam | undefined;
  }

  /**
   * After a team request: without faults the stored team must be the model's exactly; with faults
   * (the change may or may not have committed) either `without` (the model before) or the model now,
   * and the model adopts it.
   */
  private async reconcile(what: string, before: string, { faulted }: Ambiguity): Promise<void> {
    const team = await this.storedTeam();
    const stored = TeamModel.storedKey(team);
    const after = this.model.key();
    if (stored === after) return;
    if (faulted) {
      // Either outcome, nothing else: the members as before or after, and at most one invite more or less (one created under a lost answer has an id the model never saw).
      this.count('ambiguous adopted');
      this.w.note(`  the stored team after ${what} (faults): ${stored}; the model adopts it (it had ${after})`);
      const parse = (key: string) => JSON.parse(key) as { members: unknown[]; invites: string[] };
      const s = parse(stored);
      const plausible = [before, after].some((key) => {
        const k = parse(key);
        const differing = [...s.invites.filter((id) => !k.invites.includes(id)), ...k.invites.filter((id) => !s.invites.includes(id))];
        return JSON.stringify(k.members) === JSON.stringify(s.members) && differing.length <= 1;
      });
      if (!plausible) this.w.problem(`${what}: the stored team ${stored} is neither the model's before (${before}) nor after (${after})`);
      this.model.adopt(team);
      return;
    }
    this.w.problem(`${what}: the stored team is ${stored}, the model says ${after}`);
    this.model.adopt(team);
  }

  /** A first member, capped, through the real routes (faults are off during setup). */
  async setup(): Promise<void> {
    this.w.stats.team = {};
    await this.invite(TEAM_WALLET, TEAM_USERS[0], 'member', 150);
    const invite = this.model.invites[0];
    if (!invite?.code) throw new Error(`could not invite ${TEAM_USERS[0]}: ${this.w.problems.join('; ')}`);
    await this.join(TEAM_USERS[0], invite.code);
  }

  choose(): Action {
    const { rng } = this.w;
    const now = this.w.now();
    const members = [...this.model.members.keys()];
    // With nobody in the team, mostly invites and joins; member actions then probe a non-member now and then.
    const few = members.length === 0 ? 0.15 : 1;
    const codes = this.model.invites.some((i) => i.code !== null);
    const kind = rng.weighted([
      ['generate', 30 * few],
      ['burst', 6 * few],
      ['invite', members.length < SEATS - 1 ? 14 : 5],
      ['revoke', 4],
      ['join', codes ? 18 : 2],
      ['change', 9 * few],
      ['remove', 7 * few],
      ['removal-race', 5 * few],
    ] as const);
    const someUser = () => rng.pick(TEAM_USERS);
    const someMember = () => (members.length > 0 && rng.chance(0.85) ? rng.pick(members) : someUser());
    switch (kind) {
      case 'generate':
      case 'burst': {
        const user = someMember();
        const requests = kind === 'burst' ? Array.from({ length: rng.int(2, 4) }, () => this.host.drawGeneration(TEAM_WALLET, false)) : [this.host.drawGeneration(TEAM_WALLET, true)];
        return {
          name: `team-${kind}`,
          detail: `${user} on ${TEAM_WALLET}: ${requests.map((r) => r.detail).join(', ')}`,
          run: async () => {
            this.count(kind);
            await this.host.generate(TEAM_WALLET, requests, { as: user });
          },
        };
      }
      case 'invite': {
        const admins = members.filter((u) => this.model.members.get(u)!.role === 'admin');
        const actor = admins.length > 0 && rng.chance(0.25) ? rng.pick(admins) : TEAM_WALLET;
        const free = TEAM_USERS.filter((u) => !this.model.members.has(u) && !this.model.live(now).some((i) => i.email === emailOf(u)));
        const user = free.length > 0 && rng.chance(0.85) ? rng.pick(free) : someUser();
        const role: Role = rng.chance(0.25) ? 'admin' : 'member';
        const cap = rng.chance(0.35) ? null : rng.int(20, 400);
        // No cap: sent as null, or left out.
        const omitCap = cap === null && rng.chance(0.5);
        return { name: 'team-invite', detail: `${actor} invites ${user} as ${role}, cap ${cap ?? (omitCap ? 'none (not sent)' : 'none')}`, run: () => this.invite(actor, user, role, cap, omitCap) };
      }
      case 'revoke': {
        const invite = this.model.invites.length > 0 && rng.chance(0.8) ? rng.pick(this.model.invites) : null;
        const id = invite?.id ?? `inv_simbogus${rng.int(1, 1e6)}`;
        return { name: 'team-revoke', detail: `${id}${invite ? ` (${invite.email})` : ' (bogus)'}`, run: () => this.revoke(id) };
      }
      case 'join': {
        const usable = this.model.invites.filter((i) => i.code !== null);
        const dead = [...this.model.deadCodes.keys()];
        const pick = rng.weighted([
          ['invite', usable.length > 0 ? 10 : 0],
          ['dead', dead.length > 0 ? 2 : 0],
          ['bogus', 1],
        ] as const);
        const invite = pick === 'invite' ? rng.pick(usable) : null;
        const code = invite ? invite.code! : pick === 'dead' ? rng.pick(dead) : `JOIN-${Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => rng.pick([...CODE_ALPHABET])).join('')).join('-')}`;
        // Mostly the person invited; sometimes someone else with the code (the code is all that is checked).
        const user = invite && rng.chance(0.85) ? userOfEmail(invite.email) : someUser();
        return { name: 'team-join', detail: `${user} with ${invite ? `the code of ${invite.id} (${invite.email})` : pick === 'dead' ? `a ${this.model.deadCodes.get(code)} code` : 'a bogus code'}`, run: () => this.join(user, code) };
      }
      case 'change': {
        const user = someMember();
        const spent = this.model.spent(user).hi;
        const change: { role?: Role; monthlyCapCredits?: number | null } = {};
        const what = rng.weighted([
          ['cap', 6],
          ['role', 2],
          ['both', 1],
        ] as const);
        if (what !== 'role') change.monthlyCapCredits = rng.chance(0.2) ? null : rng.chance(0.3) ? rng.int(0, Math.max(spent, 1)) : rng.int(spent, spent + 300);
        if (what !== 'cap') change.role = rng.chance(0.5) ? 'admin' : 'member';
        return { name: 'team-change', detail: `${user}: ${JSON.stringify(change)} (spent ≤ ${spent})`, run: () => this.change(user, change) };
      }
      case 'remove': {
        const user = someMember();
        const admins = members.filter((u) => u !== user && this.model.members.get(u)!.role === 'admin');
        const actor = rng.chance(0.3) ? user : admins.length > 0 && rng.chance(0.3) ? rng.pick(admins) : TEAM_WALLET;
        return { name: 'team-remove', detail: actor === user ? `${user} leaves` : `${actor} removes ${user}`, run: () => this.remove(actor, user) };
      }
      case 'removal-race': {
        const user = someMember();
        const requests = Array.from({ length: rng.int(3, 5) }, () => this.host.drawGeneration(TEAM_WALLET, false));
        const delay = rng.int(0, 15);
        const leaves = rng.chance(0.3);
        return {
          name: 'team-removal-race',
          detail: `${leaves ? `${user} leaves` : `the owner removes ${user}`} after ${delay} ms, racing ${requests.map((r) => r.detail).join(', ')}`,
          run: () => this.removalRace(user, requests, delay, leaves),
        };
      }
    }
  }

  /** A request whose outcome the model cannot know from its answers: an injected fault (the commit may be lost), or write_conflict. */
  private ambiguous(answer: { all: ReadonlyArray<{ status: number; faults: readonly string[]; body: { error?: { code?: string } } | undefined }> }): boolean {
    return answer.all.some((a) => a.faults.length > 0 || (a.status === 409 && a.body?.error?.code === 'write_conflict'));
  }

  private trail(all: ReadonlyArray<{ status: number; faults: readonly string[] }>): string {
    return all.map((a) => `${a.status}${a.faults.length ? `[${a.faults.join(',')}]` : ''}`).join('→');
  }

  private token(actor: string): { as: string; wallet?: string } {
    return actor === TEAM_WALLET ? { as: actor } : { as: actor, wallet: TEAM_WALLET };
  }

  /** The answer a team request must give: the status and error code, or a problem. */
  private expectAnswer(where: string, answer: { status: number; body: { error?: { code?: string } } | undefined }, status: number, code?: string): boolean {
    const got = answer.body?.error?.code;
    if (answer.status === status && (code === undefined || got === code)) return true;
    if (answer.status === 409 && got === 'write_conflict') {
      // Retries exhausted under contention: nothing changed (reconcile checks it).
      this.count('write_conflict');
      return false;
    }
    this.w.problem(`${where}: answered ${answer.status} ${JSON.stringify(answer.body)}, the model says ${status}${code ? ` ${code}` : ''}`);
    return false;
  }

  private async invite(actor: string, user: string, role: Role, cap: number | null, omitCap = false): Promise<void> {
    const w = this.w;
    const m = this.model;
    const now = w.now();
    const before = m.key();
    const email = emailOf(user);
    const actorRole = actor === TEAM_WALLET ? 'owner' : m.members.get(actor)?.role;
    const expected: [number, string?] =
      actorRole === undefined
        ? [403, 'not_a_member']
        : actorRole === 'member'
          ? [403, 'forbidden']
          : actorRole === 'admin' && role === 'admin'
            ? [403, 'forbidden']
            : m.live(now).some((i) => i.email === email) || [...m.members.values()].some((mm) => mm.email === email)
              ? [409, 'already_invited']
              : m.seatsUsed(now) + 1 > SEATS
                ? [409, 'seat_limit_reached']
                : [201];
    const answer = await w.callUntilAnswered(`team-invite:${user}`, 'POST', '/v1/team/invites', { ...this.token(actor), body: { email, role, ...(omitCap ? {} : { monthlyCapCredits: cap }) } });
    const faulted = this.ambiguous(answer);
    w.note(`  expected ${expected.join(' ')}, seats used ${m.seatsUsed(now)}/${SEATS}: ${this.trail(answer.all)}`);
    const body = answer.last.body as { id?: string; code?: string; email?: string; role?: string; monthlyCapCredits?: number | null; expiresAt?: string };
    if (expected[0] === 201) {
      m.prune(now);
      if (answer.last.status === 201) {
        if (body.email !== email || body.role !== role || body.monthlyCapCredits !== cap || !body.code || !body.id) w.problem(`invite of ${user}: 201 ${JSON.stringify(body)} does not describe the request`);
        const lifetime = Date.parse(body.expiresAt ?? '') - now.getTime();
        if (!(lifetime >= INVITE_LIFETIME_MS && lifetime < INVITE_LIFETIME_MS + 60_000)) w.problem(`invite of ${user}: expires ${body.expiresAt}, not 7 days after ${now.toISOString()}`);
        m.invites.push({ id: body.id!, email, role, cap, code: body.code!, expiresAt: body.expiresAt! });
        this.count('invited');
      } else if (!(faulted && answer.last.status === 409 && body && (answer.last.body?.error?.code === 'already_invited' || answer.last.body?.error?.code === 'write_conflict'))) {
        this.expectAnswer(`invite of ${user} by ${actor}`, answer.last, 201);
      }
    } else {
      if (expected[1] === 'seat_limit_reached') this.count('seat refused');
      if (answer.last.status === 409 && answer.last.body?.error?.code === 'write_conflict' && faulted) this.count('write_conflict');
      else this.expectAnswer(`invite of ${user} by ${actor}`, answer.last, expected[0], expected[1]);
    }
    await this.reconcile(`invite of ${user}`, before, { faulted });
  }

  private async revoke(id: string): Promise<void> {
    const w = this.w;
    const m = this.model;
    const now = w.now();
    const before = m.key();
    const invite = m.invites.find((i) => i.id === id);
    const answer = await w.callUntilAnswered(`team-revoke:${id}`, 'DELETE', `/v1/team/invites/${id}`, { as: TEAM_WALLET });
    const faulted = this.ambiguous(answer);
    w.note(`  expected ${invite ? 204 : 404}: ${this.trail(answer.all)}`);
    if (invite) {
      m.prune(now);
      m.invites = m.invites.filter((i) => i.id !== id);
      if (invite.code) m.deadCodes.set(invite.code, 'revoked');
      if (answer.last.status === 204) this.count('revoked');
      else if (!(faulted && answer.last.status === 404)) this.expectAnswer(`revoking ${id}`, answer.last, 204);
    } else this.expectAnswer(`revoking ${id}`, answer.last, 404, 'invite_not_found');
    await this.reconcile(`revoking ${id}`, before, { faulted });
  }

  private async join(user: string, code: string): Promise<void> {
    const w = this.w;
    const m = this.model;
    const now = w.now();
    const before = m.key();
    const invite = m.invites.find((i) => i.code === code);
    const expected: [number, string?] = invite
      ? Date.parse(invite.expiresAt) <= now.getTime()
        ? [410, 'invite_expired']
        : m.members.has(user)
          ? [409, 'already_in_team']
          : [200]
      : m.deadCodes.has(code)
        ? [410, 'invite_expired']
        : [404, 'invite_not_found'];
    const answer = await w.callUntilAnswered(`team-join:${user}`, 'POST', '/v1/team/join', { as: user, body: { code } });
    const faulted = this.ambiguous(answer);
    w.note(`  expected ${expected.join(' ')}: ${this.trail(answer.all)}`);
    if (expected[0] === 200 && invite) {
      m.prune(now);
      m.invites = m.invites.filter((i) => i.id !== invite.id);
      m.deadCodes.set(code, 'used');
      m.members.set(user, { role: invite.role, cap: invite.cap, email: invite.email });
      const body = answer.last.body as { accountId?: string; role?: string };
      if (answer.last.status === 200) {
        this.count('joined');
        if (body.accountId !== TEAM_WALLET || body.role !== invite.role) w.problem(`${user} joined: 200 ${JSON.stringify(body)}, want ${TEAM_WALLET} as ${invite.role}`);
      } else if (!(faulted && [409, 410].includes(answer.last.status))) this.expectAnswer(`${user} joining`, answer.last, 200);
    } else this.expectAnswer(`${user} joining`, answer.last, expected[0], expected[1]);
    await this.reconcile(`${user} joining`, before, { faulted });
  }

  private async change(user: string, change: { role?: Role; monthlyCapCredits?: number | null }): Promise<void> {
    const w = this.w;
    const m = this.model;
    const before = m.key();
    const member = m.members.get(user);
    const spent = m.spent(user);
    const answer = await w.callUntilAnswered(`team-change:${user}`, 'PATCH', `/v1/team/members/${user}`, { as: TEAM_WALLET, body: change });
    const faulted = this.ambiguous(answer);
    w.note(`  expected ${member ? 200 : 404}: ${this.trail(answer.all)}`);
    if (member) {
      if (change.role) member.role = change.role;
      if (change.monthlyCapCredits !== undefined) member.cap = change.monthlyCapCredits;
      const body = answer.last.body as { userId?: string; role?: string; monthlyCapCredits?: number | null; spentThisPeriodCredits?: number };
      if (this.expectAnswer(`changing ${user}`, answer.last, 200)) {
        this.count('changed');
        if (body.userId !== user || body.role !== member.role || body.monthlyCapCredits !== member.cap || body.spentThisPeriodCredits === undefined || body.spentThisPeriodCredits < spent.lo || body.spentThisPeriodCredits > spent.hi) {
          w.problem(`changing ${user}: 200 ${JSON.stringify(body)}, the model says role ${member.role}, cap ${member.cap}, spent within [${spent.lo}, ${spent.hi}]`);
        }
      }
    } else this.expectAnswer(`changing ${user}`, answer.last, 404, 'member_not_found');
    await this.reconcile(`changing ${user}`, before, { faulted });
  }

  /** What removing `user` by `actor` must answer (team.ts targetOf, written out again). */
  private expectRemoval(actor: string, user: string): [number, string?] {
    const m = this.model;
    const target = m.members.get(user);
    if (actor === user) return target ? [204] : [403, 'not_a_member'];
    const actorRole = actor === TEAM_WALLET ? 'owner' : m.members.get(actor)?.role;
    if (actorRole === undefined) return [403, 'not_a_member'];
    if (actorRole === 'member') return [403, 'forbidden'];
    if (!target) return [404, 'member_not_found'];
    if (actorRole === 'admin' && target.role === 'admin') return [403, 'forbidden'];
    return [204];
  }

  private async remove(actor: string, user: string): Promise<void> {
    const w = this.w;
    const m = this.model;
    const before = m.key();
    const expected = this.expectRemoval(actor, user);
    const answer = await w.callUntilAnswered(`team-remove:${user}`, 'DELETE', `/v1/team/members/${user}`, this.token(actor));
    const faulted = this.ambiguous(answer);
    w.note(`  expected ${expected.join(' ')}: ${this.trail(answer.all)}`);
    if (expected[0] === 204) {
      m.remove(user);
      if (answer.last.status === 204) this.count(actor === user ? 'left' : 'removed');
      // A lost answer: the retry finds them gone.
      else if (!(faulted && [403, 404].includes(answer.last.status))) this.expectAnswer(`${actor} removing ${user}`, answer.last, 204);
    } else this.expectAnswer(`${actor} removing ${user}`, answer.last, expected[0], expected[1]);
    await this.reconcile(`${actor} removing ${user}`, before, { faulted });
  }

  /** A removal (or the member leaving) racing the member's own debits: each is accepted or refused not_a_member, and none commits after the removal (checkSnapshot). */
  private async removalRace(user: string, requests: readonly GenerationRequest[], delayMs: number, leaves: boolean): Promise<void> {
    const w = this.w;
    const m = this.model;
    if (!m.members.has(user)) {
      // Not a member: every debit refused, the removal answered as the model says.
      await this.host.generate(TEAM_WALLET, requests, { as: user });
      await this.remove(leaves ? user : TEAM_WALLET, user);
      return;
    }
    this.count('removal race');
    const before = m.key();
    const removal = new Promise((resolve) => setTimeout(resolve, delayMs)).then(() => w.callUntilAnswered(`team-race-remove:${user}`, 'DELETE', `/v1/team/members/${user}`, this.token(leaves ? user : TEAM_WALLET)));
    const [answer] = await Promise.all([removal, this.host.generate(TEAM_WALLET, requests, { as: user, removalRace: true })]);
    const faulted = this.ambiguous(answer);
    w.note(`  the removal: ${this.trail(answer.all)}`);
    m.remove(user);
    if (answer.last.status !== 204 && !(faulted && [403, 404].includes(answer.last.status))) this.expectAnswer(`removing ${user} while they spend`, answer.last, 204);
    await this.reconcile(`removing ${user} while they spend`, before, { faulted });
    // Once removed: refused.
    const after = this.host.drawGeneration(TEAM_WALLET, false);
    await this.host.generate(TEAM_WALLET, [after], { as: user });
  }

  // --- checks --------------------------------------------------------------------------------------

  /** Members' debits whose commit was not seen on the wire (their cap at that commit unknown): none expected. */
  private readonly unobserved = new Set<string>();

  /** Invariants 1 and 2 on a consistent snapshot of the wallet (see the file's comment). */
  checkSnapshot(account: Record<string, unknown>, entries: readonly TeamLedgerEntry[]): string[] {
    const problems: string[] = [];
    const version = Number(account.version);
    const team = account.team as StoredTeam | undefined;
    const periodStart = (account.currentPeriod as { start: string }).start;
    const links = this.w.wire.links.filter((l) => l.accountId === TEAM_WALLET && l.version <= version).sort((a, b) => a.version - b.version);
    const linkBefore = (user: string, v: number) => {
      let status: string | null = null;
      for (const l of links) if (l.userId === user && l.version < v) status = l.status;
      return status;
    };
    const lastJoin = (user: string) => (user === TEAM_WALLET ? 0 : Math.max(0, ...links.filter((l) => l.userId === user && l.status === 'active').map((l) => l.version)));

    // 2. Membership from the links, and no debit by a non-member.
    const storedMembers = (team?.members ?? []).map((mm) => mm.userId).sort();
    const linked = [...new Set(links.map((l) => l.userId))].filter((u) => linkBefore(u, version + 1) === 'active').sort();
    if (JSON.stringify(storedMembers) !== JSON.stringify(linked)) problems.push(`the stored members are ${JSON.stringify(storedMembers)}, the user-team links written say ${JSON.stringify(linked)}`);
    for (const e of entries) {
      if ((e.type === 'debit' || e.type === 'refund') && !e.userId) problems.push(`${e.type} entry ${e.sk} (${e.reference}) carries no user`);
      if (e.type !== 'debit' || !e.userId || e.userId === TEAM_WALLET) continue;
      const v = versionOf(e.sk);
      if (linkBefore(e.userId, v) !== 'active') problems.push(`debit ${e.sk} (${e.reference}, ${e.amount}) by ${e.userId} committed at version ${v}, when they were not a member (last link before it: ${linkBefore(e.userId, v) ?? 'none'})`);
    }

    // 1. Counters against the ledger, and no debit above the cap in force.
    const users = [TEAM_WALLET, ...storedMembers];
    for (const spender of Object.keys(team?.spent ?? {})) if (!users.includes(spender)) problems.push(`a spending counter for ${spender}, who is not in the team: ${JSON.stringify(team?.spent?.[spender])}`);
    for (const user of users) {
      const since = lastJoin(user);
      const debited = new Map<string, number>();
      let running = 0;
      for (const e of entries) {
        const v = versionOf(e.sk);
        if (e.userId !== user || v <= since) continue;
        if (e.type === 'debit' && e.at >= periodStart) {
          debited.set(e.reference, (debited.get(e.reference) ?? 0) - e.amount);
          running -= e.amount;
          if (user !== TEAM_WALLET) {
            const written = this.w.wire.teams.get(TEAM_WALLET)?.get(v);
            const cap = written?.members?.find((mm) => mm.userId === user)?.monthlyCapCredits ?? null;
            if (!written) this.unobserved.add(e.sk);
            else if (cap !== null && running > cap) problems.push(`debit ${e.sk} (${e.reference}) took ${user}'s spending this period to ${running}, above the cap ${cap} in force at that commit`);
          }
        }
        if (e.type === 'refund' && debited.has(e.reference)) running -= e.amount;
      }
      const counter = team?.spent?.[user];
      const stored = counter && counter.periodStart === periodStart ? counter.credits : 0;
      if (stored !== running) problems.push(`${user}'s spending counter is ${stored} (${JSON.stringify(counter ?? null)}), their debits minus refunds this period since they joined (version ${since}) sum to ${running}`);
    }
    return problems;
  }

  /** At a settle point: the model's spending equals the stored counters, GET /v1/team equals the model, usage equals the ledger (invariant 3). */
  async checkSettled(entries: readonly TeamLedgerEntry[]): Promise<string[]> {
    const problems: string[] = [];
    const w = this.w;
    const m = this.model;
    const p = (message: string) => problems.push(`${TEAM_WALLET} (team): ${message}`);

    const read = await w.call('check-team', 'GET', '/v1/team', { as: TEAM_WALLET });
    if (read.status !== 200) p(`GET /v1/team answered ${read.status} ${JSON.stringify(read.body)}`);
    else {
      const body = read.body as { seats: { limit: number; used: number }; members: Array<{ userId: string; role: string; monthlyCapCredits: number | null; spentThisPeriodCredits: number }>; invites: Array<{ id: string }> };
      const now = w.now();
      type Row = { userId: string; role: string; monthlyCapCredits: number | null; spentThisPeriodCredits: number };
      const want: Row[] = [
        { userId: TEAM_WALLET, role: 'owner', monthlyCapCredits: null, spentThisPeriodCredits: m.spent(TEAM_WALLET).hi },
        ...[...m.members].map(([userId, mm]) => ({ userId, role: mm.role, monthlyCapCredits: mm.cap, spentThisPeriodCredits: m.spent(userId).hi })),
      ];
      const shown = body.members.map((r) => ({ userId: r.userId, role: r.role, monthlyCapCredits: r.monthlyCapCredits, spentThisPeriodCredits: r.spentThisPeriodCredits }));
      const sortRows = (rows: readonly Row[]) => JSON.stringify([...rows].sort((a, b) => (a.userId < b.userId ? -1 : 1)));
      if (sortRows(shown) !== sortRows(want)) p(`GET /v1/team shows ${sortRows(shown)}, the model ${sortRows(want)}`);
      if (body.seats.limit !== SEATS || body.seats.used !== m.seatsUsed(now)) p(`GET /v1/team shows seats ${JSON.stringify(body.seats)}, the model ${m.seatsUsed(now)} of ${SEATS}`);
      const invites = body.invites.map((i) => i.id).sort();
      const live = m.live(now).map((i) => i.id).sort();
      if (JSON.stringify(invites) !== JSON.stringify(live)) p(`GET /v1/team shows invites ${JSON.stringify(invites)}, the model ${JSON.stringify(live)}`);
    }

    // 3. Usage = ledger, per user and model.
    const want = new Map<string, { generations: number; credits: number; refundedCredits: number }>();
    const row = (user: string, modelId: string) => {
      const key = `${user}\n${modelId}`;
      const r = want.get(key) ?? { generations: 0, credits: 0, refundedCredits: 0 };
      want.set(key, r);
      return r;
    };
    const debitRefs = new Set<string>();
    for (const e of entries) {
      if (e.type !== 'debit' && e.type !== 'refund') continue;
      const job = w.model.jobsById.get(e.reference);
      if (!job) continue; // the generic checks report it
      const r = row(e.userId ?? '?', (JSON.parse(job.body) as { model: string }).model);
      if (e.type === 'debit') {
        r.credits -= e.amount;
        if (!debitRefs.has(e.reference)) r.generations += 1;
        debitRefs.add(e.reference);
      } else r.refundedCredits += e.amount;
    }
    const got = new Map<string, { generations: number; credits: number; refundedCredits: number }>();
    const totals = { generations: 0, credits: 0, refundedCredits: 0 };
    const stored = await w.store.loadAccount(TEAM_WALLET);
    const first = new Date(`${(stored?.createdAt ?? w.startAt.toISOString()).slice(0, 10)}T00:00:00.000Z`);
    const last = w.now().toISOString().slice(0, 10);
    for (let from = first; from.toISOString().slice(0, 10) <= last; from = new Date(from.getTime() + MAX_USAGE_DAYS * 86_400_000)) {
      const toDate = new Date(Math.min(from.getTime() + (MAX_USAGE_DAYS - 1) * 86_400_000, Date.parse(`${last}T00:00:00.000Z`)));
      const range = `from=${from.toISOString().slice(0, 10)}&to=${toDate.toISOString().slice(0, 10)}`;
      const usage = await w.call('check-usage', 'GET', `/v1/usage?${range}&groupBy=member,model`, { as: TEAM_WALLET });
      if (usage.status !== 200) {
        p(`GET /v1/usage?${range} answered ${usage.status} ${JSON.stringify(usage.body)}`);
        return problems;
      }
      const body = usage.body as { rows: Array<{ userId: string; model: string; generations: number; credits: number; refundedCredits: number }>; totals: typeof totals };
      const sums = { generations: 0, credits: 0, refundedCredits: 0 };
      for (const r of body.rows) {
        const key = `${r.userId}\n${r.model}`;
        const g = got.get(key) ?? { generations: 0, credits: 0, refundedCredits: 0 };
        for (const field of ['generations', 'credits', 'refundedCredits'] as const) {
          g[field] += r[field];
          sums[field] += r[field];
          totals[field] += r[field];
        }
        got.set(key, g);
      }
      if (JSON.stringify(sums) !== JSON.stringify(body.totals)) p(`GET /v1/usage?${range}: totals ${JSON.stringify(body.totals)}, its rows sum to ${JSON.stringify(sums)}`);
    }
    for (const key of new Set([...want.keys(), ...got.keys()])) {
      const a = JSON.stringify(got.get(key) ?? { generations: 0, credits: 0, refundedCredits: 0 });
      const b = JSON.stringify(want.get(key) ?? { generations: 0, credits: 0, refundedCredits: 0 });
      if (a !== b) p(`usage of ${key.replace('\n', ' on ')} is ${a}, the ledger says ${b}`);
    }
    w.stats.team.usageRows = got.size;
    if (this.unobserved.size > 0) w.stats.team.unobservedDebits = this.unobserved.size;
    // The model's jobs on the wallet are the ledger's, by user.
    for (const job of w.model.jobs) {
      if (job.accountId !== TEAM_WALLET) continue;
      const user = m.userOfJob(job.id);
      const entry = entries.find((e) => e.type === 'debit' && e.reference === job.id);
      if (entry && entry.userId !== user) p(`job ${job.id} (g${job.tag}) was debited as ${entry.userId}, the model accepted it for ${user}`);
    }
    return problems;
  }
}
