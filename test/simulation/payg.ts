/**
 * Pay-as-you-go on one account (`sim-payg`: PRO, PAYG enabled through `PUT /v1/payg`), kept out of
 * the generic actions so that the model always knows its order: each action makes it exact (a settle
 * point), spends every credit it has and some PAYG headroom with generations (the drain order then
 * PAYG, checked against the model's allocation), sometimes after redeeming a coupon (which repays a
 * debt first), then moves the clock to the next calendar month and runs `payg-invoicing`: the usage
 * is invoiced, the payment simulator charges it and sends `invoice.paid`, the usage stops counting
 * (an adjustment back into the PAYG bucket) and the payment is recorded in the model. The generic
 * `reverse` action then refunds or disputes these payments like any other: the model reopens the
 * usage a PAYG payment settled as a debt (which uses up PAYG headroom) and a won dispute gives it
 * back into the top-up bucket.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { setPlan } from '../support/fixtures';
import type { Action, GenerationRequest } from './actions';
import { spendPieces } from './actions';
import type { ModelPayment, PaymentReversal } from './model';
import { PLAN_SPEC } from './model';
import type { World } from './world';

export const PAYG_ACCOUNT = 'sim-payg';
const PLAN = 'PRO';

/** What the PAYG action needs of the generic actions. */
export interface PaygHost {
  generate(accountId: string, requests: readonly GenerationRequest[]): Promise<void>;
  plainRequest(modelId: string, count: number, fail: boolean): GenerationRequest;
  settleAndCheck(): Promise<void>;
  issueAndRedeem(accountId: string, credits: number): Promise<void>;
  reverseNow(payment: ModelPayment, events: readonly PaymentReversal[]): Promise<void>;
}

interface StoredPaygInvoice {
  readonly id: string;
  readonly kind: string;
  readonly credits: number;
  readonly amountCents: number;
  readonly status: string;
  readonly paymentId?: string | null;
}

export class PaygActions {
  private readonly invoices = new Set<string>();

  constructor(
    private readonly w: World,
    private readonly host: PaygHost,
  ) {}

  private get model() {
    return this.w.model;
  }

  /** Opens the account, puts it on PRO (a fixture, as the other fixed-plan accounts) and enables PAYG through the API. */
  async setup(): Promise<void> {
    const w = this.w;
    const opened = await w.call(`open:${PAYG_ACCOUNT}`, 'GET', '/v1/balance', { as: PAYG_ACCOUNT });
    if (opened.status !== 200) throw new Error(`could not open ${PAYG_ACCOUNT}: ${JSON.stringify(opened.body)}`);
    const stored = await w.store.loadAccount(PAYG_ACCOUNT);
    this.model.openAccount(PAYG_ACCOUNT, new Date(stored!.periodAnchor));
    await setPlan(w.t, PAYG_ACCOUNT, PLAN);
    this.model.account(PAYG_ACCOUNT).plan = PLAN;
    const enabled = await w.call('payg:enable', 'PUT', '/v1/payg', { as: PAYG_ACCOUNT, body: { enabled: true } });
    if (enabled.status !== 200 || enabled.body.enabled !== true) throw new Error(`could not enable PAYG: ${enabled.status} ${JSON.stringify(enabled.body)}`);
    this.model.account(PAYG_ACCOUNT).payg = { limit: PLAN_SPEC[PLAN].paygLimit, settled: new Map() };
  }

  choose(): Action {
    const { rng } = this.w;
    const draw = rng.int(20, 1500);
    const coupon = rng.chance(0.3) ? rng.int(200, 1500) : 0;
    const offset = rng.int(0, 6 * 3600);
    // Sometimes the invoice's payment is taken back at once (the generic `reverse` action may take it back later too).
    const reversal = rng.weighted([
      ['none', 5],
      ['refund-full', 1],
      ['refund-partial', 1],
      ['dispute-lost', 1],
      ['dispute-won', 1],
    ] as const);
    const share = rng.next();
    return {
      name: 'payg',
      detail: `${PAYG_ACCOUNT}: ${coupon ? `a coupon of ${coupon}, ` : ''}spend everything and ${draw} of PAYG headroom, invoice at the next month (+${offset}s)${reversal === 'none' ? '' : `, then ${reversal} of its payment`}`,
      run: async () => {
        const payment = await this.run(draw, coupon, offset);
        if (!payment || reversal === 'none') return;
        const { amountCents } = payment;
        const events: PaymentReversal[] =
          reversal === 'refund-full'
            ? [{ kind: 'refund', totalRefunded: amountCents }]
            : reversal === 'refund-partial'
              ? [{ kind: 'refund', totalRefunded: Math.max(1, Math.floor(share * amountCents)) }]
              : [{ kind: 'dispute_opened' }, { kind: reversal === 'dispute-won' ? 'dispute_won' : 'dispute_lost' }];
        await this.host.reverseNow(payment, events);
      },
    };
  }

