/**
 * Every routed operation's contract, keyed `METHOD path` exactly as in the route table
 * (lambdas/handlers/http/routes.ts, the source of truth: a test fails when a route has no entry here
 * or an entry has no route). Requests reuse the schemas the handlers parse with; answers are
 * lambdas/contract/responses.ts. `errors` lists the error codes the operation can answer with; the
 * status of each comes from the one table in lambdas/shared/http-errors.ts.
 */
import * as z from 'zod';
import type { ErrorCode } from '../domain/errors';
import { AutoRefillBody } from '../handlers/http/auto-refill';
import { CreateCouponsBody } from '../handlers/http/create-coupons';
import { GenerationBody } from '../handlers/http/create-generation';
import { QuoteBody } from '../handlers/http/create-quote';
import { TopupBody } from '../handlers/http/create-topup';
import { JOB_ID_PATTERN } from '../handlers/http/get-generation';
import { IDEMPOTENCY_KEY_PATTERN } from '../handlers/http/idempotency-key';
import { ListQuery } from '../handlers/http/list-generations';
import { LedgerQuery } from '../handlers/http/list-ledger';
import { PaygBody } from '../handlers/http/payg';
import { RedeemBody } from '../handlers/http/redeem-coupon';
import { SubscriptionBody } from '../handlers/http/subscription';
import { INVITE_ID_PATTERN, InviteBody, JoinBody, MemberPatchBody } from '../handlers/http/team';
import { USER_ID_PATTERN } from '../shared/caller';
import { UsageQuery } from '../handlers/http/get-usage';
import * as R from './responses';

/** Who may call: any member of the selected wallet, its owner and admins (`manager`), its owner, the admin group, any signed-in user (`signed-in`, acting for themselves), or Stripe. */
export type Security = 'none' | 'account' | 'manager' | 'owner' | 'admin' | 'signed-in' | 'stripe-signature';

export interface OperationContract {
  readonly operationId: string;
  readonly summary: string;
  /** The rules, where the summary cannot say them. */
  readonly description?: string;
  readonly tags: readonly string[];
  readonly security: Security;
  readonly body?: z.ZodType;
  readonly query?: z.ZodObject;
  readonly path?: z.ZodObject;
  readonly idempotencyKey?: boolean;
  readonly success: { readonly status: number; readonly description: string; readonly schema: z.ZodType };
  /** Codes beyond those every operation of its kind can answer (see `errorCodesOf`). */
  readonly errors: readonly ErrorCode[];
}

export const IdempotencyKey = z.string().regex(IDEMPOTENCY_KEY_PATTERN).meta({ description: 'Required. A key of your choice (e.g. a UUID): a retry with the same key and body answers the first answer, never charges twice.', example: '3f6d2c1e-8a4b-4f7e-9a51-2b8c7d0e1f23' });

