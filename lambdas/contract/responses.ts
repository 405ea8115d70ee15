/**
 * The HTTP API's answers as zod schemas: what the OpenAPI document (lambdas/contract/document.ts)
 * publishes for every success and error. The use cases' own types are checked against them at
 * compile time (lambdas/contract/conformance.ts), so a use case cannot change its answer without
 * the contract following.
 */
import * as z from 'zod';
import type { ErrorCode } from '../domain/errors';
import { STATUS_BY_CODE } from '../shared/http-errors';

const Credits = z.int().meta({ description: 'A number of credits.' });
const Timestamp = z.iso.datetime({ offset: true }).meta({ description: 'An ISO 8601 instant (UTC).', example: '2026-12-05T18:00:00.000Z' });
const Cursor = z.string().nullable().meta({ description: 'Pass it back as `?cursor=` for the next page; null on the last page.' });
const Money = z.object({ value: z.int().meta({ description: 'Cents.' }), currency: z.literal('usd') }).meta({ id: 'Money' });

export const ERROR_CODES = Object.keys(STATUS_BY_CODE) as ErrorCode[];

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]).meta({ description: 'Stable, snake_case; see each operation for the codes it can answer.' }),
      message: z.string().meta({ description: 'In words, for a person; may change.' }),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error', description: 'The one error envelope of every 4xx and 5xx answer.', example: { error: { code: 'insufficient_credits', message: 'Not enough credits: 40 needed, 12 available.' } } });

export const BucketType = z.enum(['subscription', 'coupon', 'topup', 'payg', 'debt']).meta({ id: 'BucketType' });
export const LedgerEntryType = z.enum(['grant', 'coupon', 'topup', 'debit', 'refund', 'expire', 'adjustment']).meta({ id: 'LedgerEntryType' });
export const PlanId = z.enum(['FREE', 'BEGINNER', 'PRO', 'TEAM']).meta({ id: 'PlanId' });

export const PricingResponse = z
  .object({
    models: z.array(
      z
        .object({
          id: z.string(),
          name: z.string(),
          kind: z.enum(['image', 'video']),
          unit: z.enum(['image', 'video']),
          credits: Credits.meta({ description: 'Credits per output.' }),
          options: z
            .object({
              aspectRatios: z.array(z.string()),
              resolutions: z.array(z.string()).optional(),
              durationsSeconds: z.array(z.int()).optional(),
              seed: z.boolean(),
              maxReferenceImages: z.int(),
              maxCount: z.int().optional().meta({ description: 'The most outputs one request may ask for, where the model (not only the plan) limits it: 1 for videos.' }),
            })
            .meta({ id: 'ModelOptions', description: 'What a generation of this model may ask for in `params` besides its prompt.' }),
        })
        .meta({ id: 'ModelPrice' }),
    ),
    topup: z.object({ centsPerCredit: z.int().meta({ description: 'US cents per top-up credit.' }) }),
  })
  .meta({ id: 'Pricing', example: { models: [{ id: 'nano-banana-2', name: 'Nano Banana 2', kind: 'image', unit: 'image', credits: 8, options: { aspectRatios: ['1:1', '16:9'], seed: true, maxReferenceImages: 3 } }], topup: { centsPerCredit: 1 } } });

export const Balance = z
  .object({
    accountId: z.string(),
    available: Credits.meta({ description: 'Spendable now, PAYG headroom excluded.' }),
    buckets: z.array(z.object({ id: z.string(), type: BucketType, balance: z.int(), expiresAt: Timestamp.nullable() }).meta({ id: 'Bucket' })).meta({ description: 'In drain order.' }),
    payg: z.object({ enabled: z.boolean(), limit: Credits, used: Credits }),
  })
  .meta({ id: 'Balance', example: { accountId: 'user_1', available: 100, buckets: [{ id: 'coupon', type: 'coupon', balance: 100, expiresAt: null }], payg: { enabled: false, limit: 0, used: 0 } } });

export const LedgerEntry = z
  .object({
    id: z.string(),
    at: Timestamp,
    type: LedgerEntryType,
    amount: z.int().meta({ description: 'Signed: positive adds credits to the bucket.' }),
    bucketId: z.string(),
    bucketType: BucketType,
    balanceAfter: z.int(),
    reference: z.string().meta({ description: 'What caused it: job id, coupon code, payment id or grant period.' }),
    userId: z.string().optional().meta({ description: "On a generation's debit and refund: the member who asked for it." }),
  })
  .meta({ id: 'LedgerEntry' });

export const LedgerPage = z.object({ entries: z.array(LedgerEntry), nextCursor: Cursor }).meta({ id: 'LedgerPage' });

export const Charge = z.object({ bucketId: z.string(), bucketType: BucketType, amount: Credits }).meta({ id: 'Charge' });

