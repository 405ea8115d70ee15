/**
 * The commit plan on its own: which writes an AccountCommit becomes, each with its role and named
 * condition, and how a cancellation reported by index maps to an outcome. No DynamoDB, no client.
 * (credit-store-commit.test.ts checks the same commits through the store's translation.)
 */
import type { CommitPlan, PlannedWrite } from '../../../lambdas/adapters/dynamodb/commit-plan';
import { commitOutcomeOf, jobTransitionWrite, planCommit } from '../../../lambdas/adapters/dynamodb/commit-plan';
import { CouponAlreadyRedeemedError, CouponExhaustedError } from '../../../lambdas/domain/errors';
import { COMMIT_EXAMPLES } from './commit-examples';

const example = (name: string) => COMMIT_EXAMPLES[name]!();
const shape = (plan: CommitPlan) => plan.writes.map((w) => `${w.role}:${w.condition.kind}`);

describe('planCommit', () => {
  test.each([
    ['opened', ['account:itemIsNew', 'ledger:itemIsNew', 'grant:itemIsNew']],
    ['generationDebit', ['account:accountAtVersion', 'ledger:itemIsNew', 'job:itemIsNew', 'idempotency:itemIsNew']],
    ['couponRedemption', ['account:accountAtVersion', 'ledger:itemIsNew', 'redemption:itemIsNew', 'coupon:couponHasUsesLeft']],
    ['paymentCredit', ['account:accountAtVersion', 'ledger:itemIsNew', 'event:itemIsNew', 'payment:itemIsNew', 'topup:unconditional']],
    ['periodGrant', ['account:accountAtVersion', 'ledger:itemIsNew', 'grant:itemIsNew']],
    ['paymentReversal', ['account:accountAtVersion', 'ledger:itemIsNew', 'event:itemIsNew', 'payment:paymentAtVersion', 'topup:unconditional']],
    ['jobRefund', ['account:accountAtVersion', 'ledger:itemIsNew', 'jobTransition:jobAtVersion']],
    ['subscriptionPeriodPaid', ['account:accountAtVersion', 'ledger:itemIsNew', 'grant:itemIsNew', 'event:itemIsNew', 'payment:itemIsNew', 'invoice:unconditional']],
    ['paygInvoiceRecorded', ['account:accountAtVersion', 'invoice:unconditional']],
    ['paygInvoiceSettled', ['account:accountAtVersion', 'ledger:itemIsNew', 'event:itemIsNew', 'payment:itemIsNew', 'invoice:unconditional']],
    ['settingsChange', ['account:accountAtVersion']],
    ['memberDebit', ['account:accountAtVersion', 'ledger:itemIsNew', 'job:itemIsNew', 'idempotency:itemIsNew', 'usage:unconditional']],
    ['teamInvite', ['account:accountAtVersion', 'inviteCode:itemIsNew']],
    ['teamJoin', ['account:accountAtVersion', 'teamLink:userNotInTeam', 'inviteCode:statusIs']],
  ])('%s: the account first, then its ledger entries, then the records that go with it', (name, expected) => {
    expect(shape(planCommit(example(name)))).toEqual(expected);
  });

  test('the account is guarded by the version it was read at and written at the next one; its entries are keyed by that next version', () => {
    const change = example('generationDebit');
    const plan = planCommit(change);
    const [account, ...rest] = plan.writes;
    expect(plan.version).toBe(change.before!.version + 1);
    expect(account).toMatchObject({ role: 'account', kind: 'put', key: { pk: 'ACCOUNT#acc_gen', sk: 'ACCOUNT' }, condition: { kind: 'accountAtVersion', version: change.before!.version }, item: { version: plan.version } });
    const ledger = rest.filter((w) => w.role === 'ledger');
    expect(ledger.map((w) => w.key.sk)).toEqual(change.entries.map((_, i) => `LEDGER#${String(plan.version).padStart(12, '0')}#${String(i).padStart(3, '0')}`));
  });

  test('a new account is written at version 1, guarded by not existing, whatever version `after` carries', () => {
    const opened = example('opened');
    expect(planCommit({ ...opened, after: { ...opened.after, version: 7 } })).toEqual(planCommit(opened));
    const plan = planCommit(opened);
    expect(plan.version).toBe(1);
    expect(plan.writes[0]).toMatchObject({ role: 'account', condition: { kind: 'itemIsNew' }, item: { version: 1 } });
  });

  test('the idempotency record asks for the stored item when its guard fails; nothing else does', () => {
    const writes = Object.keys(COMMIT_EXAMPLES).flatMap((name) => planCommit(example(name)).writes);
    const asking = writes.filter((w): w is Extract<PlannedWrite, { kind: 'put' }> => w.kind === 'put' && w.returnOldItemOnFailure === true);
    expect(asking.length).toBeGreaterThan(0);
    expect(new Set(asking.map((w) => w.role))).toEqual(new Set(['idempotency']));
  });

  test("a redemption counts against the coupon's maximum in place, never by rewriting the coupon", () => {
    const coupon = planCommit(example('couponRedemption')).writes.find((w) => w.role === 'coupon');
    expect(coupon).toEqual({ role: 'coupon', kind: 'update', key: { pk: 'COUPON#BANANA-2026', sk: 'COUPON' }, update: { kind: 'countCouponRedemption' }, condition: { kind: 'couponHasUsesLeft' } });
  });

  test('a payment record is created once at version 1, or moved from the version it was read at to the next', () => {
    expect(planCommit(example('paymentCredit')).writes.find((w) => w.role === 'payment')).toMatchObject({ condition: { kind: 'itemIsNew' }, item: { version: 1 } });
    const reversal = example('paymentReversal');
    const was = reversal.payment!.before!;
    expect(planCommit(reversal).writes.find((w) => w.role === 'payment')).toMatchObject({ condition: { kind: 'paymentAtVersion', version: was.version }, item: { version: was.version + 1 } });
    expect(() => planCommit({ ...reversal, payment: { before: was, after: { ...reversal.payment!.after, version: was.version + 1 } } })).toThrow('a payment record moves from the version it was read at');
  });

  test('a commit that does not move one account from the version it was read at is refused before anything is written', () => {
    const change = example('settingsChange');
    expect(() => planCommit({ ...change, after: { ...change.after, id: 'acc_other' } })).toThrow('a commit moves one account from the version it was read at');
    // The version is the store's: an `after` bumped by hand (the old habit) is refused, not written twice over.
    expect(() => planCommit({ ...change, after: { ...change.after, version: change.before!.version + 1 } })).toThrow('a commit moves one account from the version it was read at');
  });

  test('a job transition moves one job to its next version, guarded by the version read', () => {
    const { before, after } = example('jobRefund').jobTransition!;
    expect(jobTransitionWrite(before, after)).toMatchObject({ role: 'jobTransition', condition: { kind: 'jobAtVersion', version: before.version }, item: { version: before.version + 1 } });
    expect(() => jobTransitionWrite(before, { ...after, version: before.version + 2 })).toThrow('a job transition moves one job to its next version');
  });
});

