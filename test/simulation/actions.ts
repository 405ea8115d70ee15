/**
 * The simulation's actions. `choose` draws every decision of a step from the action stream
 * up front (so the log shows what was decided before anything ran); `run` performs it through the
 * real API, checks each answer against the model, and feeds the confirmed outcome into the model.
 */
import { setPlan } from '../support/fixtures';
import type { ModelJob, ModelPayment, PaymentReversal, SimPlan } from './model';
import { PLAN_SPEC, periodAt, takenBack } from './model';
import type { Invariants } from './invariants';
import { chargesKey } from './invariants';
import { checkoutCompleted, paymentSucceeded, sign, stripeEvent } from '../support/stripe-events';
import type { World } from './world';
import { SUBSCRIBERS, SubscriptionActions } from './subscriptions';
import { PaygActions } from './payg';
import { TEAM_WALLET, TeamActions } from './team';
import type { Behaviour } from './providers';
import { RUNS_UNTIL_STOPPED, VIDEO_MODELS, drawBehaviour, mustFail, promptOf } from './providers';
import { MODELS } from '../../lambdas/domain/catalog';
import { VideoActions } from './videos';

export interface Action {
  readonly name: string;
  /** The decisions, for the log. */
  readonly detail: string;
  run(): Promise<void>;
}

export const ACCOUNTS: ReadonlyArray<{ id: string; plan: SimPlan; weight: number }> = [
  { id: 'sim-free', plan: 'FREE', weight: 1 },
  { id: 'sim-pro', plan: 'PRO', weight: 2 },
  { id: 'sim-team-a', plan: 'TEAM', weight: 3 },
  { id: 'sim-team-b', plan: 'TEAM', weight: 3 },
  // Subscribers: opened FREE, moved between plans only through the API (subscriptions.ts).
  { id: SUBSCRIBERS[0], plan: 'FREE', weight: 2 },
  { id: SUBSCRIBERS[1], plan: 'FREE', weight: 2 },
];

const MODEL_IDS = ['nano-banana-2', 'nano-banana-pro', 'gpt-image-2', 'seedance-2.0', 'veo-3.1'] as const;
/** README: the most outputs any plan allows per request (TEAM). */
const MAX_COUNT_ANY_PLAN = 16;
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export interface GenerationRequest {
  readonly tag: number;
  readonly key: string;
  readonly body: { model: string; count: number; params: Record<string, unknown> };
  readonly expectation: ModelJob['expectation'];
  readonly behaviour: Behaviour;
  readonly replay: 'none' | 'same-again' | 'concurrent' | 'other-body';
  readonly detail: string;
}

/** Ordinals that name things across runs of a seed (ids are random). */
interface Counters {
  generation: number;
  topup: number;
  payment: number;
  reversal: number;
}

export class Actions {
  private readonly counters: Counters = { generation: 0, topup: 0, payment: 0, reversal: 0 };
  private readonly subscriptions: SubscriptionActions;
  private readonly payg: PaygActions;
  private readonly team: TeamActions;
  private readonly videos: VideoActions;

  constructor(
    private readonly w: World,
    private readonly invariants: Invariants,
  ) {
    this.subscriptions = new SubscriptionActions(w, invariants);
    this.payg = new PaygActions(w, this);
    this.team = new TeamActions(w, this);
    this.videos = new VideoActions(w, this, this.team, invariants);
    invariants.teamCheck = (account, entries) => this.team.checkSnapshot(account, entries);
  }

  private get model() {
    return this.w.model;
  }

  private pickAccount(): string {
    return this.w.rng.weighted(ACCOUNTS.map((a) => [a.id, a.weight] as const));
  }

  /** Opens the accounts, moves them to their plans and gives each a starting coupon, without faults. */
  async setup(): Promise<void> {
    for (const { id, plan } of ACCOUNTS) {
      const opened = await this.w.call(`open:${id}`, 'GET', '/v1/balance', { as: id });
      if (opened.status !== 200) throw new Error(`could not open ${id}: ${JSON.stringify(opened.body)}`);
      const stored = await this.w.store.loadAccount(id);
      this.model.openAccount(id, new Date(stored!.periodAnchor));
      if ((SUBSCRIBERS as readonly string[]).includes(id)) this.subscriptions.setup(id);
      if (plan !== 'FREE') {
        await setPlan(this.w.t, id, plan);
        this.model.account(id).plan = plan;
      }
      await this.issueCoupon(this.w.rng.int(200, 1500), 1, null);
      await this.redeem(id, this.model.coupons[this.model.coupons.length - 1]!.code, 'once');
    }
    await this.payg.setup();
    await this.team.setup();
  }

  /** Issues a one-use coupon and redeems it for `accountId` (PAYG uses it to bring credits in). */
  async issueAndRedeem(accountId: string, credits: number): Promise<void> {
    await this.issueCoupon(credits, 1, null);
    await this.redeem(accountId, this.model.coupons[this.model.coupons.length - 1]!.code, 'once');
  }

  choose(): Action {
    const kind = this.w.rng.weighted([
      ['generate', 26],
      ['burst', 4],
      ['duplicate-delivery', 7],
      ['stripe-events', 8],
      ['issue-coupon', 4],
      ['redeem', 10],
      ['topup', 7],
      ['reverse', 5],
      ['debt', 4],
      ['clock', 6],
      ['subscription', 9],
      ['payg', 3],
      ['scheduled-job', 10],
      ['settle', 3],
      ['read', 5],
      ['team', 18],
      ['video', 20],
    ] as const);
    switch (kind) {
      case 'generate':
        return this.chooseGenerate();
      case 'burst':
        return this.chooseBurst();
      case 'duplicate-delivery':
        return this.chooseDuplicateDelivery();
      case 'stripe-events':
        return this.chooseStripeEvents();
      case 'issue-coupon': {
        const credits = this.w.rng.int(20, 400);
        const max = this.w.rng.weighted([[1, 4], [2, 3], [4, 3]] as const);
        const redeemBy = this.w.rng.chance(0.3) ? this.w.rng.int(3600, 40 * 86400) : null;
        return { name: 'issue-coupon', detail: `${credits} credits, max ${max}, redeemBy ${redeemBy === null ? 'none' : `+${redeemBy}s`}`, run: async () => void (await this.issueCoupon(credits, max, redeemBy)) };
      }
      case 'redeem':
        return this.chooseRedeem();
      case 'topup':
        return this.chooseTopup();
      case 'reverse':
        return this.chooseReversal();
      case 'debt':
        return this.chooseDebt();
      case 'clock':
        return this.chooseClockJump();
      case 'subscription':
        return this.subscriptions.choose();
      case 'payg':
        return this.payg.choose();
      case 'scheduled-job':
        return this.chooseScheduledJob();
      case 'settle':
        return { name: 'settle', detail: 'drain and check against the model', run: () => this.settleAndCheck() };
      case 'read':
        return this.chooseRead();
      case 'team':
        return this.team.choose();
      case 'video':
        return this.videos.choose();
    }
  }

  // --- generations -----------------------------------------------------------------------------

  /** Draws one generation request for `accountId`: model, count, how the provider behaves (providers.ts), how the client retries. */
  drawGeneration(accountId: string, allowReplay: boolean): GenerationRequest {
    const { rng } = this.w;
    const plan = PLAN_SPEC[this.model.account(accountId).plan];
    const modelId = rng.pick(MODEL_IDS);
    const tooMany = rng.chance(0.03);
    const video = (VIDEO_MODELS as readonly string[]).includes(modelId);
    // A video model makes one video per request: now and then more are asked for (400).
    const count = tooMany ? plan.maxCountPerRequest + 1 : video && !rng.chance(0.08) ? 1 : rng.int(1, Math.min(4, plan.maxCountPerRequest));
    // A video that never finishes polls until its deadline or a cancel: at most one at a time, outside the videos' own actions.
    const neverWeight = this.model.jobs.some((j) => j.status === 'pending' && RUNS_UNTIL_STOPPED.includes(j.behaviour)) ? 0 : 2;
    const behaviour = drawBehaviour(rng, video, neverWeight);
    const polls = rng.int(1, 4);
    const replay = allowReplay
      ? rng.weighted([
          ['none', 60],
          ['same-again', 15],
          ['concurrent', 15],
          ['other-body', 10],
        ] as const)
      : 'none';
    return this.request(modelId, count, behaviour, polls, replay);
  }