export const QuoteResponse = z
  .object({
    model: z.string(),
    count: z.int(),
    credits: Credits,
    affordable: z.boolean().meta({ description: "Whether the balance (and PAYG headroom) covers it now, within the caller's monthly cap." }),
    charges: z.array(Charge).meta({ description: 'Which buckets would pay, in drain order, if generated now (empty when not affordable). Advice: the generation allocates again when it is paid.' }),
    memberCap: z
      .object({ capCredits: Credits, spentCredits: Credits.meta({ description: 'Spent this billing period of the wallet.' }) })
      .nullable()
      .meta({ description: "The caller's monthly cap on this wallet; null when uncapped (the owner always)." }),
  })
  .meta({ id: 'Quote', example: { model: 'nano-banana-2', count: 2, credits: 16, affordable: true, charges: [{ bucketId: 'sub:2026-12-01', bucketType: 'subscription', amount: 10 }, { bucketId: 'coupon', bucketType: 'coupon', amount: 6 }], memberCap: null } });

export const GenerationAccepted = z
  .object({ id: z.string(), status: z.literal('queued'), model: z.string(), count: z.int(), credits: Credits, charges: z.array(Charge) })
  .meta({ id: 'GenerationAccepted', example: { id: 'gen_01jf0000000000000000000000', status: 'queued', model: 'nano-banana-2', count: 1, credits: 8, charges: [{ bucketId: 'coupon', bucketType: 'coupon', amount: 8 }] } });

export const GenerationOutput = z
  .object({
    id: z.string().meta({ description: '`<generation id>/<index>`: names this output as a reference image of a later generation.', example: 'gen_01jf0000000000000000000000/0' }),
    url: z.string().meta({ description: 'A presigned GET of the stored output, valid until `expiresAt`; fetch the generation again for a fresh one.' }),
    contentType: z.string().meta({ example: 'image/png' }),
    sizeBytes: z.int(),
    expiresAt: Timestamp,
  })
  .meta({ id: 'GenerationOutput' });

export const Generation = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).meta({ description: '`cancelled`: stopped at the request of its owner (or an admin) before it produced anything, and refunded.' }),
    model: z.string(),
    count: z.int(),
    credits: Credits,
    charges: z.array(Charge),
    prompt: z.string().optional(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    outputs: z.array(GenerationOutput).optional().meta({ description: 'Once succeeded: the stored outputs, each with a short-lived link.' }),
    error: z
      .object({
        code: z.string().meta({ description: '`refused` (the provider refused the request: the message says why), `provider_unavailable`, `provider_error`, `timeout`, `worker_crashed`, `expired`, `cancelled`, `model_error` (the simulated model).' }),
        message: z.string(),
      })
      .optional(),
    refund: z.object({ credits: Credits, at: Timestamp }).optional().meta({ description: 'Set once a failed or cancelled job\'s credits went back to the buckets that paid.' }),
  })
  .meta({ id: 'Generation' });

export const GenerationPage = z.object({ generations: z.array(Generation), nextCursor: Cursor }).meta({ id: 'GenerationPage' });

export const CouponRedeemed = z.object({ code: z.string(), credits: Credits, available: Credits }).meta({ id: 'CouponRedeemed', example: { code: 'WELCOME-ABCD-EFGH', credits: 100, available: 200 } });

export const CouponsCreated = z.object({ campaign: z.string(), credits: Credits, codes: z.array(z.string()) }).meta({ id: 'CouponsCreated' });

export const TopupStarted = z
  .object({
    id: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed', 'refunded', 'disputed']),
    credits: Credits,
    amount: Money,
    clientSecret: z.string().nullable().meta({ description: 'For Stripe\'s Payment Element; null once nothing is left to confirm.' }),
  })
  .meta({ id: 'TopupStarted' });

export const AutoRefill = z
  .object({
    enabled: z.boolean(),
    thresholdCredits: Credits,
    refillCredits: Credits,
    monthlyCapCredits: Credits,
    disabledReason: z.string().nullable(),
    refillInFlight: z.boolean(),
    creditsThisMonth: Credits,
    card: z.object({ brand: z.string(), last4: z.string() }).nullable().meta({ description: 'The saved card, for the owner only (null for members).' }),
  })
  .meta({ id: 'AutoRefill' });

export const SubscriptionRequested = z
  .object({
    plan: z.enum(['BEGINNER', 'PRO', 'TEAM']),
    subscriptionId: z.string(),
    status: z.string(),
    clientSecret: z.string().nullable(),
    effective: z.enum(['now', 'at_renewal', 'when_paid']),
    message: z.string().nullable(),
  })
  .meta({ id: 'SubscriptionRequested' });

