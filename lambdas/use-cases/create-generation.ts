/**
 * Accepts a paid generation request:
 * 1. read the account and any earlier answer to this Idempotency-Key (one read);
 * 2. a known key answers as the first time did (or 422 if the request differs);
 * 3. check the caller is an active member (from that read), price it, check the plan's limits and
 *    the member's monthly cap, allocate the debit over the buckets;
 * 4. write the debit (with the member's spending counter), its ledger entries, the job, the usage
 *    counter and the idempotency record in one transaction guarded by the account's version, so a
 *    removal or a cap change racing it is either before it or makes it read again;
 * 5. enqueue the job (and, when the debit crossed the auto-refill threshold, a refill request). If that send fails nothing is lost: the job is due in the reaper's index and
 *    is enqueued again (or refunded) from there.
 * A lost race goes back to 1.
 */
import type { Charge } from '../domain/allocate-debit';
import { debitWallet } from '../domain/allocate-debit';
import { paygTermsOf } from '../domain/account';
import { needsAutoRefill } from '../domain/auto-refill';
import { PLANS, findModel } from '../domain/catalog';
import type { GenerationParams } from '../domain/generation-params';
import { assertParamsFit } from '../domain/generation-params';
import { DomainError } from '../domain/errors';
import { ConcurrencyLimitError, IdempotencyKeyReusedError } from '../domain/errors';
import type { GenerationJob, JobRef } from '../domain/generation';
import { firstDueAt } from '../domain/job-lifecycle';
import { notePaygUsage } from '../domain/payg';
import { errorFacts } from '../shared/error-facts';
import { log } from '../shared/logger';
import { quoteGeneration } from '../domain/generation';
import { authorize, chargeMember } from '../domain/team';
import { utcDay } from '../domain/usage';
import type { IdempotencyRecord } from '../domain/idempotency';
import { canonicalJson, sha256Hex } from '../shared/canonical-json';
import type { UseCaseDeps } from './context';
import { openMissingAccount } from './open-account';
import { referencedOutput } from './referenced-output';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export interface CreateGenerationInput {
  readonly accountId: string;
  /** Who asks: a member of the wallet (checked against the wallet read here, inside the debit's guard). */
  readonly userId: string;
  readonly idempotencyKey: string;
  readonly model: string;
  readonly count: number;
  readonly params: GenerationParams;
}

export interface GenerationAccepted {
  readonly id: string;
  readonly status: 'queued';
  readonly model: string;
  readonly count: number;
  readonly credits: number;
  readonly charges: readonly Charge[];
}

export async function createGeneration(deps: UseCaseDeps, input: CreateGenerationInput): Promise<GenerationAccepted> {
  const requestHash = sha256Hex(canonicalJson({ model: input.model, count: input.count, params: input.params }));
  const replay = (record: IdempotencyRecord): GenerationAccepted => {
    if (record.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    return JSON.parse(record.responseBody) as GenerationAccepted;
  };

  // Members share the wallet, not their keys: a member's key is stored as "<userId> <key>". Keys are
  // printable ASCII without spaces (IDEMPOTENCY_KEY_PATTERN) and user ids have none either, so no
  // owner's key and no other member's can be the same string.
  const idempotencyKey = input.userId === input.accountId ? input.idempotencyKey : `${input.userId} ${input.idempotencyKey}`;
  // What the model cannot run never costs credits.
  assertParamsFit(findModel(input.model), input.params);
  let referencesChecked = false;
  const accepted = await withOptimisticRetry(async () => {
    const { account, idempotency } = await deps.store.loadForGeneration(input.accountId, idempotencyKey);
    authorize(account, input, 'member');
    if (idempotency) return done({ accepted: replay(idempotency), fresh: false, refill: false });
    if (!referencesChecked) {
      await assertReferencesExist(deps, input.accountId, input.params.referenceImages ?? []);
      referencesChecked = true;
    }
    if (!account) {
      await openMissingAccount(deps, input.accountId);
      return retry('account_opened');
    }
    const quote = quoteGeneration(account.plan, input.model, input.count);
    const plan = PLANS[account.plan];
    if (account.activeJobs >= plan.maxConcurrentJobs) throw new ConcurrencyLimitError(plan.maxConcurrentJobs);
    const team = chargeMember(account, input.userId, quote.credits);

    const now = deps.clock.now();
    const at = now.toISOString();
    const jobId = deps.ids.next('gen');
    const { charges, change } = debitWallet(account.buckets, { costCredits: quote.credits, reference: jobId, now, payg: paygTermsOf(account) });
    const job: GenerationJob = {
      id: jobId,
      accountId: account.id,
      userId: input.userId,
      status: 'queued',
      model: quote.model,
      count: quote.count,
      credits: quote.credits,
      charges,
      params: input.params,
      createdAt: at,
      updatedAt: at,
      version: 1,
      attempts: 0,
      leaseUntil: null,
      dueAt: firstDueAt(now, deps.jobTimings),
    };
    const accepted: GenerationAccepted = { id: job.id, status: 'queued', model: job.model, count: job.count, credits: job.credits, charges };
    const outcome = await deps.store.commit({
      before: account,
      after: {
        ...account,
        buckets: change.buckets,
        activeJobs: account.activeJobs + 1,
        payg: notePaygUsage(account.payg, charges.some((c) => c.bucketType === 'payg'), now),
        team,
      },
      entries: change.entries.map((e) => ({ ...e, userId: input.userId })),
      at,
      usage: [{ day: utcDay(at), model: job.model, userId: input.userId, generations: 1, credits: job.credits, refundedCredits: 0 }],
      generation: { job, idempotency: { key: idempotencyKey, requestHash, statusCode: 202, responseBody: JSON.stringify(accepted), createdAt: at } },
    });
    if (outcome.kind === 'committed') return done({ accepted, fresh: true, refill: needsAutoRefill({ ...account, buckets: change.buckets }, now) });
    if (outcome.kind === 'idempotent_replay') return done({ accepted: replay(outcome.existing), fresh: false, refill: false });
    return retry(outcome.kind === 'retry' ? outcome.reason : outcome.kind);
  });
  if (accepted.fresh) await enqueueOrLeaveToReaper(deps, { accountId: input.accountId, jobId: accepted.accepted.id });
  if (accepted.refill) await deps.jobQueue.enqueueAutoRefill(input.accountId).catch((error: unknown) => log().warn('could not ask for an auto-refill; the sweep will', errorFacts(error)));
  return accepted.accepted;
}

/** Each reference image must be an image output of a generation of this wallet that succeeded. */
async function assertReferencesExist(deps: UseCaseDeps, accountId: string, references: readonly string[]): Promise<void> {
  const issues: Array<{ path: string; message: string }> = [];
  for (const [i, reference] of references.entries()) {
    const output = await referencedOutput(deps, accountId, reference);
    if (!output || !output.contentType.startsWith('image/')) issues.push({ path: `body.params.referenceImages.${i}`, message: `${reference} is not an image output of this wallet.` });
  }
  if (issues.length > 0) throw new DomainError('invalid_request', issues.map((i) => i.message).join(' '), { issues });
}

async function enqueueOrLeaveToReaper(deps: UseCaseDeps, ref: JobRef): Promise<void> {
  try {
    await deps.jobQueue.enqueue(ref);
  } catch (error) {
    log().warn('could not enqueue an accepted job; the stuck-job reaper will', { jobId: ref.jobId, ...errorFacts(error) });
  }
}