  /** A generation request with a new tag: its prompt carries the tag and the provider's behaviour. */
  request(modelId: string, count: number, behaviour: Behaviour, polls: number, replay: GenerationRequest['replay'] = 'none', params: Record<string, unknown> = {}): GenerationRequest {
    const tag = (this.counters.generation += 1);
    const keyed = this.w.providers.keyed.has(modelId);
    return {
      tag,
      key: `sim${this.w.seed}-g${tag}`,
      body: { model: modelId, count, params: { ...params, prompt: promptOf({ tag, behaviour, polls }) } },
      expectation: mustFail(modelId, behaviour, keyed) ? 'must_fail' : 'either',
      behaviour,
      replay,
      detail: `g${tag} ${modelId}×${count} ${behaviour}${(VIDEO_MODELS as readonly string[]).includes(modelId) ? ` p${polls}` : ''}${keyed ? ' keyed' : ''}${replay === 'none' ? '' : ` replay=${replay}`}`,
    };
  }

  private chooseGenerate(): Action {
    const accountId = this.pickAccount();
    const request = this.drawGeneration(accountId, true);
    return { name: 'generate', detail: `${accountId} ${request.detail}`, run: () => this.generate(accountId, [request]) };
  }

  /** Several generations on one account at once, each with its own key: writers racing on one account. */
  private chooseBurst(): Action {
    const accountId = this.w.rng.weighted(ACCOUNTS.filter((a) => a.plan !== 'FREE').map((a) => [a.id, a.weight] as const));
    const requests = Array.from({ length: this.w.rng.int(3, 6) }, () => this.drawGeneration(accountId, false));
    return { name: 'burst', detail: `${accountId} ${requests.map((r) => r.detail).join(', ')}`, run: () => this.generate(accountId, requests) };
  }

  /**
   * Sends the requests concurrently (each retried on 5xx with its key) and checks every answer
   * against the model: with siblings, the bounds allow for what the accepted siblings took.
   * `as`: a member of the team wallet spends from it (team.ts: membership and cap predicted too);
   * `removalRace`: their removal runs meanwhile, so each may also be refused not_a_member.
   */
  async generate(accountId: string, requests: readonly GenerationRequest[], options: { as?: string; removalRace?: boolean } = {}): Promise<void> {
    const w = this.w;
    const now = w.now();
    const user = options.as ?? accountId;
    const onWallet = accountId === TEAM_WALLET;
    const spender = onWallet ? this.team.model.view(user) : { member: user === accountId, cap: null, spent: { lo: 0, hi: 0 } };
    const plan = PLAN_SPEC[this.model.account(accountId).plan];
    const bounds = this.model.availableBounds(accountId, now);
    // PAYG headroom (only the PAYG account has any) is drawn on once the credits run out.
    const headroom = this.model.paygHeadroomBounds(accountId);
    const alone = requests.length === 1;
    const exact = this.model.isExact(accountId);
    const pending = this.model.pendingJobs(accountId).length;
    const send = (request: GenerationRequest, what: string, body: unknown) =>
      w.callUntilAnswered(`generate:g${request.tag}${what}`, 'POST', '/v1/generations', { as: user, ...(user === accountId ? {} : { wallet: accountId }), body, headers: { 'idempotency-key': request.key } });

    const results = await Promise.all(
      requests.map(async (request) => (request.replay === 'concurrent' ? Promise.all([send(request, '', request.body), send(request, ':twin', request.body)]) : Promise.all([send(request, '', request.body)]))),
    );
    const costs = requests.map((r) => this.model.quote(r.body.model, r.body.count));
    const acceptedCosts = results.map((rounds, i) => (rounds.some((r) => r.last.status === 202) ? costs[i]! : 0));
    const siblingsAccepted = (i: number) => acceptedCosts.filter((_, j) => j !== i && acceptedCosts[j]! > 0).length;
    const siblingsTook = (i: number) => acceptedCosts.reduce((sum, c, j) => (j === i ? sum : sum + c), 0);

    for (const [i, request] of requests.entries()) {
      const rounds = results[i]!;
      const cost = costs[i]!;
      const { body, tag } = request;
      const predicted = exact && alone ? this.model.predictAllocation(accountId, cost, now) : undefined;
      const lo = Math.max(0, bounds.lo - siblingsTook(i));
      const active = pending + siblingsAccepted(i);
      const where = `g${tag} (${accountId}${user === accountId ? '' : ` as ${user}${spender.member ? '' : ' (not a member)'}`}${spender.cap === null ? '' : `, cap ${spender.cap}, spent in [${spender.spent.lo}, ${spender.spent.hi}]`}, ${body.model}×${body.count} = ${cost}, available in [${lo}, ${bounds.hi}]${exact && alone ? ' exactly' : ''}, ${active} maybe active)`;
      // A capped member: certainly over the cap (nothing of theirs pending can be refunded in time to help) / possibly over it (with what siblings took).
      const overCapSurely = spender.cap !== null && spender.spent.lo + cost > spender.cap;
      const overCapMaybe = spender.cap !== null && spender.spent.hi + siblingsTook(i) + cost > spender.cap;
      w.note(`  ${where}: ${rounds.map((r) => r.all.map((a) => `${a.status}${a.faults.length ? `[${a.faults.join(',')}]` : ''}`).join('→')).join(' | ')}`);
      const answers = rounds.map((r) => r.last);
      const accepted = answers.filter((a) => a.status === 202);

      if (accepted.length > 0) {
        const first = accepted[0]!.body as { id: string; status: string; model: string; count: number; credits: number; charges: ModelJob['charges'] };
        for (const other of accepted) if (JSON.stringify(other.body) !== JSON.stringify(first)) w.problem(`${where}: one key answered two different 202s: ${JSON.stringify(first)} and ${JSON.stringify(other.body)}`);
        for (const other of answers) if (other.status !== 202) w.problem(`${where}: one key answered 202 and ${other.status} ${JSON.stringify(other.body)}`);
        if (first.status !== 'queued' || first.model !== body.model || first.count !== body.count || first.credits !== cost) w.problem(`${where}: 202 ${JSON.stringify(first)} does not describe the request (price ${cost})`);
        if (body.count > plan.maxCountPerRequest) w.problem(`${where}: accepted ${body.count} outputs, the plan allows ${plan.maxCountPerRequest}`);
        if (oneVideoOnly(body) && body.count > 1) w.problem(`${where}: accepted ${body.count} videos of ${body.model}, which makes one per request`);
        if (cost + siblingsTook(i) > bounds.hi + headroom.hi) w.problem(`${where}: accepted debits of ${cost + siblingsTook(i)} (with its siblings) with at most ${bounds.hi} available and ${headroom.hi} of PAYG headroom`);
        if (predicted === null) w.problem(`${where}: accepted a debit the exact model says does not fit`);
        if (!spender.member) w.problem(`${where}: accepted a debit by ${user}, who is not a member of ${accountId}`);
        if (overCapSurely) w.problem(`${where}: accepted a debit of ${cost} by ${user}, whose cap is ${spender.cap} with at least ${spender.spent.lo} spent`);
        if (predicted) {
          w.stats.exactAllocations += 1;
          if (chargesKey(predicted) !== chargesKey(first.charges)) w.problem(`${where}: charged ${JSON.stringify(first.charges)}, the drain order gives ${JSON.stringify(predicted)}`);
        }
        const job: ModelJob = { tag, id: first.id, accountId, key: request.key, body: JSON.stringify(body), credits: cost, charges: first.charges, expectation: request.expectation, modelId: body.model, count: body.count, behaviour: request.behaviour, status: 'pending' };
        for (const problem of this.model.acceptJob(job, now)) w.problem(`${where}: ${problem}`);
        if (onWallet) this.team.model.noteJob(job.id, user);
        w.stats.jobs.accepted! += 1;

        if (request.replay === 'same-again') {
          const again = await send(request, ':again', body);
          if (again.last.status !== 202 || JSON.stringify(again.last.body) !== JSON.stringify(first)) w.problem(`${where}: a retry with the same key answered ${again.last.status} ${JSON.stringify(again.last.body)}, not the first 202`);
        }
        if (request.replay === 'other-body') {
          const reused = await send(request, ':other', { ...body, count: body.count === 1 ? 2 : 1 });
          if (reused.last.status !== 422 || reused.last.body?.error?.code !== 'idempotency_key_reused') w.problem(`${where}: the same key with another body answered ${reused.last.status} ${JSON.stringify(reused.last.body)}, not 422`);
        }
        continue;
      }

      for (const answer of answers) {
        const code = answer.body?.error?.code as string | undefined;
        const expect = (condition: boolean, why: string) => {
          if (!condition) w.problem(`${where}: answered ${answer.status} ${JSON.stringify(answer.body)}: ${why}`);
        };
        if (!spender.member) {
          // Not a member: refused whatever else (only the schema's own checks come first).
          const schema = answer.status === 400 && code === 'invalid_request' && body.count > MAX_COUNT_ANY_PLAN;
          if (!schema && !(answer.status >= 500 && answer.faults.length > 0)) expect(answer.status === 403 && code === 'not_a_member', `${user} is not a member of ${accountId}`);
          if (answer.status === 403) w.stats.team['not_a_member refused'] = (w.stats.team['not_a_member refused'] ?? 0) + 1;
          continue;
        }
        if (spender.cap !== null && answer.status === 402 && code === 'insufficient_credits') expect(!overCapSurely, `the cap (${spender.cap}, at least ${spender.spent.lo} spent) refuses ${cost} before the credits are looked at`);
        switch (answer.status) {
          case 403:
            expect(code === 'not_a_member' && options.removalRace === true, `${user} is a member of ${accountId}`);
            w.stats.team['not_a_member in race'] = (w.stats.team['not_a_member in race'] ?? 0) + 1;
            continue;
          case 402:
            if (code !== 'member_cap_reached') break;
            {
              const details = answer.body?.error?.details as { capCredits?: number; spentCredits?: number; requiredCredits?: number } | undefined;
              expect(overCapMaybe && countFits(body, plan), `${cost} more stays within the cap ${spender.cap ?? 'none'} (at most ${spender.spent.hi + siblingsTook(i)} spent)`);
              const spent = details?.spentCredits ?? -1;
              expect(details?.capCredits === spender.cap && details.requiredCredits === cost && spent >= spender.spent.lo && spent <= spender.spent.hi + siblingsTook(i) && spent + cost > (spender.cap ?? 0), `details ${JSON.stringify(details)} must say cap ${spender.cap}, ${cost} required and a spent within [${spender.spent.lo}, ${spender.spent.hi + siblingsTook(i)}] that leaves no room`);
              w.stats.team['member_cap_reached'] = (w.stats.team['member_cap_reached'] ?? 0) + 1;
            }
            continue;
        }
        switch (answer.status) {
          case 400:
            // Above every plan's limit (16) the schema refuses it; a video model makes one video per request; above this plan's limit, the plan refuses it.
            expect(!countFits(body, plan) && code === (body.count > MAX_COUNT_ANY_PLAN || overModelLimit(body) ? 'invalid_request' : 'count_above_plan_limit'), "only a count above the model's or the plan's limit is refused here");
            break;
          case 429:
            expect(code === 'concurrency_limit' && active >= plan.maxConcurrentJobs && countFits(body, plan), `at most ${active} jobs may be active, the limit is ${plan.maxConcurrentJobs}`);
            break;
          case 402: {
            const details = answer.body?.error?.details as { required?: number; available?: number } | undefined;
            expect(code === 'insufficient_credits' && countFits(body, plan), 'unexpected refusal');
            expect(cost > lo + headroom.lo, `a debit of ${cost} fits the ${lo} credits certainly available and ${headroom.lo} of PAYG headroom`);
            expect(details?.required === cost && details.available !== undefined && details.available >= lo && details.available <= bounds.hi && details.available < cost, `details ${JSON.stringify(details)} must say ${cost} required and an available within [${lo}, ${bounds.hi}] below it`);
            break;
          }
          case 409:
            expect(code === 'write_conflict', 'unexpected conflict');
            w.stats.statuses.write_conflict = (w.stats.statuses.write_conflict ?? 0) + 1;
            break;
          default:
            expect(answer.status >= 500 && answer.faults.length > 0, 'unexpected answer');
        }
      }
    }
  }

