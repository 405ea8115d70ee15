/**
 * Representative AccountCommits, one per kind of money change the use cases make, built the way
 * those use cases build them (same domain functions, fixed instants). The commit-plan tests turn
 * each into its TransactItems and compare them with what the store wrote before the commit plan
 * existed (commit-plan.golden.json), so a change to the store's translation shows up as a diff.
 */
import type { Account } from '../../../lambdas/domain/account';
import { openAccount } from '../../../lambdas/domain/account';
import { debitWallet } from '../../../lambdas/domain/allocate-debit';
import { AUTO_REFILL_OFF, finishAutoRefill } from '../../../lambdas/domain/auto-refill';
import { PLANS, TOPUP_CENTS_PER_CREDIT } from '../../../lambdas/domain/catalog';
import type { Coupon } from '../../../lambdas/domain/coupon';
import type { CouponCode } from '../../../lambdas/domain/coupon-code';
import { creditNonExpiring, takeBackPayment } from '../../../lambdas/domain/credit';
import type { AccountCommit } from '../../../lambdas/domain/credit-store';
import type { GenerationJob } from '../../../lambdas/domain/generation';
import { failJob, settleJobOnAccount } from '../../../lambdas/domain/job-lifecycle';
import { notePaygUsage, settlePaygInvoice, startPaygInvoice } from '../../../lambdas/domain/payg';
import type { PaymentRecord } from '../../../lambdas/domain/payment-record';
import { grantPaidPeriod } from '../../../lambdas/domain/subscription';
import { dueSubscriptionGrant } from '../../../lambdas/domain/subscription-grant';
import type { Topup } from '../../../lambdas/domain/topup';