describe('commitOutcomeOf', () => {
  const indexOf = (plan: CommitPlan, role: string) => plan.writes.findIndex((w) => w.role === role);
  const failedOn = (plan: CommitPlan, roles: string[], unchecked: string[] = [], oldItem: Record<string, unknown> | null = null) => ({
    ok: false as const,
    transient: false as const,
    failedConditions: roles.map((role) => ({ index: indexOf(plan, role), oldItem })),
    unchecked: unchecked.map((role) => indexOf(plan, role)),
  });

  test('committed, and a transient failure retried with its reason', () => {
    const plan = planCommit(example('settingsChange'));
    expect(commitOutcomeOf(plan, { ok: true })).toEqual({ kind: 'committed', version: plan.version });
    expect(commitOutcomeOf(plan, { ok: false, transient: true, reason: 'TransactionConflict' })).toEqual({ kind: 'retry', reason: 'TransactionConflict' });
  });

  test('the idempotency record wins: the first answer is replayed', () => {
    const plan = planCommit(example('generationDebit'));
    const stored = { key: 'idem-1', requestHash: 'a', statusCode: 202, responseBody: '{}', createdAt: 'then' };
    expect(commitOutcomeOf(plan, failedOn(plan, ['account', 'idempotency'], [], { pk: 'p', sk: 's', kind: 'idempotency', ...stored, expiresAtEpoch: 1 }))).toEqual({ kind: 'idempotent_replay', existing: stored });
  });

  test('by role: event and created payment already applied, a payment moved or a version lost retried', () => {
    const credit = planCommit(example('paymentCredit'));
    expect(commitOutcomeOf(credit, failedOn(credit, ['event']))).toEqual({ kind: 'already_applied', what: 'event' });
    expect(commitOutcomeOf(credit, failedOn(credit, ['payment']))).toEqual({ kind: 'already_applied', what: 'payment' });
    expect(commitOutcomeOf(credit, failedOn(credit, ['account']))).toEqual({ kind: 'retry', reason: 'version_changed' });
    const reversal = planCommit(example('paymentReversal'));
    expect(commitOutcomeOf(reversal, failedOn(reversal, ['payment']))).toEqual({ kind: 'retry', reason: 'version_changed' });
    const grant = planCommit(example('periodGrant'));
    expect(commitOutcomeOf(grant, failedOn(grant, ['grant']))).toEqual({ kind: 'retry', reason: 'version_changed' });
    const job = planCommit(example('jobRefund'));
    expect(commitOutcomeOf(job, failedOn(job, ['jobTransition']))).toEqual({ kind: 'retry', reason: 'version_changed' });
  });

  test('coupons: marker 409, used up 410, used up while the marker went unchecked retried', () => {
    const plan = planCommit(example('couponRedemption'));
    expect(() => commitOutcomeOf(plan, failedOn(plan, ['redemption', 'coupon']))).toThrow(CouponAlreadyRedeemedError);
    expect(() => commitOutcomeOf(plan, failedOn(plan, ['coupon']))).toThrow(CouponExhaustedError);
    expect(commitOutcomeOf(plan, failedOn(plan, ['coupon'], ['redemption']))).toEqual({ kind: 'retry', reason: 'TransactionConflict' });
  });

  test('teams: a user already in a team is refused as such; an invite code used meanwhile, or a lost version, is retried', () => {
    const join = planCommit(example('teamJoin'));
    expect(commitOutcomeOf(join, failedOn(join, ['teamLink']))).toEqual({ kind: 'already_in_team' });
    expect(commitOutcomeOf(join, failedOn(join, ['account', 'teamLink']))).toEqual({ kind: 'already_in_team' });
    expect(commitOutcomeOf(join, failedOn(join, ['inviteCode']))).toEqual({ kind: 'retry', reason: 'version_changed' });
    expect(commitOutcomeOf(join, failedOn(join, ['account']))).toEqual({ kind: 'retry', reason: 'version_changed' });
  });

  test("a member's usage counter is added to, keyed by account, day, model and user, with no guard of its own", () => {
    const usage = planCommit(example('memberDebit')).writes.find((w) => w.role === 'usage');
    expect(usage).toMatchObject({ kind: 'update', key: { pk: 'ACCOUNT#acc_gen', sk: 'USAGE#2026-11-01#banana-fast#user_m' }, update: { kind: 'addUsage', usage: { generations: 1, credits: 12 } }, condition: { kind: 'unconditional' } });
  });

  test('a failed guard no role explains is an error', () => {
    const plan = planCommit(example('generationDebit'));
    expect(() => commitOutcomeOf(plan, failedOn(plan, ['job']))).toThrow('unexpected failed condition on job');
  });
});
