/**
 * A seeded, deterministic simulation of the whole service, in the spirit of TigerBeetle's VOPR: random
 * sequences of debits (retried with their Idempotency-Key, duplicated, reused with another body),
 * model providers that refuse, are busy, lose answers, never answer, with and without idempotency
 * keys, worker crashes mid-call, video generations submitted and polled over several polls (flaky
 * polls, refusals at a poll, operations that never finish until their deadline or a cancel), cancels
 * by the owner, the member who asked, an admin and members who may not, duplicate, stale and early
 * poll messages, duplicate SQS deliveries, duplicate and reordered Stripe events,
 * coupon issues and redemptions, top-ups through the payment simulator, refunds and disputes of
 * credited payments (full, partial, two refunds in or out of order, disputes won or lost, the closing
 * event before the opening one, each event duplicated, a refund reaching the webhook before its
 * payment's success event and retried by the simulator), debts (an account spent down until its
 * top-up bucket holds less than a payment, which is then taken back; then repaid by a coupon, a
 * top-up, a won dispute, a subscription grant or a failed job's refund), subscribers moved between
 * plans through the API in every order (subscribe, upgrade, downgrade, restore, upgrade again,
 * declined and unconfirmed payments, unpaid first subscriptions paid, replaced, abandoned or
 * expired, cancellations) with renewals driven by clock jumps, refunds and disputes of subscription,
 * upgrade and PAYG invoice payments, PAYG usage invoiced monthly, clock jumps across period
 * ends, grants, expiry and the stuck-job reaper, a team wallet (members invited, joining, capped,
 * changed, removed or leaving, some while they spend; seats held by invites; usage by member and
 * model), against the real handlers on DynamoDB Local and the
 * SQS emulator, with seeded faults: TransactionConflict, throttling, commits whose answer is lost,
 * failed SQS sends. The money invariants are checked after every step on a consistent snapshot of
 * each account, and the pure reference model (model.ts) at every settle point the action stream
 * chooses and at the end (invariants.ts says which check runs when). A failure prints the seed, the
 * step, the problems, the log tail and the command that replays it. Known, unfixed service bugs the
 * simulation found are listed in world.ts (KNOWN_ISSUES) and printed as warnings.
 *
 * Files: prng.ts (seeded streams), model.ts (reference model), actions.ts (generators),
 * subscriptions.ts (subscriber accounts, renewals, the granted ≤ bought check), payg.ts (PAYG
 * usage and invoices), team.ts (the team wallet, its members, their caps, the team invariants),
 * providers.ts (the model providers, steered by each job's prompt; what they ran and billed),
 * videos.ts (operations that never finish, cancels, duplicate and stale poll messages),
 * world.ts (the service with faults, the simulated clients, settle/drain,
 * clock jumps that drive the payment simulator's billing clock), invariants.ts, runner.ts,
 * mutations.ts (SIM_MUTATION=…: a deliberate bug, to see the checks catch it).
 *
 *   npx jest test/simulation                                  # default (also part of `npx jest`): seed 1, 100 steps
 *   SIM_SEEDS=8 SIM_STEPS=150 npx jest test/simulation         # longer: seeds 1-8, 150 steps each
 *   SIM_SEED=7 SIM_STEPS=42 npx jest test/simulation           # replay one seed
 *   SIM_SEED_BASE=1000 SIM_SEEDS=20 npx jest test/simulation   # other seeds
 *   SIM_VERBOSE=1 …                                            # print each run's summary
 *   SIM_LOG=1 …  /  SIM_LOG_TAIL=0 …                            # the whole action log in the summary / on failure
 *   SIM_STRICT=1 …                                             # known, unfixed service bugs fail too (world.ts)
 *   SIM_MUTATION=no-event-dedupe …                             # self-test: break the service, watch it fail (mutations.ts lists them)
 */
