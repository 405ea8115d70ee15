/**
 * Videos and cancels (issue 14). Video generations go through the generic generate action (a video
 * model's job is submitted, then polled by delayed messages; providers.ts decides how its operation
 * goes); the actions here add what only running jobs have:
 * - `never`: a video whose operation never finishes (or, `finishing`, completes just as a cancel asks
 *   the provider to stop it: 409 generation_finished, then the job must succeed), then ended by a cancel (by its owner, or on the
 *   team wallet by the member who asked, an admin or the owner; sometimes refused first to a member
 *   who did not ask: 403 forbidden, or a user who is not a member: 403 not_a_member), or by moving the
 *   clock past its deadline (the next poll fails it: timeout, refunded), or left to a later action
 *   (the drain passes its deadline: world.ts);
 * - `cancel`: a cancel of any job the model knows, queued, running or finished, right after its 202
 *   or later; the answer must be 200 cancelled with its refund (a job not finished), 409
 *   generation_finished (a finished job, or a video whose provider had completed it: then it must end
 *   succeeded), 409 write_conflict (it kept changing), or 403 for a caller who may not;
 * - `poll-messages`: a running video's current poll message sent twice through the queue (the same
 *   delayed message delivered twice), and stale or early poll messages delivered straight to the
 *   worker: all but one are dropped (stale), the job is finished once and billed once.
 * What a cancel answered is kept on the model's job (`cancel`) and checked when it settles
 * (invariants.ts, checkJobOutcomes); a 200 is also checked at once: the job is cancelled, refunded
 * exactly its charges, in one commit.
 */
import type { Action, GenerationRequest } from './actions';
import { ACCOUNTS } from './actions';
import type { Invariants } from './invariants';
import type { ModelJob } from './model';
import { VIDEO_MODELS } from './providers';
import type { Behaviour } from './providers';
import { TEAM_USERS, TEAM_WALLET } from './team';
import type { TeamActions } from './team';
import type { World } from './world';

/** What the video actions need of the generic actions. */
export interface VideoHost {
  generate(accountId: string, requests: readonly GenerationRequest[], options?: { as?: string }): Promise<void>;
  request(modelId: string, count: number, behaviour: Behaviour, polls: number): GenerationRequest;
}