  private chooseDuplicateDelivery(): Action {
    const { rng } = this.w;
    const jobs = this.model.jobs;
    if (jobs.length === 0) return this.chooseGenerate();
    const pendingJobs = jobs.filter((j) => j.status === 'pending');
    const job = pendingJobs.length > 0 && rng.chance(0.7) ? rng.pick(pendingJobs) : rng.pick(jobs);
    const copies = rng.int(1, 3);
    const toDlq = job.status !== 'pending' && rng.chance(0.3);
    return {
      name: 'duplicate-delivery',
      detail: `g${job.tag} ×${copies} to the ${toDlq ? 'DLQ consumer' : 'worker'} (model: ${job.status})`,
      run: async () => {
        const { failures, faults } = await this.w.deliverDirectly(toDlq ? 'dlq' : 'worker', job.accountId, job.id, copies, job.tag);
        this.w.note(`  → ${failures} failed${faults.length ? ` [${faults.join(',')}]` : ''}`);
        if (failures > 0 && faults.length === 0) this.w.problem(`a duplicate delivery of g${job.tag} failed with no injected fault or crash`);
      },
    };
  }

  // --- payments ----------------------------------------------------------------------------------

  private chooseStripeEvents(): Action {
    const { rng } = this.w;
    const accountId = this.pickAccount();
    const credits = rng.int(50, 1500);
    const n = (this.counters.payment += 1);
    const paymentId = `pi_simseed${this.w.seed}_w${n}`;
    const mismatched = rng.chance(0.06);
    const kinds = rng.weighted([
      [['pi'], 4],
      [['cs'], 2],
      [['pi', 'cs'], 4],
    ] as const);
    const deliveries = rng.shuffle(kinds.flatMap((k) => Array.from({ length: rng.int(1, 3) }, () => k)));
    // Deliveries go out in waves; a wave of two is concurrent.
    const waves: Array<Array<'pi' | 'cs'>> = [];
    for (let i = 0; i < deliveries.length; ) {
      const size = i + 1 < deliveries.length && rng.chance(0.35) ? 2 : 1;
      waves.push(deliveries.slice(i, i + size));
      i += size;
    }
    return {
      name: 'stripe-events',
      detail: `${paymentId} ${credits} credits to ${accountId}${mismatched ? ' (amount mismatched)' : ''}: ${waves.map((wave) => wave.join('+')).join(', ')}`,
      run: async () => {
        const payloads = {
          pi: paymentSucceeded(paymentId, accountId, credits, mismatched ? credits - 1 : credits),
          cs: checkoutCompleted(paymentId, accountId, credits),
        };
        if (mismatched) payloads.cs = payloads.pi;
        const statuses: string[] = [];
        for (const wave of waves) {
          const results = await Promise.all(wave.map((kind) => this.deliverWebhook(`webhook:${kind}:${paymentId}`, payloads[kind])));
          statuses.push(results.join('/'));
        }
        this.w.note(`  → ${statuses.join(', ')}`);
        this.model.addPayment({ paymentId, accountId, credits, source: 'webhook', creditable: !mismatched, status: 'pending' });
        this.model.creditPayment(paymentId, 'now');
      },
    };
  }

