/**
 * One simulation run: a seed, a number of steps. Setup without faults (accounts, plans, a starting
 * coupon each), then `steps` random actions with faults on, the step invariants after each, the
 * full settled checks whenever the action stream settles and once more at the end.
 */
import { Actions } from './actions';
import { Invariants } from './invariants';
import { hash32 } from './prng';
import type { SimConfig } from './world';
import { World } from './world';

export interface SimResult {
  readonly seed: number;
  /** Null when every invariant held; else what broke, where, and how to replay it. */
  readonly failure: string | null;
  readonly summary: string;
  /** Known issues seen (see KNOWN_ISSUES in world.ts). */
  readonly warnings: readonly string[];
  readonly elapsedMs: number;
}

/** How many log lines a failure shows (SIM_LOG_TAIL=0: all). */
const LOG_TAIL = Number(process.env.SIM_LOG_TAIL ?? 40) || Number.POSITIVE_INFINITY;

export async function runSimulation(config: SimConfig): Promise<SimResult> {
  const started = performance.now();
  const w = new World(config);
  const invariants = new Invariants(w);
  const actions = new Actions(w, invariants);
  const decisions: string[] = [];
  let failure: string | null = null;
  let failedAt = 0;
  const stopOnProblems = (phase: string) => {
    if (w.problems.length > 0) throw new ProblemsFound(phase);
  };
  try {
    await w.start();
    w.note(`config: ${w.describeConfig()}`);
    await actions.setup();
    for (const problem of await invariants.checkStep()) w.problem(problem);
    stopOnProblems('setup');
    w.faultsOn = true;
    for (let step = 1; step <= config.steps; step += 1) {
      failedAt = step;
      w.beginStep(step);
      const action = actions.choose();
      decisions.push(`${action.name}: ${action.detail}`);
      w.note(`${action.name}: ${action.detail}`);
      const began = performance.now();
      await action.run();
      const ran = performance.now();
      for (const problem of await invariants.checkStep()) w.problem(problem);
      w.note(`  (${Math.round(ran - began)} ms, checks ${Math.round(performance.now() - ran)} ms)`);
      stopOnProblems(`step ${step}`);
    }
    failedAt = config.steps;
    w.beginStep(config.steps + 1);
    w.note('final: drain and check against the model');
    await actions.settleAndCheck();
    stopOnProblems('the final settle');
  } catch (error) {
    const what = error instanceof ProblemsFound ? `invariants broken at ${error.phase}` : `the simulation crashed at step ${w.step}: ${error instanceof Error ? error.stack : String(error)}`;
    failure = [
      `Simulation failed: seed ${config.seed}, ${what} (of ${config.steps} steps).`,
      `Config: ${w.describeConfig()}`,
      'Problems:',
      ...w.problems.map((p) => `  - ${p}`),
      `Last ${Math.min(LOG_TAIL, w.log.length)} log lines (#step action: decisions, then outcomes):`,
      ...w.log.slice(-Math.min(LOG_TAIL, w.log.length)).map((line) => `  ${line}`),
      `Replay: SIM_SEED=${config.seed} SIM_STEPS=${Math.max(failedAt, 1)} npx jest test/simulation`,
    ].join('\n');
  } finally {
    await w.stop().catch((error: unknown) => console.error('stopping the simulated world failed', error));
  }
  const elapsedMs = performance.now() - started;
  const s = w.stats;
  const summary = [
    `seed ${config.seed}: ${config.steps} steps in ${(elapsedMs / 1000).toFixed(1)} s, decisions digest ${hash32(decisions.join('\n')).toString(16).padStart(8, '0')}; ${w.describeConfig()}`,
    `  faults injected ${JSON.stringify(s.faults)}; uncontexted fault draws ${s.uncontextedTransactions}`,
    `  requests ${s.requests}, statuses ${JSON.stringify(s.statuses)}, 5xx ${s.http5xx} (from transient faults, not lost responses: ${s.transientFault5xx}), webhook 5xx ${s.webhook5xx}, worker message failures ${s.workerMessageFailures}`,
    `  jobs ${JSON.stringify(s.jobs)} failure codes ${JSON.stringify(s.failureCodes)}, exact allocations checked ${s.exactAllocations}, settles ${s.settles}, drain rounds ${s.drainRounds}, clock jumps ${s.clockJumps}`,
    `  coupons ${w.model.coupons.length}, payments ${w.model.payments.size}, reversals ${JSON.stringify(s.reversals)}${failure ? '; FAILED' : ''}`,
    `  debt: actions ${s.debt.actions} (reached a debt ${s.debt.reachedDebt}), predicted and checked exactly ${JSON.stringify(s.debt.checked)}, unchecked (order unknown) ${s.debt.unchecked}; in the ledgers ${JSON.stringify(s.debtLedger)}`,
    `  subscriptions: requests ${JSON.stringify(s.subscriptions.requests)}; grants predicted ${JSON.stringify(s.subscriptions.grants)} (${s.subscriptions.grantedCredits} credits), renewals ${s.subscriptions.renewals}, ended ${s.subscriptions.ended}, reversals of subscription payments ${s.subscriptions.reversals}, invoice.paid not ready ${s.subscriptions.invoiceNotReady}`,
    `  payg: invoices paid ${s.payg.invoices} (${s.payg.credits} credits of usage settled), reversals of PAYG payments ${s.payg.reversals}`,
    `  team: ${JSON.stringify(s.team)}`,
    `  videos and cancels: ${JSON.stringify(sortedCounts(s.videos))}; provider calls ${JSON.stringify(w.providers.stats)}; deadline jumps at drains ${s.deadlineJumps}; deliveries not logged one by one ${s.quietDeliveries}`,
    ...(Object.keys(w.knownIssueCounts).length > 0 ? [`  known issues (distinct occurrences): ${JSON.stringify(w.knownIssueCounts)}`] : []),
    ...w.warnings.map((warning) => `  WARNING ${warning}`),
    ...(process.env.SIM_LOG === '1' ? ['  log:', ...w.log.map((line) => `    ${line}`)] : []),
  ].join('\n');
  return { seed: config.seed, failure, summary, warnings: w.warnings, elapsedMs };
}

const sortedCounts = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

class ProblemsFound extends Error {
  constructor(readonly phase: string) {
    super(`invariants broken at ${phase}`);
  }
}
