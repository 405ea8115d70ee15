/**
 * The HTTP API's route table: API Gateway (CDK) and the local gateway are both built from it, so a
 * route exists in both or in neither. `entry` is the Lambda entry file that serves it in AWS.
 */
import type { UseCaseDeps } from '../../use-cases/context';
import type { FunctionAccess } from '../../shared/function-access';
import type { HttpHandler, HttpMethod } from '../../shared/http-route';
import { createGetAutoRefillHandler, createPutAutoRefillHandler, getHandler as getAutoRefillLambda, putHandler as putAutoRefillLambda } from './auto-refill';
import { createCouponsHandler, handler as createCouponsLambda } from './create-coupons';
import { createGenerationHandler, handler as createGenerationLambda } from './create-generation';
import { createQuoteHandler, handler as createQuoteLambda } from './create-quote';
import { createTopupHandler, handler as createTopupLambda } from './create-topup';
import { createPutPaygHandler, handler as putPaygLambda } from './payg';
import { createStripeWebhookHandler, handler as stripeWebhookLambda } from './stripe-webhook';
import { createDeleteSubscriptionHandler, createPostSubscriptionHandler, deleteHandler as deleteSubscriptionLambda, postHandler as postSubscriptionLambda } from './subscription';
import { createGetBalanceHandler, handler as getBalanceLambda } from './get-balance';
import { createGetBillingHandler, handler as getBillingLambda } from './get-billing';
import { createGetGenerationHandler, handler as getGenerationLambda } from './get-generation';
import { createCancelGenerationHandler, handler as cancelGenerationLambda } from './cancel-generation';
import { createGetOpenApiHandler, handler as getOpenApiLambda } from './get-openapi';
import { createGetPricingHandler, handler as getPricingLambda } from './get-pricing';
import { createListGenerationsHandler, handler as listGenerationsLambda } from './list-generations';
import { createListLedgerHandler, handler as listLedgerLambda } from './list-ledger';
import { createRedeemCouponHandler, handler as redeemCouponLambda } from './redeem-coupon';
import * as team from './team';
import { createGetUsageHandler, handler as getUsageLambda } from './get-usage';

export interface RouteSpec {
  readonly method: HttpMethod;
  readonly path: string;
  readonly auth: 'none' | 'jwt';
  readonly functionName: string;
  /** Entry file relative to lambdas/handlers/http/, with `#export` when the handler is not `handler`. */
  readonly entry: string;
  readonly create: (deps: UseCaseDeps) => HttpHandler;
  /** The entry's Lambda handler, with its one declaration of what it may touch (the CDK app grants that). */
  readonly deployed: { readonly access: FunctionAccess };
}