  /** Delivers one signed event as Stripe does: retried (freshly signed) while the answer is 5xx. */
  private async deliverWebhook(what: string, payload: string): Promise<string> {
    const trail: string[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const ctx = this.w.context(this.w.stepLabel(attempt === 0 ? what : `${what}:retry${attempt}`));
      const status = await this.w.als.run(ctx, () => this.w.t.postWebhook(payload, sign(payload)));
      trail.push(`${status}${ctx.faults.length ? `[${ctx.faults.join(',')}]` : ''}`);
      if (status >= 500) {
        this.w.stats.webhook5xx += 1;
        if (ctx.faults.length === 0) {
          this.w.problem(`${what}: the webhook answered ${status} with no injected fault`);
          return trail.join('→');
        }
        continue;
      }
      if (status !== 200) this.w.problem(`${what}: the webhook answered ${status}`);
      return trail.join('→');
    }
    throw new Error(`${what}: still 5xx after 12 deliveries`);
  }

  private chooseTopup(): Action {
    const { rng } = this.w;
    const accountId = this.pickAccount();
    const plan = PLAN_SPEC[this.model.account(accountId).plan];
    const credits = Math.min(plan.topupMax, rng.int(plan.topupMin, plan.topupMin + 2500));
    const replay = rng.weighted([
      ['none', 75],
      ['same-again', 15],
      ['other-credits', 10],
    ] as const);
    const n = (this.counters.topup += 1);
    const key = `sim${this.w.seed}-t${n}`;
    return {
      name: 'topup',
      detail: `t${n} ${accountId} ${credits} credits replay=${replay}`,
      run: async () => {
        const w = this.w;
        const send = (what: string, c: number) => w.callUntilAnswered(what, 'POST', '/v1/topups', { as: accountId, body: { credits: c }, headers: { 'idempotency-key': key } });
        const first = await send(`topup:t${n}`, credits);
        w.note(`  → ${first.all.map((a) => `${a.status}${a.faults.length ? `[${a.faults.join(',')}]` : ''}`).join('→')}`);
        const body = first.last.body as { id?: string; status?: string; credits?: number; amount?: { value: number; currency: string }; clientSecret?: string | null };
        // A retry after a lost answer may find the top-up already settled: its state, and no payment to confirm.
        const settled = body.status === 'succeeded' && body.clientSecret === null;
        if (first.last.status !== 201 || !body.id || !(settled || body.clientSecret?.endsWith('_secret_sim')) || body.credits !== credits || body.amount?.value !== credits || !['pending', 'succeeded'].includes(body.status ?? '')) {
          w.problem(`t${n}: POST /v1/topups answered ${first.last.status} ${JSON.stringify(body)}`);
          return;
        }
        const paymentId = body.clientSecret ? body.clientSecret.slice(0, -'_secret_sim'.length) : (await w.store.getTopup(accountId, body.id))?.paymentId;
        if (!paymentId) {
          w.problem(`t${n}: top-up ${body.id} answered settled but has no payment`);
          return;
        }
        if (!this.model.payments.has(paymentId)) this.model.addPayment({ paymentId, accountId, credits, source: 'simulator', creditable: true, status: 'pending', topupId: body.id });
        else w.problem(`t${n}: a new top-up reused payment ${paymentId}`);
        if (replay === 'same-again') {
          const again = await send(`topup:t${n}:again`, credits);
          // Same top-up; while pending, the same payment to confirm; once settled, its state and nothing to pay (no new payment is asked for).
          const sameAnswer = again.last.body.clientSecret === body.clientSecret || (again.last.body.status !== 'pending' && again.last.body.clientSecret === null);
          if (again.last.status !== 201 || again.last.body.id !== body.id || !sameAnswer) w.problem(`t${n}: a retry with the same key answered ${again.last.status} ${JSON.stringify(again.last.body)}`);
        }
        if (replay === 'other-credits') {
          const other = Math.min(plan.topupMax, credits + 100);
          const reused = await send(`topup:t${n}:other`, other === credits ? credits - 100 : other);
          if (reused.last.status !== 422) w.problem(`t${n}: the same key with other credits answered ${reused.last.status} ${JSON.stringify(reused.last.body)}`);
        }
      },
    };
  }

  // --- refunds and disputes ----------------------------------------------------------------------

  /**
   * Takes back (part of) a credited payment: a full or partial refund, two refunds (running totals)
   * delivered in or out of order, a dispute opened then won or lost (or left open, closed by a later
   * action), the closing event sometimes before the opening one; each event sometimes delivered twice
   * (the same event again, or, through the payment simulator, a second event saying the same), two
   * at a time concurrently. Or a refund that reaches the webhook before its payment's own success
   * event (answered 503 event_not_ready and retried by the payment simulator).
   */
  private chooseReversal(): Action {
    const { rng } = this.w;
    // Not a subscription payment whose bucket has expired (or is about to): what a take-back or a won dispute does then depends on
    // whether the expire-credits job has run yet (expired credits are not owed back, lambdas/domain/credit.ts), which the model does
    // not predict; those rules have their own tests (test/integration/expired-credit-reversals.test.ts).
    const soon = this.w.now().getTime() + 10 * 60_000;
    const live = (p: ModelPayment) => p.paidFor === 'topup' || Date.parse(this.model.account(p.accountId).buckets.get(p.bucketId ?? '')?.expiresAt ?? '') > soon;
    const credited = [...this.model.payments.values()].filter((p) => p.status === 'credited' && p.creditable && p.credits > 0 && live(p) && (p.refundedCredits < p.credits || p.dispute === 'none' || p.dispute === 'open'));
    if (credited.length === 0 || rng.chance(0.15)) return this.chooseEarlyRefund();
    // Mostly a payment of an account with nothing pending (the model then knows the order exactly),
    // and preferably one whose full take-back would leave a debt (its top-up credits partly spent).
    // Subscription and upgrade payments, and PAYG invoice payments, are a fair share of what is taken back.
    const kind0 = rng.weighted([
      ['topup', 5],
      ['subscription', 3],
      ['payg', 2],
    ] as const);
    const ofKind = credited.filter((p) => p.paidFor === kind0);
    const candidates = ofKind.length > 0 ? ofKind : credited;
    const quiet = candidates.filter((p) => this.model.isExact(p.accountId));
    const pool = quiet.length > 0 && rng.chance(0.7) ? quiet : candidates;
    // A top-up's credits are taken back from the top-up bucket, a subscription payment's from the bucket it granted.
    const holding = (p: ModelPayment) => Math.max(this.model.account(p.accountId).buckets.get(p.paidFor === 'topup' ? 'topup' : (p.bucketId ?? ''))?.balance ?? 0, 0);
    const owing = pool.filter((p) => p.credits - takenBack(p) > holding(p));
    const payment = owing.length > 0 && rng.chance(0.7) ? rng.pick(owing) : rng.pick(pool);
    const n = (this.counters.reversal += 1);
    const options: Array<readonly [string, number]> = [];
    if (payment.refundedCredits < payment.credits) options.push(['refund-full', 2], ['refund-partial', 3], ['refund-two', 3]);
    if (payment.dispute === 'none') options.push(['dispute-won', 3], ['dispute-lost', 2], ['dispute-open', 1]);
    if (payment.dispute === 'open') options.push(['dispute-close-won', 3], ['dispute-close-lost', 2]);
    const kind = rng.weighted(options);
    const events: PaymentReversal[] = [];
    // Refund amounts are running totals in cents (a top-up's: 1 credit = 1 cent): a partial one refunds more than before, less than all.
    const { amountCents, refundedCredits } = payment;
    const refundedCents = Math.ceil((refundedCredits * amountCents) / payment.credits);
    const partial = () => rng.int(refundedCents + 1, Math.max(refundedCents + 1, amountCents - 1));
    if (kind === 'refund-full') events.push({ kind: 'refund', totalRefunded: amountCents });
    if (kind === 'refund-partial') events.push({ kind: 'refund', totalRefunded: partial() });
    if (kind === 'refund-two') {
      const [a, b] = [partial(), rng.chance(0.4) ? amountCents : partial()].sort((x, y) => x - y) as [number, number];
      events.push({ kind: 'refund', totalRefunded: a }, { kind: 'refund', totalRefunded: b });
    }
    if (kind.startsWith('dispute-') && !kind.startsWith('dispute-close')) events.push({ kind: 'dispute_opened' });
    if (kind.endsWith('-won')) events.push({ kind: 'dispute_won' });
    if (kind.endsWith('-lost')) events.push({ kind: 'dispute_lost' });
    const via = payment.source === 'simulator' && rng.chance(0.5) ? 'simulator' : 'signed';
    const reordered = events.length > 1 && rng.chance(0.3);
    // Each event once or twice; then the order: as generated, or the last one first.
    const sends = events.flatMap((event, i) => Array.from({ length: rng.chance(0.3) ? 2 : 1 }, () => i));
    const order = reordered ? [...sends.filter((i) => i === events.length - 1), ...sends.filter((i) => i !== events.length - 1)] : sends;
    const concurrent = rng.chance(0.3);
    const describeEvent = (e: PaymentReversal) => (e.kind === 'refund' ? `refund(total ${e.totalRefunded})` : e.kind);
    return {
      name: 'reverse',
      detail: `r${n} ${payment.paymentId} (${payment.paidFor === 'topup' ? '' : `${payment.upgrade ? 'upgrade' : 'period'} invoice, ${amountCents} cents, `}${payment.source}, ${payment.credits} credits to ${payment.accountId}, refunded ${refundedCredits}, dispute ${payment.dispute}) ${kind} via ${via}: ${order.map((i) => describeEvent(events[i]!)).join(', ')}${concurrent ? ' two at a time' : ''}`,
      run: () => this.reverse(payment, n, events, order, via, concurrent),
    };
  }