import type * as CreditModule from '../../lambdas/domain/credit';
import type * as SubscriptionModule from '../../lambdas/domain/subscription';
import type * as TeamModule from '../../lambdas/domain/team';
import type * as MutationsModule from './mutations';
import { runSimulation } from './runner';

// The `no-debt-repayment`, `takeback-as-topup`, `upgrade-granted-on-change`, `cap-not-enforced` and `removed-member-spends` mutations (mutations.ts) are hooks on domain modules, not dropped writes.
jest.mock('../../lambdas/domain/credit', () => {
  const actual = jest.requireActual<typeof CreditModule>('../../lambdas/domain/credit');
  const mutations = jest.requireActual<typeof MutationsModule>('./mutations');
  if (process.env.SIM_MUTATION === 'no-debt-repayment') return { ...actual, creditNonExpiring: mutations.creditWithoutDebtRepayment };
  if (process.env.SIM_MUTATION === 'takeback-as-topup') return { ...actual, takeBackPayment: mutations.takeBackFromTopup(actual) };
  return actual;
});
jest.mock('../../lambdas/domain/subscription', () => {
  const actual = jest.requireActual<typeof SubscriptionModule>('../../lambdas/domain/subscription');
  if (process.env.SIM_MUTATION !== 'upgrade-granted-on-change') return actual;
  const mutations = jest.requireActual<typeof MutationsModule>('./mutations');
  return { ...actual, applySubscriptionChange: mutations.upgradeGrantedOnChange(actual, jest.requireActual<typeof CreditModule>('../../lambdas/domain/credit')) };
});
// `cap-not-enforced` and `removed-member-spends` too (lambdas/domain/team.ts).
jest.mock('../../lambdas/domain/team', () => {
  const actual = jest.requireActual<typeof TeamModule>('../../lambdas/domain/team');
  const mutations = jest.requireActual<typeof MutationsModule>('./mutations');
  if (process.env.SIM_MUTATION === 'cap-not-enforced') return { ...actual, chargeMember: mutations.chargeMemberWithoutCap(actual) };
  if (process.env.SIM_MUTATION === 'removed-member-spends') return { ...actual, authorize: mutations.authorizeAnyone(actual) };
  return actual;
});

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

/**
 * The default run is part of every `npx jest`: one fixed seed, short enough to stay well under a
 * minute on a loaded 2-core machine (about 25-40 s alone). Seed 1 reaches, among the rest, on the
 * team wallet a member's debit and replays, invites and joins, a removal, and a member leaving
 * while three of their debits race it (two refused not_a_member). Since the team actions joined the
 * action stream it no longer reaches the concurrent redemptions of a coupon's last use by one
 * account (test/integration/coupon-redemption-races.test.ts keeps that case; seed 7 reaches it at
 * step 37, with members refused at their cap; seed 9 has removal races and seat refusals).
 */
const DEFAULT_SEED = 1;
const DEFAULT_STEPS = 100;

const steps = intFromEnv('SIM_STEPS', DEFAULT_STEPS);
const base = intFromEnv('SIM_SEED_BASE', DEFAULT_SEED);
const seeds = process.env.SIM_SEED ? [intFromEnv('SIM_SEED', DEFAULT_SEED)] : Array.from({ length: intFromEnv('SIM_SEEDS', 1) }, (_, i) => base + i);
const longMode = ['SIM_STEPS', 'SIM_SEED', 'SIM_SEEDS', 'SIM_SEED_BASE'].some((name) => process.env[name] !== undefined);
const verbose = process.env.SIM_VERBOSE === '1' || longMode;
/** Generous: a run is mostly waiting on DynamoDB Local and on visibility timeouts of crashed workers. */
const timeoutMs = 120_000 + steps * 3_000;

describe('seeded simulation', () => {
  test.each(seeds)(`seed %i, ${steps} steps: every invariant holds`, async (seed) => {
    const result = await runSimulation({ seed, steps });
    if (verbose || result.failure || result.warnings.length > 0) console.log(result.summary);
    if (result.failure) throw new Error(result.failure);
  }, timeoutMs);
});