export const OPERATIONS: Readonly<Record<string, OperationContract>> = {
  'GET /v1/pricing': { operationId: 'getPricing', summary: 'What each model costs per output', tags: ['pricing'], security: 'none', success: { status: 200, description: 'The price list', schema: R.PricingResponse }, errors: [] },
  'GET /v1/openapi.json': { operationId: 'getOpenApiDocument', summary: 'This document', tags: ['contract'], security: 'none', success: { status: 200, description: 'The OpenAPI 3.1 document of this API', schema: R.OpenApiDocumentResponse }, errors: [] },
  'POST /v1/quotes': { operationId: 'createQuote', summary: 'The price of a generation before it is made', tags: ['generations'], security: 'account', body: QuoteBody, success: { status: 200, description: 'The quote', schema: R.QuoteResponse }, errors: ['unknown_model', 'count_above_plan_limit', 'write_conflict'] },
  'GET /v1/balance': { operationId: 'getBalance', summary: 'Spendable credits and their buckets in drain order', tags: ['balance'], security: 'account', success: { status: 200, description: 'The balance', schema: R.Balance }, errors: ['write_conflict'] },
  'GET /v1/ledger': { operationId: 'listLedger', summary: 'The ledger, newest first', tags: ['balance'], security: 'account', query: LedgerQuery, success: { status: 200, description: 'A page of ledger entries', schema: R.LedgerPage }, errors: ['write_conflict'] },
  'POST /v1/generations': {
    operationId: 'createGeneration',
    summary: 'Pay for a generation and queue it',
    tags: ['generations'],
    security: 'account',
    body: GenerationBody,
    idempotencyKey: true,
    success: { status: 202, description: 'Paid and queued, with what was charged where', schema: R.GenerationAccepted },
    errors: ['idempotency_key_required', 'idempotency_key_reused', 'unknown_model', 'count_above_plan_limit', 'insufficient_credits', 'member_cap_reached', 'concurrency_limit', 'write_conflict'],
  },
  'GET /v1/generations': { operationId: 'listGenerations', summary: 'Recent generations, newest first', tags: ['generations'], security: 'account', query: ListQuery, success: { status: 200, description: 'A page of generations', schema: R.GenerationPage }, errors: [] },
  'GET /v1/generations/{id}': {
    operationId: 'getGeneration',
    summary: 'One of the caller\'s generations',
    tags: ['generations'],
    security: 'account',
    path: z.object({ id: z.string().meta({ description: 'The generation id (`gen_` + 26 characters); another account\'s is 404.', example: 'gen_01jf0000000000000000000000', pattern: JOB_ID_PATTERN.source }) }),
    success: { status: 200, description: 'The generation', schema: R.Generation },
    errors: ['generation_not_found'],
  },
  'POST /v1/generations/{id}/cancel': {
    operationId: 'cancelGeneration',
    summary: 'Cancel a queued or running generation, refunding it unless the model already completed it',
    description:
      'Queued: it never runs, and is refunded. Running: the provider is asked to stop it where it can; it is refunded unless the provider had already completed it (then 409 `generation_finished`, and the outputs arrive as usual). Who asked for it, an admin or the owner may cancel it.',
    tags: ['generations'],
    security: 'account',
    path: z.object({ id: z.string().meta({ description: 'The generation id.', example: 'gen_01jf0000000000000000000000', pattern: JOB_ID_PATTERN.source }) }),
    success: { status: 200, description: 'The cancelled generation, with its refund', schema: R.Generation },
    errors: ['generation_not_found', 'generation_finished', 'forbidden', 'write_conflict'],
  },
  'POST /v1/coupons/redeem': {
    operationId: 'redeemCoupon',
    summary: 'Credit a coupon to the caller\'s account, once per account',
    tags: ['coupons'],
    security: 'account',
    body: RedeemBody,
    success: { status: 200, description: 'Redeemed', schema: R.CouponRedeemed },
    errors: ['invalid_coupon_code', 'coupon_not_found', 'coupon_already_redeemed', 'coupon_expired', 'coupon_exhausted', 'too_many_attempts', 'write_conflict'],
  },
  'POST /v1/admin/coupons': { operationId: 'createCoupons', summary: 'Issue a batch of coupon codes (admin group)', tags: ['admin'], security: 'admin', body: CreateCouponsBody, success: { status: 201, description: 'The codes issued', schema: R.CouponsCreated }, errors: ['write_conflict'] },
  'POST /v1/topups': {
    operationId: 'createTopup',
    summary: 'Start a card payment for credits (owner); they land once it succeeds',
    tags: ['payments'],
    security: 'owner',
    body: TopupBody,
    idempotencyKey: true,
    success: { status: 201, description: 'The pending top-up and the client secret to pay it', schema: R.TopupStarted },
    errors: ['idempotency_key_required', 'idempotency_key_reused', 'payment_provider_error', 'payments_not_configured', 'write_conflict'],
  },
  'POST /v1/webhooks/stripe': {
    operationId: 'stripeWebhook',
    summary: 'Stripe events (signed; applied once)',
    tags: ['payments'],
    security: 'stripe-signature',
    body: z.looseObject({ id: z.string(), type: z.string() }).meta({ id: 'StripeEvent', description: 'A Stripe event, verified on its raw bytes.' }),
    success: { status: 200, description: 'Received (applied, already applied, or ignored)', schema: R.WebhookReceived },
    errors: ['invalid_signature', 'payments_not_configured', 'event_not_ready', 'payment_provider_error', 'write_conflict'],
  },
  'GET /v1/auto-refill': { operationId: 'getAutoRefill', summary: 'Auto-refill settings and state (the saved card for the owner only)', tags: ['payments'], security: 'account', success: { status: 200, description: 'The settings', schema: R.AutoRefill }, errors: ['payment_provider_error', 'payments_not_configured', 'write_conflict'] },
  'PUT /v1/auto-refill': { operationId: 'putAutoRefill', summary: 'Turn auto-refill on or off, or change its amounts (owner)', tags: ['payments'], security: 'owner', body: AutoRefillBody, success: { status: 200, description: 'The settings as saved', schema: R.AutoRefill }, errors: ['payment_method_required', 'payment_provider_error', 'payments_not_configured', 'write_conflict'] },
  'POST /v1/subscription': { operationId: 'changeSubscription', summary: 'Subscribe, or change plan with proration (owner)', tags: ['subscription'], security: 'owner', body: SubscriptionBody, success: { status: 200, description: 'What was asked of Stripe and when it takes effect', schema: R.SubscriptionRequested }, errors: ['too_many_members', 'payment_provider_error', 'payments_not_configured', 'write_conflict'] },
  'DELETE /v1/subscription': { operationId: 'cancelSubscription', summary: 'Cancel at the end of the paid period (owner)', tags: ['subscription'], security: 'owner', success: { status: 200, description: 'Canceled at period end', schema: R.SubscriptionCanceled }, errors: ['no_subscription', 'payment_provider_error', 'payments_not_configured', 'write_conflict'] },
  'PUT /v1/payg': { operationId: 'putPayg', summary: 'Pay-as-you-go on or off (owner)', tags: ['payments'], security: 'owner', body: PaygBody, success: { status: 200, description: 'The setting as saved', schema: R.PaygSetting }, errors: ['payment_method_required', 'payment_provider_error', 'payments_not_configured', 'write_conflict'] },
  'GET /v1/team': { operationId: 'getTeam', summary: 'The wallet\'s seats, members and pending invites (a member: their own row)', tags: ['team'], security: 'account', success: { status: 200, description: 'The team', schema: R.Team }, errors: ['write_conflict'] },
  'POST /v1/team/invites': {
    operationId: 'createTeamInvite',
    summary: 'Invite someone to the wallet (owner, admin); the invite holds a seat until used, revoked or expired',
    tags: ['team'],
    security: 'manager',
    body: InviteBody,
    success: { status: 201, description: 'The invite, with its code (shown once)', schema: R.InviteCreated },
    errors: ['seat_limit_reached', 'already_invited', 'write_conflict'],
  },
  'DELETE /v1/team/invites/{id}': {
    operationId: 'revokeTeamInvite',
    summary: 'Revoke a pending invite (owner, admin); its seat is free again',
    tags: ['team'],
    security: 'manager',
    path: z.object({ id: z.string().meta({ description: 'The invite id (`inv_` + 26 characters).', example: 'inv_01jf0000000000000000000000', pattern: INVITE_ID_PATTERN.source }) }),
    success: { status: 204, description: 'Revoked', schema: R.NoContent },
    errors: ['invite_not_found', 'write_conflict'],
  },
  'POST /v1/team/join': {
    operationId: 'joinTeam',
    summary: 'Join the wallet an invite code leads to (for yourself)',
    tags: ['team'],
    security: 'signed-in',
    body: JoinBody,
    success: { status: 200, description: 'Joined', schema: R.TeamJoined },
    errors: ['invite_not_found', 'invite_expired', 'already_in_team', 'seat_limit_reached', 'write_conflict'],
  },
  'PATCH /v1/team/members/{userId}': {
    operationId: 'changeTeamMember',
    summary: 'Change a member\'s role or monthly cap (owner; admins change members, not the owner or admins)',
    tags: ['team'],
    security: 'manager',
    path: z.object({ userId: z.string().meta({ description: 'The member\'s user id.', pattern: USER_ID_PATTERN.source }) }),
    body: MemberPatchBody,
    success: { status: 200, description: 'The member as changed', schema: R.TeamMember },
    errors: ['member_not_found', 'write_conflict'],
  },
  'DELETE /v1/team/members/{userId}': {
    operationId: 'removeTeamMember',
    summary: 'Remove a member (owner, admin), or leave (any member); the owner cannot be removed',
    tags: ['team'],
    security: 'account',
    path: z.object({ userId: z.string().meta({ description: 'The member\'s user id (your own to leave).', pattern: USER_ID_PATTERN.source }) }),
    success: { status: 204, description: 'Removed: their next request is refused', schema: R.NoContent },
    errors: ['forbidden', 'member_not_found', 'write_conflict'],
  },
  'GET /v1/usage': {
    operationId: 'getUsage',
    summary: 'Generations and credits by member, model and day (a member: their own), at most 93 days',
    tags: ['team'],
    security: 'account',
    query: UsageQuery,
    success: { status: 200, description: 'The usage', schema: R.UsageReport },
    errors: [],
  },
  'GET /v1/billing': { operationId: 'getBilling', summary: 'Everything the billing page shows (owner)', tags: ['billing'], security: 'owner', success: { status: 200, description: 'The billing page', schema: R.Billing }, errors: ['write_conflict'] },
};