  /** Takes back a payment at once through the payment simulator's refund or dispute (PAYG uses it on the invoice it just paid). */
  async reverseNow(payment: ModelPayment, events: readonly PaymentReversal[]): Promise<void> {
    const n = (this.counters.reversal += 1);
    this.w.note(`  r${n}: ${payment.paymentId} (${payment.paidFor}, ${payment.amountCents} cents) ${events.map((e) => (e.kind === 'refund' ? `refund(total ${e.totalRefunded})` : e.kind)).join(', ')} via the simulator`);
    await this.reverse(payment, n, events, events.map((_, i) => i), 'simulator', false);
  }

  private async reverse(payment: ModelPayment, n: number, events: readonly PaymentReversal[], order: readonly number[], via: 'simulator' | 'signed', concurrent: boolean): Promise<void> {
    const w = this.w;
    const exact = !this.model.mayLandUnseen(payment.accountId);
    const trail: string[] = [];
    if (via === 'simulator') {
      // The simulator's own events (a fresh event id each); two at a time are in flight together.
      for (let i = 0; i < order.length; i += concurrent ? 2 : 1) {
        for (const index of order.slice(i, i + (concurrent ? 2 : 1))) this.sendThroughSimulator(payment, events[index]!);
        await w.t.payments.settle();
      }
      trail.push('delivered by the simulator');
    } else {
      const payloads = events.map((e, i) => this.reversalEvent(payment, e, `evt_sim${w.seed}_r${n}_${i}`));
      for (let i = 0; i < order.length; i += concurrent ? 2 : 1) {
        const wave = order.slice(i, i + (concurrent ? 2 : 1));
        const results = await Promise.all(wave.map((index) => this.deliverWebhook(`reverse:r${n}:${events[index]!.kind}`, payloads[index]!)));
        trail.push(results.join('/'));
      }
    }
    if (payment.paidFor === 'subscription') w.stats.subscriptions.reversals += 1;
    if (payment.paidFor === 'payg') w.stats.payg.reversals += 1;
    // In the order they were applied (a repeat changes nothing): a dispute won before its opening event
    // takes nothing back, won after it takes back and gives back (which may open, then close, a debt).
    // Sent two at a time, that order is unknown once a won dispute is among them: the split is then left to the settle point.
    const applied = order.filter((index, k) => order.indexOf(index) === k);
    for (const index of applied) this.model.reverse(payment.paymentId, events[index]!, 'now', w.now());
    if (concurrent && events.some((e) => e.kind === 'dispute_won')) this.model.account(payment.accountId).uncertain = true;
    for (const event of events) {
      if (event.kind === 'refund') w.stats.reversals.refunds! += 1;
      else w.stats.reversals.disputes! += 1;
    }
    w.stats.reversals[exact && !this.model.account(payment.accountId).uncertain ? 'exact' : 'uncertain']! += 1;
    w.note(`  → ${trail.join(', ')}; the model: refunded ${payment.refundedCredits}, disputed ${payment.disputedCredits} (${payment.dispute})${this.model.account(payment.accountId).uncertain ? ', split uncertain' : ''}`);
  }

  private sendThroughSimulator(payment: ModelPayment, event: PaymentReversal): void {
    const payments = this.w.t.payments;
    if (event.kind === 'refund') payments.refund(payment.paymentId, event.totalRefunded);
    else payments.dispute(payment.paymentId, event.kind === 'dispute_opened' ? 'open' : event.kind === 'dispute_won' ? 'won' : 'lost');
  }

  /** A Stripe-shaped reversal event with a fixed id (a redelivery is the same event). 1 credit = 1 cent. */
  private reversalEvent(payment: ModelPayment, event: PaymentReversal, eventId: string): string {
    const { paymentId, amountCents } = payment;
    if (event.kind === 'refund') {
      return stripeEvent('charge.refunded', { id: `ch_${paymentId}`, object: 'charge', payment_intent: paymentId, amount: amountCents, amount_refunded: event.totalRefunded, refunded: event.totalRefunded >= amountCents }, eventId);
    }
    const status = event.kind === 'dispute_opened' ? 'needs_response' : event.kind === 'dispute_won' ? 'won' : 'lost';
    return stripeEvent(event.kind === 'dispute_opened' ? 'charge.dispute.created' : 'charge.dispute.closed', { id: `dp_${paymentId}`, object: 'dispute', payment_intent: paymentId, amount: amountCents, status }, eventId);
  }

