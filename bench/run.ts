/**
 * `npm run bench`: every figure in one run on one engine (this machine is shared and noisy, so
 * read ratios, not absolutes). Writes bench/results.json and bench/throughput.svg and prints a summary.
 * BENCH_SECONDS (default 3) sets each throughput measurement's duration.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import Stripe from 'stripe';
import { close, createLocalHttpServer, listen } from '../bin/local/http-server';
import { toRecord } from '../bin/local/sqs-poller';
import { paygTermsOf } from '../lambdas/domain/account';
import { debitWallet } from '../lambdas/domain/allocate-debit';
import { InsufficientCreditsError, WriteConflictError } from '../lambdas/domain/errors';
import { getOrOpenAccount } from '../lambdas/use-cases/open-account';
import { createInvite, joinTeam } from '../lambdas/use-cases/team';
import { done, retry, withOptimisticRetry } from '../lambdas/use-cases/optimistic-retry';
import { throughputChart } from './chart';
import type { BenchService } from './engines';
import { startBenchService } from './engines';
import type { Throughput } from './measure';
import { percentiles, round, throughput, timeEach } from './measure';
import { measureBundles } from './bundles';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCIES = [1, 16, 64];
const OUT_DIR = __dirname;

async function main(): Promise<void> {
  const b = await startBenchService();
  try {
    const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, secondsPerMeasurement: SECONDS, dynamoDbLocalStartupMs: b.engine.startupMs };
    await rawTransactions(b, 1, 1); // warm the engine's JIT before measuring
    await rawTransactions(b, 16, 1);

    const raw: Throughput[] = [];
    for (const c of CONCURRENCIES) raw.push(await rawTransactions(b, c, SECONDS));
    const accounts = await prepareAccounts(b, 900);
    const inProcess: Throughput[] = [];
    for (const c of CONCURRENCIES) inProcess.push(await debits(b, accounts, c, 'in-process'));
    const overHttp: Throughput[] = [];
    for (const c of CONCURRENCIES) overHttp.push(await debits(b, accounts, c, 'http'));
    results.throughput = CONCURRENCIES.map((c, i) => ({
      concurrency: c,
      rawTransactWritesPerSecond: raw[i]!.perSecond,
      debitsPerSecondInProcess: inProcess[i]!.perSecond,
      debitsPerSecondOverHttp: overHttp[i]!.perSecond,
      ratioInProcess: round(inProcess[i]!.perSecond / raw[i]!.perSecond),
      ratioOverHttp: round(overHttp[i]!.perSecond / raw[i]!.perSecond),
      errors: { raw: raw[i]!.errors, inProcess: inProcess[i]!.errors, overHttp: overHttp[i]!.errors },
    }));
    writeFileSync(
      join(OUT_DIR, 'throughput.svg'),
      throughputChart([
        { name: 'raw 3-item transaction', points: raw.map((r) => ({ x: r.concurrency, y: r.perSecond })) },
        { name: 'debit, in-process', points: inProcess.map((r) => ({ x: r.concurrency, y: r.perSecond })) },
        { name: 'debit, over HTTP', points: overHttp.map((r) => ({ x: r.concurrency, y: r.perSecond })) },
      ]),
    );
    results.memberDebits = await memberDebits(b);
    results.latencyMsPerRoute = await routeLatencies(b, accounts);
    results.dynamoDbPerOperation = await callsPerOperation(b, accounts);
    results.hotAccount = await hotAccount(b, 500);
    results.hotAccountThroughApi = await hotAccountThroughApi(b, 500);
    results.bundles = await measureBundles();
    writeFileSync(join(OUT_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify(results, null, 2));
  } finally {
    await b.stop();
  }
}

/** (1) The engine's ceiling: 3-item TransactWriteItems (an update and two puts), each worker on its own items. */
let rawRun = 0;
async function rawTransactions(b: BenchService, concurrency: number, seconds: number) {
  rawRun += 1;
  const run = rawRun;
  return throughput(concurrency, seconds, async (worker, i) => {
    const pk = `RAW#${run}#${worker}`;
    await b.plainDb.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: b.tableName, Key: { pk, sk: 'COUNTER' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } },
          { Put: { TableName: b.tableName, Item: { pk, sk: `E#${i}#a` }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: b.tableName, Item: { pk, sk: `E#${i}#b` }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
    return true;
  });
}

interface BenchAccount {
  readonly id: string;
  readonly token: string;
}

/** TEAM accounts (20 concurrent jobs each) with their 100 FREE-grant credits: 20 debits of 5 each. */
async function prepareAccounts(b: BenchService, count: number, prefix = 'bench'): Promise<BenchAccount[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const accounts: BenchAccount[] = [];
  for (let i = 0; i < ids.length; i += 32) {
    accounts.push(
      ...(await Promise.all(
        ids.slice(i, i + 32).map(async (id) => {
          const account = await getOrOpenAccount(b.service.deps, id);
          await b.service.deps.store.commit({ before: account, after: { ...account, plan: 'TEAM' }, entries: [], at: b.clock.now().toISOString() });
          return { id, token: await b.token(id) };
        }),
      )),
    );
  }
  return accounts;
}

let nextAccount = 0;
/**
 * (2) Debits through the full handler path: POST /v1/generations, in-process or over HTTP. Takes
 * accounts from the shared cursor, or from `accounts` itself starting at `start` (its own pool).
 */
async function debits(b: BenchService, accounts: BenchAccount[], concurrency: number, mode: 'in-process' | 'http', start?: number) {
  let next = start ?? nextAccount;
  const server = mode === 'http' ? createLocalHttpServer({ gateway: b.gateway }) : null;
  const address = server ? await listen(server, 0, '127.0.0.1') : null;
  const call = async (account: BenchAccount, key: string) => {
    const headers = { authorization: `Bearer ${account.token}`, 'content-type': 'application/json', 'idempotency-key': key };
    const body = JSON.stringify({ model: 'gpt-image-2', count: 1, params: { prompt: 'a bench image' } });
    if (!address) return (await b.gateway({ method: 'POST', path: '/v1/generations', headers, body })).statusCode;
    const response = await fetch(`http://127.0.0.1:${address.port}/v1/generations`, { method: 'POST', headers, body });
    await response.arrayBuffer();
    return response.status;
  };
  const perWorker = new Map<number, { account: BenchAccount; used: number }>();
  const result = await throughput(concurrency, SECONDS, async (worker, i) => {
    let slot = perWorker.get(worker);
    if (!slot || slot.used === 20) {
      const account = accounts[next++];
      if (!account) throw new Error('ran out of bench accounts');
      slot = { account, used: 0 };
      perWorker.set(worker, slot);
    }
    slot.used += 1;
    return (await call(slot.account, `${mode}-${concurrency}-${worker}-${i}`)) === 202;
  });
  if (server) await close(server);
  const accountsUsed = next - (start ?? nextAccount);
  if (start === undefined) nextAccount = next;
  return { ...result, accountsUsed };
}

/**
 * (2b) A team member's debits against their owner's, in the same run: the member's membership and
 * cap are read with the account and checked and counted in the same transaction, so the goal is a
 * ratio of at least 0.9. Owner and member runs alternate (owner, member, owner, member) at
 * concurrency 16, each on fresh TEAM wallets; the member has a cap that never binds.
 */
async function memberDebits(b: BenchService) {
  const owners = await prepareAccounts(b, 300, 'bench-owner');
  const teams = await prepareAccounts(b, 300, 'bench-team');
  const members: BenchAccount[] = [];
  for (let i = 0; i < teams.length; i += 16) {
    members.push(
      ...(await Promise.all(
        teams.slice(i, i + 16).map(async (wallet) => {
          const memberId = `${wallet.id}-member`;
          const invite = await createInvite(b.service.deps, { userId: wallet.id, accountId: wallet.id, isAdmin: false }, { email: `${memberId}@example.com`, role: 'member', monthlyCapCredits: 1_000_000 });
          await joinTeam(b.service.deps, memberId, invite.code);
          return { id: wallet.id, token: await b.token(memberId, undefined, wallet.id) };
        }),
      )),
    );
  }
  const runs: Array<{ who: 'owner' | 'member'; perSecond: number; errors: number }> = [];
  const pools = { owner: owners, member: members };
  const cursor = { owner: 0, member: 0 };
  for (const who of ['owner', 'member', 'owner', 'member'] as const) {
    const pool = pools[who].slice(cursor[who]);
    const result = await debits(b, pool, 16, 'in-process', 0);
    cursor[who] += result.accountsUsed;
    runs.push({ who, perSecond: result.perSecond, errors: result.errors });
  }
  const mean = (who: 'owner' | 'member') => runs.filter((r) => r.who === who).reduce((s, r) => s + r.perSecond, 0) / 2;
  b.meter.reset();
  const probe = members[members.length - 1]!;
  await b.gateway({ method: 'POST', path: '/v1/generations', headers: { authorization: `Bearer ${probe.token}`, 'content-type': 'application/json', 'idempotency-key': 'member-calls-probe' }, body: JSON.stringify({ model: 'gpt-image-2', count: 1, params: { prompt: 'a bench image' } }) });
  return {
    concurrency: 16,
    runs,
    ownerDebitsPerSecond: round(mean('owner')),
    memberDebitsPerSecond: round(mean('member')),
    ratioMemberToOwner: round(mean('member') / mean('owner')),
    goal: '>= 0.9',
    memberDebitDynamoDbCalls: { ...b.meter.calls },
  };
}

/** (3) p50/p95/p99 per route, sequential calls through the gateway (JWT check included). */
async function routeLatencies(b: BenchService, accounts: BenchAccount[]) {
  const n = 200;
  const reader = accounts[accounts.length - 1]!;
  const admin = await b.token('bench-admin', ['admin']);
  const call = (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) =>
    b.gateway({ method, path, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', ...headers }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const codes = await call('POST', '/v1/admin/coupons', admin, { campaign: 'BENCH', credits: 10, count: 1, maxRedemptions: 100000 });
  const code = (JSON.parse(codes.body) as { codes: string[] }).codes[0]!;
  const redeemers = await Promise.all(Array.from({ length: n }, (_, i) => b.token(`redeemer-${i}`)));
  const generators = accounts.slice(nextAccount, nextAccount + Math.ceil(n / 20));
  nextAccount += generators.length;
  const job = JSON.parse((await call('POST', '/v1/generations', reader.token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a bench image' } }, { 'idempotency-key': 'latency-probe' })).body) as { id: string };
  const routes: Record<string, (i: number) => Promise<unknown>> = {
    'GET /v1/pricing': () => call('GET', '/v1/pricing'),
    'POST /v1/quotes': () => call('POST', '/v1/quotes', reader.token, { model: 'nano-banana-2', count: 2 }),
    'GET /v1/balance': () => call('GET', '/v1/balance', reader.token),
    'GET /v1/ledger': () => call('GET', '/v1/ledger?limit=20', reader.token),
    'POST /v1/generations': (i) => call('POST', '/v1/generations', generators[Math.floor(i / 20)]!.token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a bench image' } }, { 'idempotency-key': `latency-${i}` }),
    'GET /v1/generations/{id}': () => call('GET', `/v1/generations/${job.id}`, reader.token),
    'GET /v1/generations': () => call('GET', '/v1/generations?limit=20', reader.token),
    'POST /v1/coupons/redeem': (i) => call('POST', '/v1/coupons/redeem', redeemers[i], { code }),
    'GET /v1/billing': () => call('GET', '/v1/billing', reader.token),
    'POST /v1/topups': (i) => call('POST', '/v1/topups', reader.token, { credits: 100 }, { 'idempotency-key': `latency-topup-${i}` }),
    'POST /v1/webhooks/stripe (payment succeeded)': (i) => deliverPayment(b, reader.id, `pi_latency_${i}`, 100),
  };
  const out: Record<string, ReturnType<typeof percentiles>> = {};
  for (const [route, op] of Object.entries(routes)) out[route] = percentiles(await timeEach(n, op));
  await b.payments.settle();
  return out;
}

function deliverPayment(b: BenchService, accountId: string, paymentId: string, credits: number) {
  const payload = JSON.stringify({
    id: `evt_${paymentId}`,
    object: 'event',
    created: Math.floor(Date.now() / 1000),
    type: 'payment_intent.succeeded',
    data: { object: { id: paymentId, object: 'payment_intent', amount_received: credits, metadata: { account_id: accountId, credits: String(credits), purpose: 'topup' } } },
  });
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: b.webhookSecret });
  return b.gateway({ method: 'POST', path: '/v1/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload });
}

/** (4) DynamoDB calls and consumed capacity units of one of each money operation. */
async function callsPerOperation(b: BenchService, accounts: BenchAccount[]) {
  const account = accounts[nextAccount++]!;
  const admin = await b.token('bench-admin', ['admin']);
  const measure = async (op: () => Promise<unknown>) => {
    b.meter.reset();
    await op();
    return { calls: { ...b.meter.calls }, total: Object.values(b.meter.calls).reduce((s, n) => s + n, 0), capacityUnits: round(b.meter.capacity) };
  };
  const post = (path: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
    b.gateway({ method: 'POST', path, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const coupon = JSON.parse((await post('/v1/admin/coupons', admin, { campaign: 'OPS', credits: 10, count: 1 })).body) as { codes: string[] };

  const debit = await measure(() => post('/v1/generations', account.token, { model: 'gpt-image-2', count: 1, params: { prompt: 'a bench image', simulate: 'fail' } }, { 'idempotency-key': 'ops-debit' }));
  const job = (JSON.parse((await b.gateway({ method: 'GET', path: '/v1/generations?limit=1', headers: { authorization: `Bearer ${account.token}` } })).body) as { generations: Array<{ id: string }> }).generations[0]!;
  const refund = await measure(() => b.service.queueHandlers.jobs(jobEvent(account.id, job.id), {} as never));
  const redemption = await measure(() => post('/v1/coupons/redeem', account.token, { code: coupon.codes[0] }));
  const topupCredit = await measure(() => deliverPayment(b, account.id, 'pi_ops_credit', 100));
  b.clock.advance(32 * 24 * 3600);
  const grantRun = await measure(() => b.service.jobs['subscription-grants']!());
  const granted = (await b.service.jobs['subscription-grants']!()) as unknown;
  void granted;
  const grantedAccounts = Number(grantRun.calls.TransactWriteCommand ?? 0);
  return {
    debit,
    refund: { ...refund, note: 'the worker claiming the job, calling the (simulated, failing) model and refunding' },
    redemption,
    topupCredit,
    grant: { perGrantCalls: round(grantRun.total / Math.max(1, grantedAccounts)), perGrantCapacityUnits: round(grantRun.capacityUnits / Math.max(1, grantedAccounts)), accountsGranted: grantedAccounts, note: 'one subscription-grants run over every due account, divided by the grants it wrote' },
  };
}

function jobEvent(accountId: string, jobId: string): SQSEvent {
  return { Records: [toRecord({ MessageId: 'bench', ReceiptHandle: 'bench', Body: JSON.stringify({ accountId, jobId }) }, 'arn:aws:sqs:us-east-1:000000000000:bench-jobs')] };
}

/** (5) One hot account: `n` concurrent debits of 1 credit against n/2 credits, through the store's optimistic retries. */
async function hotAccount(b: BenchService, n: number) {
  const deps = b.service.deps;
  const opened = await getOrOpenAccount(deps, 'hot-account');
  // Top it up to n/2 spendable credits with a coupon-style credit of our own (a grant bucket already holds 100).
  const admin = await b.token('bench-admin', ['admin']);
  const coupon = JSON.parse((await b.gateway({ method: 'POST', path: '/v1/admin/coupons', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ campaign: 'HOT', credits: n / 2 - 100, count: 1 }) })).body) as { codes: string[] };
  await b.gateway({ method: 'POST', path: '/v1/coupons/redeem', headers: { authorization: `Bearer ${await b.token('hot-account')}`, 'content-type': 'application/json' }, body: JSON.stringify({ code: coupon.codes[0] }) });
  void opened;
  b.meter.reset();
  const started = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      withOptimisticRetry(async () => {
        const account = await deps.store.loadAccount('hot-account');
        const now = deps.clock.now();
        const { change } = debitWallet(account!.buckets, { costCredits: 1, reference: `hot-${i}`, now, payg: paygTermsOf(account!) });
        const outcome = await deps.store.commit({ before: account, after: { ...account!, buckets: change.buckets }, entries: change.entries, at: now.toISOString() });
        return outcome.kind === 'committed' ? done('accepted' as const) : retry(outcome.kind);
      }).catch((error: unknown) => (error instanceof InsufficientCreditsError ? 'refused' : error instanceof WriteConflictError ? 'gave_up' : 'error')),
    ),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const transactions = b.meter.calls.TransactWriteCommand ?? 0;
  const accepted = outcomes.filter((o) => o === 'accepted').length;
  return {
    concurrentDebits: n,
    creditsAvailable: n / 2,
    accepted,
    refused: outcomes.filter((o) => o === 'refused').length,
    gaveUpAfterConflicts: outcomes.filter((o) => o === 'gave_up').length,
    errors: outcomes.filter((o) => o === 'error').length,
    transactionAttempts: transactions,
    lostRaces: transactions - accepted,
    reads: b.meter.calls.BatchGetCommand ?? 0,
    wallSeconds: round(wallSeconds),
    acceptedPerSecond: round(accepted / wallSeconds),
  };
}

/**
 * (5b) The same burst as a client would send it: `n` concurrent POST /v1/generations on one TEAM
 * account with credits for all of them. The plan's in-flight limit (checked in the same write)
 * decides most of them at once: only requests that still see a free slot race for the account.
 */
async function hotAccountThroughApi(b: BenchService, n: number) {
  const id = 'hot-api-account';
  const account = await getOrOpenAccount(b.service.deps, id);
  await b.service.deps.store.commit({ before: account, after: { ...account, plan: 'TEAM' }, entries: [], at: b.clock.now().toISOString() });
  const token = await b.token(id);
  const admin = await b.token('bench-admin', ['admin']);
  const post = (path: string, bearer: string, body: unknown) =>
    b.gateway({ method: 'POST', path, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const coupon = JSON.parse((await post('/v1/admin/coupons', admin, { campaign: 'HOTAPI', credits: 10 * n, count: 1 })).body) as { codes: string[] };
  await post('/v1/coupons/redeem', token, { code: coupon.codes[0] });
  b.meter.reset();
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      b.gateway({ method: 'POST', path: '/v1/generations', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `hot-api-${i}` }, body: JSON.stringify({ model: 'nano-banana-2', count: 1, params: { prompt: 'a bench image' } }) }).then((r) => r.statusCode),
    ),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const count = (status: number) => statuses.filter((s) => s === status).length;
  const transactions = b.meter.calls.TransactWriteCommand ?? 0;
  return {
    concurrentRequests: n,
    plan: 'TEAM',
    accepted: count(202),
    refusedConcurrencyLimit: count(429),
    refusedInsufficientCredits: count(402),
    writeConflicts: count(409),
    other: statuses.filter((s) => ![202, 429, 402, 409].includes(s)).length,
    transactionAttempts: transactions,
    reads: b.meter.calls.BatchGetCommand ?? 0,
    wallSeconds: round(wallSeconds),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