  /** Returns the payment of the invoice it paid, if any. */
  private async run(draw: number, coupon: number, offset: number): Promise<ModelPayment | undefined> {
    const w = this.w;
    const model = this.model;
    if (!model.isExact(PAYG_ACCOUNT)) await this.host.settleAndCheck();
    if (w.problems.length > 0) return undefined;
    if (coupon > 0) await this.host.issueAndRedeem(PAYG_ACCOUNT, coupon);

    // Spend down: every credit, then up to `draw` of the headroom (limit, less the PAYG used and any debt).
    const usedBefore = model.paygUsed(PAYG_ACCOUNT);
    const drawn = Math.min(draw, model.paygHeadroom(PAYG_ACCOUNT));
    w.note(`  available ${model.available(PAYG_ACCOUNT, w.now())}, PAYG used ${usedBefore}, owed ${model.owed(PAYG_ACCOUNT)}, headroom ${model.paygHeadroom(PAYG_ACCOUNT)}: drawing ${drawn}`);
    for (let round = 0; round < 10; round += 1) {
      const left = model.available(PAYG_ACCOUNT, w.now()) + Math.max(0, drawn - (model.paygUsed(PAYG_ACCOUNT) - usedBefore));
      const pieces = spendPieces(left, PLAN_SPEC[PLAN].maxCountPerRequest).slice(0, PLAN_SPEC[PLAN].maxConcurrentJobs);
      if (pieces.length === 0) break;
      for (const [modelId, count] of pieces) await this.host.generate(PAYG_ACCOUNT, [this.host.plainRequest(modelId, count, false)]);
      await this.host.settleAndCheck();
      if (w.problems.length > 0) return undefined;
    }
    const used = model.paygUsed(PAYG_ACCOUNT);
    if (used === 0) {
      w.note('  no PAYG usage to invoice');
      return undefined;
    }

    // The invoicing job, at the first instant of the next calendar month (UTC) and a little after.
    const now = w.now();
    const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) + 15 * 60_000 + offset * 1000;
    await w.jumpClock((next - now.getTime()) / 1000);
    w.stats.clockJumps += 1;
    // Without injected faults: a failed send is retried by a later run after a backoff the model does not follow (its own tests cover it).
    const faults = w.faultsOn;
    w.faultsOn = false;
    const run = await w.runJob('payg-invoicing').finally(() => (w.faultsOn = faults));
    await w.t.payments.settle();
    const result = run.result as { invoiced?: number; credits?: number; failures?: number } | undefined;
    w.note(`  payg-invoicing at ${w.now().toISOString()} → ${JSON.stringify(result)}; the model: ${used} credits used`);
    if (result?.invoiced !== 1 || result.credits !== used || result.failures !== 0) w.problem(`payg-invoicing answered ${JSON.stringify(result)}; the model expects one invoice of ${used} credits`);

    const fresh = (await this.storedInvoices()).filter((i) => !this.invoices.has(i.id));
    for (const invoice of fresh) this.invoices.add(invoice.id);
    const [invoice] = fresh;
    const charged = invoice?.paymentId ? w.t.payments.paymentAmountCents(invoice.paymentId) : null;
    if (fresh.length !== 1 || !invoice || invoice.credits !== used || invoice.status !== 'paid' || !invoice.paymentId || charged !== invoice.amountCents || invoice.amountCents <= 0) {
      w.problem(`${PAYG_ACCOUNT}: after invoicing ${used} credits of PAYG usage the new invoices are ${JSON.stringify(fresh)} (the simulator charged ${charged})`);
      return undefined;
    }
    model.settlePayg(PAYG_ACCOUNT, invoice.id, invoice.credits);
    model.addPayment({ paymentId: invoice.paymentId, accountId: PAYG_ACCOUNT, credits: invoice.credits, amountCents: invoice.amountCents, source: 'simulator', paidFor: 'payg', creditable: true, status: 'credited', invoiceId: invoice.id });
    w.stats.payg.invoices += 1;
    w.stats.payg.credits += invoice.credits;
    return model.payments.get(invoice.paymentId);
  }

  private async storedInvoices(): Promise<StoredPaygInvoice[]> {
    const { db, tableName } = this.w.t.table;
    const page = await db.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': `ACCOUNT#${PAYG_ACCOUNT}`, ':p': 'INVOICE#' }, ConsistentRead: true }));
    return ((page.Items ?? []) as StoredPaygInvoice[]).filter((i) => i.kind === 'payg');
  }
}