  /**
   * A top-up through the payment simulator whose success event is held back until its refund has
   * reached the webhook and been answered 503 event_not_ready; then released. The simulator retries
   * the refund, which applies once the credit has landed (the refund sometimes sent twice).
   */
  private chooseEarlyRefund(): Action {
    const { rng } = this.w;
    const accountId = this.pickAccount();
    const plan = PLAN_SPEC[this.model.account(accountId).plan];
    const credits = Math.min(plan.topupMax, rng.int(plan.topupMin, plan.topupMin + 1500));
    const total = rng.chance(0.5) ? credits : rng.int(1, credits - 1);
    const copies = rng.chance(0.3) ? 2 : 1;
    const n = (this.counters.reversal += 1);
    const key = `sim${this.w.seed}-r${n}`;
    return {
      name: 'reverse',
      detail: `r${n} early refund: a top-up of ${credits} credits to ${accountId}, refunded ${total} ×${copies} before its success event`,
      run: async () => {
        const w = this.w;
        const quiet = this.model.isExact(accountId);
        const release = w.holdPaymentSuccess(accountId);
        let paymentId: string;
        try {
          const created = await w.callUntilAnswered(`reverse:r${n}:topup`, 'POST', '/v1/topups', { as: accountId, body: { credits }, headers: { 'idempotency-key': key } });
          const body = created.last.body as { id?: string; clientSecret?: string };
          if (created.last.status !== 201 || !body.id || !body.clientSecret?.endsWith('_secret_sim')) {
            w.problem(`r${n}: POST /v1/topups answered ${created.last.status} ${JSON.stringify(body)}`);
            return;
          }
          paymentId = body.clientSecret.slice(0, -'_secret_sim'.length);
          this.model.addPayment({ paymentId, accountId, credits, source: 'simulator', creditable: true, status: 'pending', topupId: body.id });
          const notReady = w.waitForNotReady(paymentId, 5_000);
          for (let i = 0; i < copies; i += 1) w.t.payments.refund(paymentId, total);
          if (!(await notReady)) w.problem(`r${n}: the refund of ${paymentId}, sent before its payment's success, was never answered 503 event_not_ready`);
        } finally {
          release();
        }
        await w.t.payments.settle();
        w.stats.reversals.refunds! += 1;
        this.model.reverse(paymentId, { kind: 'refund', totalRefunded: total }, 'now');
        // Both have landed now (the refund only applies after the credit). With nothing else of the
        // account pending the model knows the order; otherwise the settle point reads it.
        const stored = await w.store.getPayment(paymentId);
        if (!stored) w.problem(`r${n}: ${paymentId} was not credited after the simulator delivered everything`);
        else if (quiet) this.model.creditPayment(paymentId, 'now');
        else this.model.account(accountId).uncertain = true;
        w.stats.reversals[quiet ? 'exact' : 'uncertain']! += 1;
        w.note(`  → ${paymentId}: ${stored ? `record refunded ${stored.refundedCredits}` : 'no record'}${quiet ? '' : ' (left to the settle point)'}`);
      },
    };
  }

  // --- debt ----------------------------------------------------------------------------------------

  /**
   * Drives an account into debt, then starts paying it back, in an order the model knows: makes the
   * account exact (a settle point if anything of it is pending), makes sure it has a credited
   * payment not yet taken back (a signed top-up of its own otherwise), spends the account down with
   * generations (settle point after each round: subscription and coupon credits gone, the top-up
   * bucket left with less than the payment), optionally accepts one more, failing, job that stays
   * parked (its enqueue fails: no worker sees it before the next reaper run), then reverses the
   * payment (full or partial refund, dispute lost, left open or won: a won dispute repays the debt
   * it made), then optionally brings a credit that repays the debt (a coupon, a signed top-up, or
   * for the FREE account a period end and the subscription grant). The parked job fails and is
   * refunded at the next drain, repaying what is still owed out of its refund. Each step is checked
   * against the model's prediction; the model knows the order throughout (only parked jobs pending).
   */
  private chooseDebt(): Action {
    const { rng } = this.w;
    const accountId = this.pickAccount();
    const kind = rng.weighted([
      ['refund-full', 4],
      ['refund-partial', 2],
      ['dispute-lost', 3],
      ['dispute-open', 1],
      ['dispute-won', 2],
    ] as const);
    /** Share of min(payment, top-up bucket) left unspent in the top-up bucket (the rest of the take-back becomes debt). */
    const keep = rng.next() * 0.8;
    const partialShare = rng.next();
    const ownCredits = rng.int(150, 1200);
    const failOutputs = rng.chance(0.7) ? rng.int(1, 4) : 0;
    const account = this.model.account(accountId);
    const followUp = rng.weighted([
      ['none', 3],
      ['coupon', 2],
      ['topup', 2],
      [account.plan === 'FREE' ? 'grant' : 'coupon', 3],
    ] as const);
    const followCredits = rng.int(20, 700);
    const viaSimulator = rng.chance(0.5);
    const twice = rng.chance(0.3);
    const n = (this.counters.reversal += 1);
    return {
      name: 'debt',
      detail: `r${n} ${accountId}: spend down leaving ${(keep * 100).toFixed(0)}% unspent, ${failOutputs ? `a parked failing job of ${failOutputs * 5}, ` : ''}${kind}${twice ? ' (each event twice)' : ''}, then ${followUp}${followUp === 'coupon' || followUp === 'topup' ? ` of ${followCredits}` : ''}`,
      run: () => this.debt(accountId, n, { kind, keep, partialShare, ownCredits, failOutputs, followUp, followCredits, viaSimulator, twice }),
    };
  }