const T0 = new Date('2026-11-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const NOW = at(30);
const NOW_ISO = NOW.toISOString();

/** The next state of an account as a use case decides it: the fields that change; its version stays as read (the commit writes the next). */
const advance = (account: Account, fields: Partial<Omit<Account, 'id' | 'version'>>): Account => ({ ...account, ...fields });

/** An account opened at T0 that has been written a few times since (version 4). */
function storedAccount(id: string, fields: Partial<Omit<Account, 'id' | 'version'>> = {}): Account {
  return { ...openAccount(id, T0).account, version: 4, ...fields };
}

function opened(): AccountCommit {
  const { account, change } = openAccount('acc_open', T0);
  return { before: null, after: account, entries: change.entries, at: T0.toISOString(), grantedPeriodStart: account.currentPeriod.start };
}

function generationDebit(): AccountCommit {
  const account = storedAccount('acc_gen');
  const jobId = 'gen_01jc0000000000000000000001';
  const { charges, change } = debitWallet(account.buckets, { costCredits: 12, reference: jobId, now: NOW, payg: { enabled: false, limitCredits: 0 } });
  const job: GenerationJob = {
    id: jobId,
    accountId: account.id,
    status: 'queued',
    model: 'banana-fast',
    count: 2,
    credits: 12,
    charges,
    params: { prompt: 'a banana' },
    createdAt: NOW_ISO,
    updatedAt: NOW_ISO,
    version: 1,
    attempts: 0,
    leaseUntil: null,
    dueAt: at(35).toISOString(),
  };
  return {
    before: account,
    after: advance(account, { buckets: change.buckets, activeJobs: account.activeJobs + 1, payg: notePaygUsage(account.payg, false, NOW) }),
    entries: change.entries,
    at: NOW_ISO,
    generation: { job, idempotency: { key: 'idem-1', requestHash: 'f'.repeat(64), statusCode: 202, responseBody: JSON.stringify({ id: jobId }), createdAt: NOW_ISO } },
  };
}

export const COUPON: Coupon = { code: 'BANANA-2026' as CouponCode, campaign: 'launch', credits: 250, maxRedemptions: 100, redemptions: 7, redeemBy: null, createdAt: T0.toISOString() };

function couponRedemption(): AccountCommit {
  const account = storedAccount('acc_coupon');
  const change = creditNonExpiring(account.buckets, { kind: 'coupon', amountCredits: COUPON.credits, reference: COUPON.code, now: NOW });
  return { before: account, after: advance(account, { buckets: change.buckets }), entries: change.entries, at: NOW_ISO, redemption: { coupon: COUPON } };
}

const TOPUP: Topup = { id: 'top_auto1', accountId: 'acc_pay', purpose: 'auto_refill', credits: 200, amountCents: 200 * TOPUP_CENTS_PER_CREDIT, currency: 'usd', status: 'pending', paymentId: null, createdAt: at(10).toISOString(), updatedAt: at(10).toISOString() };

const PAYMENT: PaymentRecord = { paymentId: 'pi_1', accountId: 'acc_pay', topupId: TOPUP.id, credits: 200, amountCents: TOPUP.amountCents, refundedCredits: 0, disputedCredits: 0, creditedAt: NOW_ISO, updatedAt: NOW_ISO, version: 1 };

/** An auto-refill's payment: credits the top-up and releases the refill lock in the same write (credit-payment.ts). */
function paymentCredit(): AccountCommit {
  const inFlight = { topupId: TOPUP.id, credits: 200, startedAt: at(10).toISOString(), leaseUntil: at(25).toISOString() };
  const account = storedAccount('acc_pay', { autoRefill: { ...AUTO_REFILL_OFF, enabled: true, thresholdCredits: 100, refillCredits: 200, monthlyCapCredits: 1000, inFlight, lastStartedAt: inFlight.startedAt, month: '2026-11', monthCredits: 200, sequence: 1 } });
  const change = creditNonExpiring(account.buckets, { kind: 'topup', amountCredits: 200, reference: PAYMENT.paymentId, now: NOW });
  const released = finishAutoRefill({ ...account, buckets: change.buckets }, TOPUP.id, 'succeeded');
  if (!released) throw new Error('the example refill is in flight');
  return {
    before: account,
    after: released,
    entries: change.entries,
    at: NOW_ISO,
    providerEventId: 'evt_paid',
    payment: { before: null, after: PAYMENT },
    topup: { ...TOPUP, status: 'succeeded', paymentId: PAYMENT.paymentId, updatedAt: NOW_ISO },
  };
}

/** The scheduled FREE grant of the next period (grant-subscriptions.ts). */
function periodGrant(): AccountCommit {
  const account = storedAccount('acc_grant');
  const now = new Date('2026-12-01T10:00:01.000Z');
  const due = dueSubscriptionGrant(account, now);
  if (!due) throw new Error('the example grant is due');
  return { before: account, after: advance(due.account, {}), entries: due.change.entries, at: now.toISOString(), grantedPeriodStart: due.account.currentPeriod.start };
}

/** A top-up's payment refunded in full (reverse-payment.ts): the payment record moves as read, the top-up shows it. */
function paymentReversal(): AccountCommit {
  const credited = creditNonExpiring(storedAccount('acc_pay').buckets, { kind: 'topup', amountCredits: 200, reference: PAYMENT.paymentId, now: NOW });
  const account = storedAccount('acc_pay', { buckets: credited.buckets });
  const later = at(90);
  const laterIso = later.toISOString();
  const { owedCredits, ...change } = takeBackPayment(account.buckets, { credits: 200, reference: PAYMENT.paymentId, now: later });
  const payment = { ...PAYMENT, version: 2 };
  return {
    before: account,
    after: advance(account, { buckets: change.buckets, status: account.status }),
    entries: change.entries,
    at: laterIso,
    providerEventId: 'evt_refund',
    payment: { before: payment, after: { ...payment, refundedCredits: 200, owedCredits, updatedAt: laterIso } },
    topup: { ...TOPUP, status: 'refunded', paymentId: PAYMENT.paymentId, updatedAt: laterIso },
  };
}

/** A job failed: its transition, the refund and the freed slot (finish-generation.ts). */
function jobRefund(): AccountCommit {
  const debit = generationDebit();
  const job = debit.generation!.job;
  const running: GenerationJob = { ...job, status: 'running', attempts: 1, version: 2, leaseUntil: at(40).toISOString(), dueAt: at(40).toISOString() };
  const account: Account = { ...debit.after, version: 5 };
  const finished = failJob(running, { code: 'model_error', message: 'The model failed.' }, at(33));
  const settled = settleJobOnAccount(account, finished, at(33));
  return { before: account, after: settled.account, entries: settled.entries, at: at(33).toISOString(), jobTransition: { before: running, after: finished } };
}

/** A subscription period paid (apply-subscription-event.ts): grant, its marker, the invoice and its payment. */
function subscriptionPeriodPaid(): AccountCommit {
  const account = storedAccount('acc_sub', { plan: 'PRO', subscription: { subscriptionId: 'sub_1', pendingPlan: null, lastEventAt: T0.toISOString() } });
  const period = { start: '2026-12-01T10:00:00.000Z', end: '2027-01-01T10:00:00.000Z' };
  const decided = grantPaidPeriod(account, { subscriptionId: 'sub_1', ...period, plan: 'PRO' }, NOW);
  if (!decided) throw new Error('the example period is not granted yet');
  const credits = PLANS.PRO.monthlyCredits;
  return {
    before: account,
    after: decided.account,
    entries: decided.change.entries,
    at: NOW_ISO,
    providerEventId: 'evt_period',
    grantedPeriodStart: period.start,
    subscriptionInvoice: { kind: 'subscription', id: 'in_1', accountId: account.id, credits, amountCents: PLANS.PRO.priceCents, status: 'paid', providerInvoiceId: 'in_1', paymentId: 'pi_sub', periodStart: period.start, periodEnd: period.end, createdAt: NOW_ISO, updatedAt: NOW_ISO },
    payment: { before: null, after: { paymentId: 'pi_sub', accountId: account.id, paidFor: 'subscription', bucketId: `sub_${period.start}`, providerInvoiceId: 'in_1', topupId: null, credits, amountCents: PLANS.PRO.priceCents, refundedCredits: 0, disputedCredits: 0, creditedAt: NOW_ISO, updatedAt: NOW_ISO, version: 1 } },
  };
}

/** A PRO account that has drawn 40 credits of pay-as-you-go. */
function paygAccount(): Account {
  const account = storedAccount('acc_payg', { plan: 'PRO', paygEnabled: true, buckets: [] });
  const { change } = debitWallet(account.buckets, { costCredits: 40, reference: 'gen_payg', now: NOW, payg: { enabled: true, limitCredits: PLANS.PRO.paygLimitCredits } });
  return { ...account, buckets: change.buckets, payg: notePaygUsage(account.payg, true, NOW) };
}

/** The month's PAYG usage put on an invoice of ours (payg.ts recordInvoice). */
function paygInvoiceRecorded(): AccountCommit {
  const account = paygAccount();
  const started = startPaygInvoice(account, `inv_payg_${account.version + 1}`, TOPUP_CENTS_PER_CREDIT, at(60));
  if (!started) throw new Error('the example account has usage to invoice');
  return { before: account, after: started.account, entries: [], at: at(60).toISOString(), paygInvoice: started.invoice };
}

/** That invoice paid (settle-payg-invoice.ts). */
function paygInvoiceSettled(): AccountCommit {
  const recorded = paygInvoiceRecorded();
  const account: Account = { ...recorded.after, version: recorded.before!.version + 1 };
  const invoice = { ...recorded.paygInvoice!, status: 'open' as const, providerInvoiceId: 'in_payg_1' };
  const settled = settlePaygInvoice(account, invoice, at(120));
  const settledAt = at(120).toISOString();
  return {
    before: account,
    after: settled.account,
    entries: settled.change.entries,
    at: settledAt,
    providerEventId: 'evt_payg_paid',
    paygInvoice: { ...invoice, status: 'paid', paymentId: 'pi_payg', updatedAt: settledAt },
    payment: { before: null, after: { paymentId: 'pi_payg', accountId: account.id, paidFor: 'payg', providerInvoiceId: 'in_payg_1', topupId: null, credits: invoice.credits, amountCents: invoice.amountCents, refundedCredits: 0, disputedCredits: 0, creditedAt: settledAt, updatedAt: settledAt, version: 1 } },
  };
}

/** A change that moves no credits (update-account.ts). */
function settingsChange(): AccountCommit {
  const account = storedAccount('acc_settings');
  return { before: account, after: advance(account, { customerId: 'cus_1' }), entries: [], at: NOW_ISO };
}

/** A member's debit: the spender on the job and entries, the counter on the account, a usage counter added to. */
function memberDebit(): AccountCommit {
  const base = generationDebit();
  const job = { ...base.generation!.job, accountId: 'acc_gen', userId: 'user_m' };
  return {
    ...base,
    after: { ...base.after, team: { members: [{ userId: 'user_m', email: 'm@example.com', role: 'member', monthlyCapCredits: 100, joinedAt: T0.toISOString() }], invites: [], spent: { user_m: { periodStart: base.after.currentPeriod.start, credits: 12 } } } },
    entries: base.entries.map((e) => ({ ...e, userId: 'user_m' })),
    generation: { ...base.generation!, job },
    usage: [{ day: NOW_ISO.slice(0, 10), model: job.model, userId: 'user_m', generations: 1, credits: 12, refundedCredits: 0 }],
  };
}

const INVITE = { codeHash: 'c'.repeat(64), accountId: 'acc_team', inviteId: 'inv_01jc0000000000000000000001', expiresAt: at(7 * 24 * 60).toISOString() };

/** An invite: the account's team gains it, and its code's record is created. */
function teamInvite(): AccountCommit {
  const account = storedAccount('acc_team', { plan: 'TEAM' });
  const invite = { id: INVITE.inviteId, email: 'new@example.com', role: 'member' as const, monthlyCapCredits: null, createdAt: NOW_ISO, expiresAt: INVITE.expiresAt, codeHash: INVITE.codeHash, createdBy: 'acc_team' };
  return { before: account, after: advance(account, { team: { members: [], invites: [invite], spent: {} } }), entries: [], at: NOW_ISO, inviteCode: { ...INVITE, status: 'pending' } };
}

/** A join: the invite becomes a member, its code is used, and the user's link says they are in this team. */
function teamJoin(): AccountCommit {
  const invited = teamInvite();
  return {
    before: invited.after,
    after: advance(invited.after, { team: { members: [{ userId: 'user_new', email: 'new@example.com', role: 'member', monthlyCapCredits: null, joinedAt: NOW_ISO }], invites: [], spent: {} } }),
    entries: [],
    at: NOW_ISO,
    teamLink: { userId: 'user_new', accountId: 'acc_team', status: 'active', updatedAt: NOW_ISO },
    inviteCode: { ...INVITE, status: 'used' },
  };
}

export const COMMIT_EXAMPLES: Readonly<Record<string, () => AccountCommit>> = {
  memberDebit,
  teamInvite,
  teamJoin,
  opened,
  generationDebit,
  couponRedemption,
  paymentCredit,
  periodGrant,
  paymentReversal,
  jobRefund,
  subscriptionPeriodPaid,
  paygInvoiceRecorded,
  paygInvoiceSettled,
  settingsChange,
};