type Caller = { readonly user: string; readonly why: 'owner' | 'asker' | 'admin' | 'other-member' | 'not-a-member' | 'stranger' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class VideoActions {
  constructor(
    private readonly w: World,
    private readonly host: VideoHost,
    private readonly team: TeamActions,
    private readonly invariants: Invariants,
  ) {}

  private count(what: string): void {
    const stats = this.w.stats.videos;
    stats[what] = (stats[what] ?? 0) + 1;
  }

  choose(): Action {
    const { rng } = this.w;
    const jobs = this.w.model.jobs;
    const kind = rng.weighted([
      ['never', 35],
      ['cancel', jobs.length > 0 ? 40 : 0],
      ['poll-messages', 25],
    ] as const);
    switch (kind) {
      case 'never':
        return this.chooseNever();
      case 'cancel':
        return this.chooseCancel();
      case 'poll-messages':
        return this.choosePollMessages();
    }
  }

  /** Who cancels a job of `accountId` asked for by `asker`: mostly who may; sometimes, on the team wallet, who may not. */
  private drawCaller(accountId: string, asker: string): Caller {
    const { rng } = this.w;
    if (rng.chance(0.05)) return { user: rng.pick(ACCOUNTS.filter((a) => a.id !== accountId)).id, why: 'stranger' };
    if (accountId !== TEAM_WALLET) return { user: accountId, why: 'owner' };
    const users = [...TEAM_USERS];
    const others = users.filter((u) => u !== asker);
    const kind = rng.weighted([
      ['asker', 45],
      ['owner', 20],
      ['other', 35],
    ] as const);
    if (kind === 'asker') return { user: asker, why: asker === TEAM_WALLET ? 'owner' : 'asker' };
    if (kind === 'owner') return { user: TEAM_WALLET, why: 'owner' };
    // Decided when it runs (membership and roles change): an admin, a plain member, or someone not in the team.
    return { user: rng.pick(others), why: 'other-member' };
  }

  /** What the caller is to the job's wallet now, from the team model. */
  private classify(accountId: string, asker: string, caller: Caller): Caller['why'] {
    if (caller.why === 'stranger' || caller.why === 'owner' || accountId !== TEAM_WALLET) return caller.why;
    if (caller.user === TEAM_WALLET) return 'owner';
    const member = this.team.model.members.get(caller.user);
    if (!member) return 'not-a-member';
    if (caller.user === asker) return 'asker';
    return member.role === 'admin' ? 'admin' : 'other-member';
  }

  private chooseNever(): Action {
    const { rng } = this.w;
    const onWallet = rng.chance(0.35);
    const accountId = onWallet ? TEAM_WALLET : rng.weighted(ACCOUNTS.filter((a) => a.plan !== 'FREE').map((a) => [a.id, a.weight] as const));
    const members = [...this.team.model.members.keys()];
    const asker = onWallet && members.length > 0 && rng.chance(0.7) ? rng.pick(members) : accountId;
    const modelId = rng.pick(VIDEO_MODELS);
    const ending = rng.weighted([
      ['cancel-running', 45],
      ['cancel-at-once', 20],
      ['deadline', 20],
      ['left', 15],
    ] as const);
    const refusedFirst = onWallet && rng.chance(0.4) ? rng.pick(TEAM_USERS.filter((u) => u !== asker)) : null;
    const caller = this.drawCaller(accountId, asker);
    // `finishing`: completes just as a cancel asks the provider to stop it (409 generation_finished, then succeeded).
    const behaviour = rng.chance(0.3) ? 'finishing' : 'never';
    const request = this.host.request(modelId, 1, behaviour, 1);
    return {
      name: 'video-never',
      detail: `${accountId}${asker === accountId ? '' : ` as ${asker}`} ${request.detail}, then ${ending}${ending.startsWith('cancel') ? ` by ${caller.user}${refusedFirst ? ` (first ${refusedFirst})` : ''}` : ''}`,
      run: async () => {
        await this.host.generate(accountId, [request], asker === accountId ? {} : { as: asker });
        const job = this.w.model.jobs.find((j) => j.tag === request.tag);
        if (!job) {
          this.count('never: not accepted');
          return;
        }
        this.count(`never: ${ending}`);
        if (ending === 'left') return;
        if (ending === 'deadline') return this.passDeadline(job);
        if (ending === 'cancel-running') await this.waitFor(job, (s) => s.operation?.id !== undefined && s.operation.id !== null, 3000);
        if (refusedFirst) await this.cancel(job, asker, { user: refusedFirst, why: 'other-member' });
        await this.cancel(job, asker, caller);
      },
    };
  }

  /** Moves the clock past the job's deadline and waits for its next poll to fail it (timeout, refunded). */
  private async passDeadline(job: ModelJob): Promise<void> {
    const w = this.w;
    const running = await this.waitFor(job, (s) => s.operation?.id !== undefined && s.operation.id !== null, 3000);
    const deadline = running?.operation ? Date.parse(running.operation.deadlineAt) : null;
    if (deadline === null) {
      w.note('  no operation recorded yet: left to the drain');
      return;
    }
    const now = await w.jumpClock((deadline - w.now().getTime()) / 1000 + 1);
    w.stats.clockJumps += 1;
    const ended = await this.waitFor(job, (s) => s.status !== 'queued' && s.status !== 'running', 5000);
    w.note(`  clock → ${now.toISOString()}: g${job.tag} ${ended ? `${ended.status} (${ended.error?.code ?? '-'})` : 'not finished yet (its poll message may be lost: the drain ends it)'}`);
    if (ended && ended.status === 'succeeded' && job.behaviour === 'never') w.problem(`g${job.tag}: an operation that never finishes ended succeeded`);
  }

  private chooseCancel(): Action {
    const { rng } = this.w;
    const jobs = this.w.model.jobs;
    const pending = jobs.filter((j) => j.status === 'pending');
    const job = pending.length > 0 && rng.chance(0.75) ? rng.pick(pending) : rng.pick(jobs);
    const asker = job.accountId === TEAM_WALLET ? (this.team.model.userOfJob(job.id) ?? TEAM_WALLET) : job.accountId;
    const caller = this.drawCaller(job.accountId, asker);
    const twice = rng.chance(0.15);
    return {
      name: 'cancel',
      detail: `g${job.tag} (${job.modelId} ${job.behaviour}, model: ${job.status}) by ${caller.user}${twice ? ' twice at once' : ''}`,
      run: async () => {
        if (twice) await Promise.all([this.cancel(job, asker, caller), this.cancel(job, asker, caller, ':twin')]);
        else await this.cancel(job, asker, caller);
      },
    };
  }

  /**
   * POST /v1/generations/{id}/cancel as `caller`, retried on 5xx; checks the answer against what the
   * model knows of the caller and the job, and what the store shows right after.
   */
  async cancel(job: ModelJob, asker: string, drawn: Caller, what = ''): Promise<void> {
    const w = this.w;
    const why = this.classify(job.accountId, asker, drawn);
    const user = drawn.user;
    const onWallet = user !== job.accountId && why !== 'stranger';
    const where = `cancel of g${job.tag} (${job.accountId}, ${job.modelId} ${job.behaviour}, asked by ${asker}) by ${user} (${why})`;
    const result = await w.callUntilAnswered(`cancel:g${job.tag}${what}`, 'POST', `/v1/generations/${job.id}/cancel`, { as: user, ...(onWallet ? { wallet: job.accountId } : {}) });
    const answer = result.last;
    const code = answer.body?.error?.code as string | undefined;
    w.note(`  ${where}: ${result.all.map((a) => `${a.status}${a.body?.error?.code ? ` ${a.body.error.code}` : ''}${a.faults.length ? `[${a.faults.join(',')}]` : ''}`).join('→')}`);
    const lostCommit = result.all.some((a) => a.faults.includes('lost_response'));
    this.count(`cancel ${why}: ${answer.status}${code ? ` ${code}` : ''}`);
    if (why === 'stranger') {
      if (answer.status !== 404 && answer.status !== 403) w.problem(`${where}: answered ${answer.status} ${JSON.stringify(answer.body)}, want 404 (not their wallet's job) or 403`);
      return;
    }
    if (why === 'not-a-member') {
      if (!(answer.status === 403 && code === 'not_a_member')) w.problem(`${where}: answered ${answer.status} ${JSON.stringify(answer.body)}, want 403 not_a_member`);
      return;
    }
    if (why === 'other-member') {
      if (!(answer.status === 403 && code === 'forbidden')) w.problem(`${where}: answered ${answer.status} ${JSON.stringify(answer.body)}, want 403 forbidden (a plain member may cancel only what they asked for)`);
      return;
    }
    // The owner, an admin, or who asked: the job's state decides.
    job.cancelAsked = true;
    const stored = await w.store.getGeneration(job.accountId, job.id);
    if (!stored) {
      w.problem(`${where}: the job is not stored`);
      return;
    }
    if (answer.status === 200) {
      if (answer.body?.status !== 'cancelled' || answer.body?.id !== job.id || (answer.body?.outputs ?? []).length > 0) w.problem(`${where}: 200 ${JSON.stringify(answer.body)}, want the job cancelled without outputs`);
      if (job.status !== 'pending') w.problem(`${where}: 200, but the model had seen it end ${job.status}`);
      await this.checkCancelled(where, job, stored);
      job.cancel = 'cancelled';
      return;
    }
    if (answer.status === 409 && code === 'generation_finished') {
      const finished = stored.status === 'succeeded' || stored.status === 'failed' || stored.status === 'cancelled';
      const completed = stored.operation?.id ? w.providers.completedOperation(stored.operation.id) : false;
      if (finished) {
        // A retry after a lost answer finds its own cancel done.
        if (stored.status === 'cancelled' && lostCommit) {
          await this.checkCancelled(where, job, stored);
          job.cancel = 'cancelled';
        }
        const said = answer.body?.error?.details?.status;
        if (said !== stored.status && !(said === 'succeeded' && completed)) w.problem(`${where}: 409 says ${String(said)}, the job is ${stored.status}`);
        this.count(`409 finished: ${stored.status}${stored.error ? ` (${stored.error.code})` : ''}`);
        return;
      }
      if (!completed) w.problem(`${where}: 409 generation_finished while the job is ${stored.status} and its provider has not completed it (operation ${stored.operation?.id ?? 'none'})`);
      else job.cancel ??= 'completed';
      this.count('409 provider completed');
      return;
    }
    if (answer.status === 409 && code === 'write_conflict') return;
    if (answer.status === 404 || answer.status === 403 || answer.status < 500 || answer.faults.length === 0) w.problem(`${where}: answered ${answer.status} ${JSON.stringify(answer.body)}`);
  }

  /** After a cancel answered 200: the job is cancelled, records its refund, no outputs, and the ledger holds its refund once. */
  private async checkCancelled(where: string, job: ModelJob, stored: NonNullable<Awaited<ReturnType<World['store']['getGeneration']>>>): Promise<void> {
    const w = this.w;
    if (stored.status !== 'cancelled' || stored.refund?.credits !== job.credits || (stored.outputs ?? []).length > 0 || stored.error?.code !== 'cancelled') {
      w.problem(`${where}: the stored job is ${stored.status} refund ${JSON.stringify(stored.refund)} outputs ${JSON.stringify(stored.outputs ?? [])} error ${JSON.stringify(stored.error)}, want cancelled and refunded ${job.credits} without outputs`);
    }
    const { entries } = await this.invariants.snapshot(job.accountId);
    const refunds = entries.filter((e) => e.type === 'refund' && e.reference === job.id);
    const sum = refunds.reduce((total, e) => total + e.amount, 0);
    if (sum !== job.credits || new Set(refunds.map((e) => e.sk.split('#')[1])).size !== 1) w.problem(`${where}: the ledger refunds ${sum} in ${JSON.stringify(refunds.map((e) => e.sk))}, want ${job.credits} in one commit`);
  }

  private choosePollMessages(): Action {
    const { rng } = this.w;
    const videos = this.w.model.jobs.filter((j) => (VIDEO_MODELS as readonly string[]).includes(j.modelId));
    const pendingVideos = videos.filter((j) => j.status === 'pending');
    if (videos.length === 0 || rng.chance(0.4)) {
      // A fresh video with several polls to receive the duplicates.
      const accountId = rng.weighted(ACCOUNTS.filter((a) => a.plan !== 'FREE').map((a) => [a.id, a.weight] as const));
      const request = this.host.request(rng.pick(VIDEO_MODELS), 1, rng.pick(['normal', 'flaky', 'never', 'refuse'] as const), rng.int(3, 6));
      const plan = this.drawPollMessages();
      return {
        name: 'poll-messages',
        detail: `${accountId} ${request.detail}, then ${plan.describe}`,
        run: async () => {
          await this.host.generate(accountId, [request]);
          const job = this.w.model.jobs.find((j) => j.tag === request.tag);
          if (job) await this.sendPollMessages(job, plan);
        },
      };
    }
    const job = pendingVideos.length > 0 && rng.chance(0.8) ? rng.pick(pendingVideos) : rng.pick(videos);
    const plan = this.drawPollMessages();
    return { name: 'poll-messages', detail: `g${job.tag} (${job.modelId} ${job.behaviour}, model: ${job.status}): ${plan.describe}`, run: () => this.sendPollMessages(job, plan) };
  }

  private drawPollMessages(): { copies: number; stale: boolean; early: boolean; direct: boolean; describe: string } {
    const { rng } = this.w;
    const copies = rng.int(2, 3);
    const stale = rng.chance(0.5);
    const early = rng.chance(0.3);
    const direct = rng.chance(0.5);
    return { copies, stale, early, direct, describe: `the current poll ×${copies} ${direct ? 'to the worker directly' : 'through the queue'}${stale ? ', a stale one' : ''}${early ? ', an early one' : ''}` };
  }

  /** Sends the job's current poll message `copies` times, and a stale (poll − 1) and an early (poll + 1) one. */
  private async sendPollMessages(job: ModelJob, plan: { copies: number; stale: boolean; early: boolean; direct: boolean }): Promise<void> {
    const w = this.w;
    const stored = await this.waitFor(job, (s) => (s.operation?.id ?? null) !== null || (s.status !== 'queued' && s.status !== 'running'), 3000);
    const polls = stored?.operation?.polls;
    if (polls === undefined) {
      w.note(`  g${job.tag}: no operation recorded (${stored?.status ?? 'missing'}): a message without a poll count instead`);
    }
    this.count(`poll messages: ${polls === undefined ? 'no operation' : stored!.status}`);
    const deliveries: Array<[string, number | undefined]> = [['current', polls]];
    if (plan.stale && polls !== undefined && polls > 0) deliveries.push(['stale', polls - 1]);
    if (plan.early && polls !== undefined) deliveries.push(['early', polls + 1]);
    for (const [what, poll] of deliveries) {
      const copies = what === 'current' ? plan.copies : 1;
      if (plan.direct || what !== 'current') {
        const { failures, faults } = await w.deliverDirectly('worker', job.accountId, job.id, copies, job.tag, poll);
        w.note(`  ${what} poll ${poll ?? '-'} ×${copies} to the worker: ${failures} failed${faults.length ? ` [${faults.join(',')}]` : ''}`);
        if (failures > 0 && faults.length === 0) w.problem(`a ${what} poll message of g${job.tag} failed with no injected fault or crash`);
      } else {
        await w.sendJobMessage(job.accountId, job.id, poll, copies, w.rng.int(0, 1));
        w.note(`  ${what} poll ${poll ?? '-'} ×${copies} sent through the queue`);
      }
    }
  }

  /** Reads the job (without faults) until `done` holds or `timeoutMs` passes; the last read. */
  private async waitFor(job: ModelJob, done: (stored: NonNullable<Awaited<ReturnType<World['store']['getGeneration']>>>) => boolean, timeoutMs: number) {
    const until = performance.now() + timeoutMs;
    for (;;) {
      const stored = await this.w.store.getGeneration(job.accountId, job.id);
      if (!stored || done(stored) || performance.now() > until) return stored;
      await sleep(20);
    }
  }
}