export const SubscriptionCanceled = z.object({ cancelAtPeriodEnd: z.literal(true), endsAt: Timestamp }).meta({ id: 'SubscriptionCanceled' });

export const PaygSetting = z.object({ enabled: z.boolean() }).meta({ id: 'PaygSetting' });

export const BillingTopup = z
  .object({ id: z.string(), purpose: z.enum(['topup', 'auto_refill']), credits: Credits, amount: Money, status: z.enum(['pending', 'succeeded', 'failed', 'refunded', 'disputed']), paymentId: z.string().nullable(), createdAt: Timestamp })
  .meta({ id: 'BillingTopup' });

export const BillingInvoice = z
  .object({
    id: z.string(),
    kind: z.enum(['payg', 'subscription']),
    credits: Credits,
    amount: Money,
    status: z.enum(['pending', 'open', 'paid']),
    paymentId: z.string().nullable(),
    createdAt: Timestamp,
    periodStart: Timestamp.optional().meta({ description: 'Subscription invoices only.' }),
    periodEnd: Timestamp.optional(),
  })
  .meta({ id: 'BillingInvoice' });

export const UsageLimits = z
  .object({
    plan: PlanId,
    monthlyCredits: Credits,
    priceCents: z.int(),
    maxConcurrentJobs: z.int(),
    maxCountPerRequest: z.int(),
    paygLimitCredits: Credits,
    minTopupCredits: Credits,
    maxTopupCredits: Credits,
    seats: z.int(),
  })
  .meta({ id: 'UsageLimits' });

export const Billing = z
  .object({
    accountId: z.string(),
    plan: z.object({ id: PlanId, monthlyCredits: Credits, priceCents: z.int() }),
    status: z.enum(['active', 'past_due', 'canceled']),
    renewsAt: Timestamp,
    cancelAtPeriodEnd: z.boolean(),
    balance: Balance,
    debtCredits: Credits.meta({ description: 'Spent from payments later refunded or disputed; paid off by the next credits.' }),
    recentLedger: z.array(LedgerEntry),
    topups: z.array(BillingTopup),
    invoices: z.array(BillingInvoice),
    usageLimits: z.array(UsageLimits),
    autoRefill: AutoRefill,
  })
  .meta({ id: 'Billing' });

export const WebhookReceived = z.object({ received: z.literal(true), result: z.string().meta({ description: 'What the event did (or why it was ignored).' }) }).meta({ id: 'WebhookReceived' });

/** The document itself: an OpenAPI 3.1 object, left open here (its own schema is OpenAPI's). */
export const OpenApiDocumentResponse = z.looseObject({ openapi: z.string() }).meta({ id: 'OpenApiDocument' });

const TeamRole = z.enum(['owner', 'admin', 'member']).meta({ id: 'TeamRole' });
const InvitedRole = z.enum(['admin', 'member']).meta({ id: 'InvitedRole' });
const MonthlyCap = Credits.nullable().meta({ description: 'Credits per billing period of the wallet; null = no cap.' });

export const TeamMember = z
  .object({ userId: z.string(), email: z.string().nullable(), role: TeamRole, monthlyCapCredits: MonthlyCap, spentThisPeriodCredits: Credits, joinedAt: Timestamp })
  .meta({ id: 'TeamMember' });

export const TeamInvite = z.object({ id: z.string(), email: z.string(), role: InvitedRole, monthlyCapCredits: MonthlyCap, expiresAt: Timestamp }).meta({ id: 'TeamInvite' });

export const Team = z
  .object({
    accountId: z.string(),
    plan: z.string(),
    seats: z.object({ limit: z.int(), used: z.int().meta({ description: 'The owner, the members and the pending invites.' }) }),
    members: z.array(TeamMember).meta({ description: 'The owner first. A member sees only their own row.' }),
    invites: z.array(TeamInvite).meta({ description: 'Pending invites (owner and admins only).' }),
  })
  .meta({ id: 'Team' });

export const InviteCreated = TeamInvite.extend({ code: z.string().meta({ description: 'Single use, valid 7 days; shown only now.', example: 'JOIN-7KQ2-M9XR-4TWB-HC3P' }) }).meta({ id: 'InviteCreated' });

export const TeamJoined = z.object({ accountId: z.string(), role: InvitedRole }).meta({ id: 'TeamJoined' });

const UsageNumbers = { generations: z.int(), credits: Credits, refundedCredits: Credits };
export const UsageReport = z
  .object({
    rows: z.array(z.object({ userId: z.string().optional(), model: z.string().optional(), day: z.string().optional(), ...UsageNumbers }).meta({ id: 'UsageRow' })),
    totals: z.object(UsageNumbers),
  })
  .meta({ id: 'UsageReport' });

export const NoContent = z.null().meta({ description: 'No body.' });