export const HTTP_ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/v1/pricing', auth: 'none', functionName: 'get-pricing', entry: 'get-pricing.ts', create: createGetPricingHandler, deployed: getPricingLambda },
  { method: 'GET', path: '/v1/openapi.json', auth: 'none', functionName: 'get-openapi', entry: 'get-openapi.ts', create: createGetOpenApiHandler, deployed: getOpenApiLambda },
  { method: 'POST', path: '/v1/quotes', auth: 'jwt', functionName: 'create-quote', entry: 'create-quote.ts', create: createQuoteHandler, deployed: createQuoteLambda },
  { method: 'GET', path: '/v1/balance', auth: 'jwt', functionName: 'get-balance', entry: 'get-balance.ts', create: createGetBalanceHandler, deployed: getBalanceLambda },
  { method: 'GET', path: '/v1/ledger', auth: 'jwt', functionName: 'list-ledger', entry: 'list-ledger.ts', create: createListLedgerHandler, deployed: listLedgerLambda },
  { method: 'POST', path: '/v1/generations', auth: 'jwt', functionName: 'create-generation', entry: 'create-generation.ts', create: createGenerationHandler, deployed: createGenerationLambda },
  { method: 'GET', path: '/v1/generations', auth: 'jwt', functionName: 'list-generations', entry: 'list-generations.ts', create: createListGenerationsHandler, deployed: listGenerationsLambda },
  { method: 'GET', path: '/v1/generations/{id}', auth: 'jwt', functionName: 'get-generation', entry: 'get-generation.ts', create: createGetGenerationHandler, deployed: getGenerationLambda },
  { method: 'POST', path: '/v1/generations/{id}/cancel', auth: 'jwt', functionName: 'cancel-generation', entry: 'cancel-generation.ts', create: createCancelGenerationHandler, deployed: cancelGenerationLambda },
  { method: 'POST', path: '/v1/coupons/redeem', auth: 'jwt', functionName: 'redeem-coupon', entry: 'redeem-coupon.ts', create: createRedeemCouponHandler, deployed: redeemCouponLambda },
  { method: 'POST', path: '/v1/admin/coupons', auth: 'jwt', functionName: 'create-coupons', entry: 'create-coupons.ts', create: createCouponsHandler, deployed: createCouponsLambda },
  { method: 'POST', path: '/v1/topups', auth: 'jwt', functionName: 'create-topup', entry: 'create-topup.ts', create: createTopupHandler, deployed: createTopupLambda },
  { method: 'POST', path: '/v1/webhooks/stripe', auth: 'none', functionName: 'stripe-webhook', entry: 'stripe-webhook.ts', create: createStripeWebhookHandler, deployed: stripeWebhookLambda },
  { method: 'GET', path: '/v1/auto-refill', auth: 'jwt', functionName: 'get-auto-refill', entry: 'auto-refill.ts#getHandler', create: createGetAutoRefillHandler, deployed: getAutoRefillLambda },
  { method: 'PUT', path: '/v1/auto-refill', auth: 'jwt', functionName: 'put-auto-refill', entry: 'auto-refill.ts#putHandler', create: createPutAutoRefillHandler, deployed: putAutoRefillLambda },
  { method: 'POST', path: '/v1/subscription', auth: 'jwt', functionName: 'post-subscription', entry: 'subscription.ts#postHandler', create: createPostSubscriptionHandler, deployed: postSubscriptionLambda },
  { method: 'DELETE', path: '/v1/subscription', auth: 'jwt', functionName: 'delete-subscription', entry: 'subscription.ts#deleteHandler', create: createDeleteSubscriptionHandler, deployed: deleteSubscriptionLambda },
  { method: 'PUT', path: '/v1/payg', auth: 'jwt', functionName: 'put-payg', entry: 'payg.ts', create: createPutPaygHandler, deployed: putPaygLambda },
  { method: 'GET', path: '/v1/billing', auth: 'jwt', functionName: 'get-billing', entry: 'get-billing.ts', create: createGetBillingHandler, deployed: getBillingLambda },
  { method: 'GET', path: '/v1/team', auth: 'jwt', functionName: 'get-team', entry: 'team.ts#getHandler', create: team.createGetTeamHandler, deployed: team.getHandler },
  { method: 'POST', path: '/v1/team/invites', auth: 'jwt', functionName: 'post-team-invite', entry: 'team.ts#postInviteHandler', create: team.createPostInviteHandler, deployed: team.postInviteHandler },
  { method: 'DELETE', path: '/v1/team/invites/{id}', auth: 'jwt', functionName: 'delete-team-invite', entry: 'team.ts#deleteInviteHandler', create: team.createDeleteInviteHandler, deployed: team.deleteInviteHandler },
  { method: 'POST', path: '/v1/team/join', auth: 'jwt', functionName: 'post-team-join', entry: 'team.ts#postJoinHandler', create: team.createPostJoinHandler, deployed: team.postJoinHandler },
  { method: 'PATCH', path: '/v1/team/members/{userId}', auth: 'jwt', functionName: 'patch-team-member', entry: 'team.ts#patchMemberHandler', create: team.createPatchMemberHandler, deployed: team.patchMemberHandler },
  { method: 'DELETE', path: '/v1/team/members/{userId}', auth: 'jwt', functionName: 'delete-team-member', entry: 'team.ts#deleteMemberHandler', create: team.createDeleteMemberHandler, deployed: team.deleteMemberHandler },
  { method: 'GET', path: '/v1/usage', auth: 'jwt', functionName: 'get-usage', entry: 'get-usage.ts', create: createGetUsageHandler, deployed: getUsageLambda },
];