  private async debt(
    accountId: string,
    n: number,
    d: {
      kind: 'refund-full' | 'refund-partial' | 'dispute-lost' | 'dispute-open' | 'dispute-won';
      keep: number;
      partialShare: number;
      ownCredits: number;
      failOutputs: number;
      followUp: 'none' | 'coupon' | 'topup' | 'grant';
      followCredits: number;
      viaSimulator: boolean;
      twice: boolean;
    },
  ): Promise<void> {
    const w = this.w;
    const model = this.model;
    w.stats.debt.actions += 1;
    if (!model.isExact(accountId)) await this.settleAndCheck();
    if (w.problems.length > 0) return;

    // A payment of the account still whole, or a signed top-up of its own.
    let payment = [...model.payments.values()].filter((p) => p.accountId === accountId && p.paidFor === 'topup' && p.status === 'credited' && p.creditable && p.refundedCredits === 0 && p.dispute === 'none').pop();
    if (!payment) {
      const paymentId = `pi_simseed${w.seed}_d${n}`;
      w.note(`  a top-up of its own: ${paymentId}, ${d.ownCredits} credits: ${await this.deliverWebhook(`debt:r${n}:topup`, paymentSucceeded(paymentId, accountId, d.ownCredits))}`);
      model.addPayment({ paymentId, accountId, credits: d.ownCredits, source: 'webhook', creditable: true, status: 'pending' });
      model.creditPayment(paymentId, 'now');
      payment = model.payments.get(paymentId)!;
    }

    // Spend down, leaving `unspent` (+ the parked job's price) in the top-up bucket.
    const plan = PLAN_SPEC[model.account(accountId).plan];
    const topupBalance = () => Math.max(model.account(accountId).buckets.get('topup')?.balance ?? 0, 0);
    const unspent = Math.floor(d.keep * Math.min(payment.credits, topupBalance()));
    const failCost = Math.min(d.failOutputs, Math.floor((topupBalance() - unspent) / 5)) * 5;
    for (let round = 0; round < 15; round += 1) {
      const target = model.available(accountId, w.now()) - unspent - failCost;
      const pieces = spendPieces(target, plan.maxCountPerRequest).slice(0, plan.maxConcurrentJobs);
      if (pieces.length === 0) break;
      for (const [modelId, count] of pieces) await this.generate(accountId, [this.plainRequest(modelId, count, false)]);
      await this.settleAndCheck();
      if (w.problems.length > 0) return;
    }
    w.note(`  spent down: available ${model.available(accountId, w.now())}, top-up bucket ${topupBalance()}, payment ${payment.credits}`);

    const unpark: Array<() => void> = [];
    try {
      if (failCost > 0) {
        const request = this.plainRequest('gpt-image-2', failCost / 5, true);
        unpark.push(w.parkJob(request.tag));
        await this.generate(accountId, [request]);
        const job = model.jobs.find((j) => j.tag === request.tag);
        if (job) model.parked.add(job.id);
      }

      const owedBefore = model.owed(accountId);
      const arisen = model.account(accountId).debtEvents.filter((e) => e === 'arose').length;
      const events: PaymentReversal[] = [];
      const { credits } = payment;
      if (d.kind === 'refund-full') events.push({ kind: 'refund', totalRefunded: credits });
      if (d.kind === 'refund-partial') events.push({ kind: 'refund', totalRefunded: Math.min(credits - 1, unspent + 1 + Math.floor(d.partialShare * Math.max(0, credits - unspent - 2))) });
      if (d.kind.startsWith('dispute-')) events.push({ kind: 'dispute_opened' });
      if (d.kind === 'dispute-won') events.push({ kind: 'dispute_won' });
      if (d.kind === 'dispute-lost') events.push({ kind: 'dispute_lost' });
      const order = events.flatMap((_, i) => (d.twice ? [i, i] : [i]));
      await this.reverse(payment, n, events, order, payment.source === 'simulator' && d.viaSimulator ? 'simulator' : 'signed', false);
      if (model.account(accountId).debtEvents.filter((e) => e === 'arose').length > arisen) w.stats.debt.reachedDebt += 1;
      w.note(`  the model: owed ${model.owed(accountId)} (was ${owedBefore})`);

      if (d.followUp === 'coupon') {
        await this.issueCoupon(d.followCredits, 1, null);
        await this.redeem(accountId, model.coupons[model.coupons.length - 1]!.code, 'once');
      }
      if (d.followUp === 'topup') {
        const paymentId = `pi_simseed${w.seed}_d${n}b`;
        w.note(`  ${paymentId}: ${await this.deliverWebhook(`debt:r${n}:repay`, paymentSucceeded(paymentId, accountId, d.followCredits))}`);
        model.addPayment({ paymentId, accountId, credits: d.followCredits, source: 'webhook', creditable: true, status: 'pending' });
        model.creditPayment(paymentId, 'now');
      }
      if (d.followUp === 'grant') {
        const account = model.account(accountId);
        const before = w.now();
        const { end } = periodAt(account.anchor, before);
        await w.jumpClock((end.getTime() - before.getTime()) / 1000 + 60);
        w.stats.clockJumps += 1;
        const startedAt = w.now();
        const due = model.grantsDue(startedAt);
        const run = await w.runJob('subscription-grants');
        const granted = model.applyGrantsDue(startedAt);
        const result = run.result as { grantedCredits?: number } | undefined;
        w.note(`  ${before.toISOString()} → ${startedAt.toISOString()}, subscription-grants → ${JSON.stringify(run.result)}; model: ${JSON.stringify(due)}`);
        if (!run.faulted && result?.grantedCredits !== granted) w.problem(`subscription-grants granted ${result?.grantedCredits}, the model says ${granted} (${JSON.stringify(due)})`);
      }
      w.note(`  the model: owed ${model.owed(accountId)}${failCost > 0 ? `; the parked job refunds ${failCost} at the next drain` : ''}`);
    } finally {
      for (const release of unpark) release();
      model.parked.clear();
    }
  }

  /** A generation request without replays: one that succeeds, or (`fail`) one whose model always refuses. */
  plainRequest(modelId: string, count: number, fail: boolean): GenerationRequest {
    return this.request(modelId, count, fail ? 'fail' : 'normal', 1);
  }

  // --- coupons -----------------------------------------------------------------------------------

  private async issueCoupon(credits: number, maxRedemptions: number, redeemByOffsetSeconds: number | null): Promise<void> {
    const redeemBy = redeemByOffsetSeconds === null ? null : new Date(this.w.now().getTime() + redeemByOffsetSeconds * 1000).toISOString();
    const issued = await this.w.callUntilAnswered('issue-coupon', 'POST', '/v1/admin/coupons', { admin: true, body: { campaign: 'SIM', credits, count: 1, maxRedemptions, ...(redeemBy ? { redeemBy } : {}) } });
    if (issued.last.status !== 201) {
      this.w.problem(`issuing a coupon answered ${issued.last.status} ${JSON.stringify(issued.last.body)}`);
      return;
    }
    const code = issued.last.body.codes[0] as string;
    this.model.addCoupon({ code, credits, maxRedemptions, redemptions: 0, redeemBy });
    this.w.note(`  → c${this.model.coupons.length} (${issued.all.map((a) => a.status).join('→')})`);
  }

  private chooseRedeem(): Action {
    const { rng } = this.w;
    const accountId = this.pickAccount();
    const bogus = this.model.coupons.length === 0 || rng.chance(0.1);
    // Mostly a coupon that can still be redeemed; sometimes any (exhausted, expired, already redeemed).
    const now = this.w.now().getTime();
    const open = this.model.coupons.map((c, i) => ({ c, i })).filter(({ c }) => c.redemptions < c.maxRedemptions && (c.redeemBy === null || Date.parse(c.redeemBy) > now));
    const index = bogus ? -1 : open.length > 0 && rng.chance(0.75) ? rng.pick(open).i : rng.int(0, this.model.coupons.length - 1);
    const code = bogus ? `SIM-${Array.from({ length: 4 }, () => rng.pick([...CODE_ALPHABET])).join('')}-${Array.from({ length: 4 }, () => rng.pick([...CODE_ALPHABET])).join('')}` : this.model.coupons[index]!.code;
    const mode = rng.weighted([
      ['once', 70],
      ['twice', 15],
      ['concurrent', 15],
    ] as const);
    return { name: 'redeem', detail: `${accountId} ${bogus ? `bogus ${code}` : `c${index + 1}`} ${mode}`, run: () => this.redeem(accountId, code, mode) };
  }

  private async redeem(accountId: string, code: string, mode: 'once' | 'twice' | 'concurrent'): Promise<void> {
    const w = this.w;
    const now = w.now();
    const expected = this.model.expectRedemption(accountId, code, now);
    // Stay clear of the brute-force limit (10 failed lookups an hour): the model does not try a
    // lookup it knows fails once the account is close to it.
    if (expected.status !== 200 && expected.status !== 409 && this.model.couponFailuresThisHour(accountId, now) >= 7) {
      w.note('  skipped: close to the failed-lookup limit');
      return;
    }
    const bounds = this.model.availableBounds(accountId, now);
    const owed = this.model.owed(accountId);
    const send = (what: string) => w.callUntilAnswered(what, 'POST', '/v1/coupons/redeem', { as: accountId, body: { code } });
    const rounds = mode === 'concurrent' ? await Promise.all([send('redeem'), send('redeem:twin')]) : [await send('redeem')];
    if (mode === 'twice') rounds.push(await send('redeem:again'));
    w.note(`  expected ${expected.status}: ${rounds.map((r) => r.all.map((a) => `${a.status}${a.faults.length ? `[${a.faults.join(',')}]` : ''}`).join('→')).join(' | ')}`);

    const answers = rounds.map((r) => r.last);
    const everything = rounds.flatMap((r) => r.all);
    const where = `redeeming ${code} for ${accountId} (${mode})`;
    if (expected.status === 200) {
      const successes = answers.filter((a) => a.status === 200);
      const lostCommit = everything.some((a) => a.faults.includes('lost_response'));
      if (successes.length > 1) w.problem(`${where}: ${successes.length} redemptions succeeded`);
      // An open debt takes its share of the coupon's credits first.
      const lo = bounds.lo + expected.credits - Math.min(owed, expected.credits);
      for (const s of successes) {
        if (s.body.credits !== expected.credits || s.body.available < lo || s.body.available > bounds.hi + expected.credits) {
          w.problem(`${where}: answered ${JSON.stringify(s.body)}, want ${expected.credits} credits and available within [${lo}, ${bounds.hi + expected.credits}]`);
        }
      }
      for (const a of answers) if (a.status !== 200 && !(a.status === 409 && a.body?.error?.code === 'coupon_already_redeemed')) w.problem(`${where}: answered ${a.status} ${JSON.stringify(a.body)}`);
      if (successes.length === 1 || (successes.length === 0 && lostCommit && answers.every((a) => a.status === 409))) this.model.redeem(accountId, code);
      else if (successes.length === 0) w.problem(`${where}: no attempt succeeded and none lost its answer: ${answers.map((a) => a.status).join(', ')}`);
      return;
    }
    for (const a of answers) {
      if (a.status !== expected.status || a.body?.error?.code !== expected.code) w.problem(`${where}: answered ${a.status} ${JSON.stringify(a.body)}, the model says ${expected.status} ${expected.code}`);
      if (a.status === 404 || a.status === 410) this.model.noteCouponFailure(accountId, now);
    }
  }