/** Every code an operation can answer: its own, and those its security, body and query bring. */
export function errorCodesOf(op: OperationContract): ErrorCode[] {
  // Every handler reads its raw body (rawBodyOf), so any route refuses an oversized one.
  const codes = new Set<ErrorCode>(['internal_error', 'payload_too_large']);
  if (op.security !== 'none' && op.security !== 'stripe-signature') codes.add('unauthorized');
  if (op.security === 'owner' || op.security === 'manager' || op.security === 'admin') codes.add('forbidden');
  // A wallet the caller is not an active member of (the token's account_id only selects it).
  if (op.security === 'account' || op.security === 'owner' || op.security === 'manager') for (const c of ['not_a_member', 'member_suspended'] as const) codes.add(c);
  if (op.body) for (const c of ['invalid_request', 'invalid_json', 'unsupported_media_type'] as const) codes.add(c);
  // A path parameter the gateway cannot decode (`%zz`) is refused with invalid_request.
  if (op.query || op.path || op.idempotencyKey) codes.add('invalid_request');
  // The webhook reads its body raw (signature first), so JSON and media-type refusals never apply.
  if (op.security === 'stripe-signature') for (const c of ['invalid_request', 'invalid_json', 'unsupported_media_type'] as const) codes.delete(c);
  for (const c of op.errors) codes.add(c);
  return [...codes];
}