  // --- time and scheduled jobs ---------------------------------------------------------------------

  private chooseClockJump(): Action {
    const { rng } = this.w;
    const kind = rng.weighted([
      ['small', 45],
      ['medium', 30],
      ['period-end', 25],
    ] as const);
    const seconds = kind === 'small' ? rng.int(1, 300) : kind === 'medium' ? rng.int(600, 12 * 3600) : rng.int(3600, 3 * 86400);
    const accountId = this.pickAccount();
    return {
      name: 'clock',
      detail: kind === 'period-end' ? `past ${accountId}'s period end by ${seconds}s` : `+${seconds}s`,
      run: async () => {
        const before = this.w.now();
        let target = seconds;
        if (kind === 'period-end') {
          const account = this.model.account(accountId);
          // A paid subscriber's period is its subscription's; a FREE account's is counted from its anchor.
          const end = this.subscriptions.periodEnd(accountId) ?? periodAt(account.anchor, before).end;
          target = (end.getTime() - before.getTime()) / 1000 + seconds;
        }
        const after = await this.w.jumpClock(target);
        this.w.stats.clockJumps += 1;
        this.w.note(`  ${before.toISOString()} → ${after.toISOString()}`);
      },
    };
  }

  private chooseScheduledJob(): Action {
    const name = this.w.rng.weighted([
      ['expire-credits', 35],
      ['subscription-grants', 30],
      ['reap-stuck-jobs', 35],
    ] as const);
    return {
      name: 'scheduled-job',
      detail: name,
      run: async () => {
        const w = this.w;
        const startedAt = w.now();
        if (name === 'subscription-grants') {
          const due = this.model.grantsDue(startedAt);
          const run = await w.runJob(name);
          const granted = this.model.applyGrantsDue(startedAt);
          const result = run.result as { grantedCredits?: number } | undefined;
          w.note(`  → ${JSON.stringify(run.result)} in ${run.runs} run(s); model: ${JSON.stringify(due)}`);
          if (!run.faulted && result?.grantedCredits !== granted) w.problem(`subscription-grants granted ${result?.grantedCredits}, the model says ${granted} (${JSON.stringify(due)})`);
          return;
        }
        const run = await w.runJob(name);
        w.note(`  → ${JSON.stringify(run.result)} in ${run.runs} run(s)`);
        if (name === 'expire-credits' && run.result !== undefined) for (const problem of await this.invariants.checkExpiredAreEmpty(startedAt)) w.problem(problem);
        if (name === 'reap-stuck-jobs') {
          const r = run.result as { due: number; requeued: number; refunded: number } | undefined;
          if (r && r.requeued + r.refunded > r.due) w.problem(`reap-stuck-jobs did more than was due: ${JSON.stringify(r)}`);
        }
      },
    };
  }

  private chooseRead(): Action {
    const { rng } = this.w;
    const accountId = this.pickAccount();
    const jobs = this.model.jobs;
    const job = jobs.length > 0 && rng.chance(0.5) ? rng.pick(jobs) : null;
    const stranger = job !== null && rng.chance(0.3) ? rng.pick(ACCOUNTS.filter((a) => a.id !== job.accountId)).id : null;
    return {
      name: 'read',
      detail: job ? `g${job.tag} as ${stranger ?? job.accountId}` : `balance of ${accountId}`,
      run: async () => {
        const w = this.w;
        if (job) {
          const read = await w.call(`read:g${job.tag}`, 'GET', `/v1/generations/${job.id}`, { as: stranger ?? job.accountId });
          if (stranger && read.status !== 404) w.problem(`${stranger} read another account's job g${job.tag}: ${read.status}`);
          if (!stranger && (read.status !== 200 || read.body.id !== job.id || read.body.credits !== job.credits)) w.problem(`reading g${job.tag} answered ${read.status} ${JSON.stringify(read.body)}`);
          return;
        }
        const now = w.now();
        const bounds = this.model.availableBounds(accountId, now);
        const read = await w.call(`read:balance:${accountId}`, 'GET', '/v1/balance', { as: accountId });
        if (read.status !== 200 || read.body.available < bounds.lo || read.body.available > bounds.hi) w.problem(`GET /v1/balance of ${accountId}: ${read.status} ${JSON.stringify(read.body)}, the model says within [${bounds.lo}, ${bounds.hi}]`);
        if (this.model.isExact(accountId) && read.body.available !== this.model.available(accountId, now)) w.problem(`GET /v1/balance of ${accountId}: ${read.body.available}, exactly ${this.model.available(accountId, now)} expected`);
      },
    };
  }

  /** Drains the system, reads the settled outcomes into the model, and checks everything. */
  async settleAndCheck(): Promise<void> {
    await this.w.drain();
    for (const problem of await this.invariants.syncModel()) this.w.problem(problem);
    for (const problem of await this.invariants.checkSettled()) this.w.problem(problem);
    for (const problem of await this.subscriptions.checkBilling()) this.w.problem(problem);
    for (const problem of await this.team.checkSettled((await this.invariants.snapshot(TEAM_WALLET)).entries)) this.w.problem(problem);
  }
}

/** README: a video model makes one video per request (a count above 1 is 400 invalid_request). */
const oneVideoOnly = (body: { model: string }) => (VIDEO_MODELS as readonly string[]).includes(body.model);

/** Above the model's own limit (videos 1, GPT Image 2 10: `options.maxCount` in the catalog): 400 invalid_request, before the plan's limit. */
const overModelLimit = (body: { model: string; count: number }) => {
  const max = MODELS.find((m) => m.id === body.model)?.options.maxCount;
  return max !== undefined && body.count > max;
};

/** Whether the request's count passes the per-request checks (the model's limit, then the plan's). */
const countFits = (body: { model: string; count: number }, plan: { maxCountPerRequest: number }) => body.count <= plan.maxCountPerRequest && !overModelLimit(body);

/**
 * Generations (model, count) whose prices sum to the largest amount ≤ `credits` that 5s and 8s can
 * make (every amount from 28 up): nano-banana-pro (15) outputs for the bulk, gpt-image-2 (5) and
 * nano-banana-2 (8) for the rest; each at most `maxCount` outputs (a video model makes one video per
 * request, so images carry the bulk).
 */
export function spendPieces(credits: number, maxCount: number): Array<readonly [string, number]> {
  for (let amount = credits; amount > 0; amount -= 1) {
    for (let eights = 0; eights <= 4 && eights * 8 <= amount; eights += 1) {
      if ((amount - eights * 8) % 5 !== 0) continue;
      const fives = (amount - eights * 8) / 5;
      const pieces: Array<readonly [string, number]> = [];
      const add = (modelId: string, outputs: number) => {
        for (let left = outputs; left > 0; left -= maxCount) pieces.push([modelId, Math.min(maxCount, left)]);
      };
      add('nano-banana-pro', Math.floor(fives / 3));
      add('gpt-image-2', fives % 3);
      add('nano-banana-2', eights);
      return pieces;
    }
  }
  return [];
}
