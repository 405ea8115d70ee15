/**
 * The HTTP API's route table: API Gateway (CDK) and the local gateway are both built from it, so a
 * route exists in both or in neither. `entry` is the Lambda entry file that serves it in AWS.
 */
import type { UseCaseDeps } from '../../use-cases/context';
import type { HttpHandler, HttpMethod } from '../../shared/http-route';
import { createGetAutoRefillHandler, createPutAutoRefillHandler } from './auto-refill';
import { createCouponsHandler } from './create-coupons';
import { createGenerationHandler } from './create-generation';
import { createQuoteHandler } from './create-quote';
import { createTopupHandler } from './create-topup';
import { createPutPaygHandler } from './payg';
import { createStripeWebhookHandler } from './stripe-webhook';
import { createDeleteSubscriptionHandler, createPostSubscriptionHandler } from './subscription';
import { createGetBalanceHandler } from './get-balance';
import { createGetBillingHandler } from './get-billing';
import { createGetGenerationHandler } from './get-generation';
import { createGetPricingHandler } from './get-pricing';
import { createListGenerationsHandler } from './list-generations';
import { createListLedgerHandler } from './list-ledger';
import { createRedeemCouponHandler } from './redeem-coupon';

export interface RouteSpec {
  readonly method: HttpMethod;
  readonly path: string;
  readonly auth: 'none' | 'jwt';
  readonly functionName: string;
  /** Entry file relative to lambdas/handlers/http/, with `#export` when the handler is not `handler`. */
  readonly entry: string;
  readonly create: (deps: UseCaseDeps) => HttpHandler;
}

export const HTTP_ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/v1/pricing', auth: 'none', functionName: 'get-pricing', entry: 'get-pricing.ts', create: createGetPricingHandler },
  { method: 'POST', path: '/v1/quotes', auth: 'jwt', functionName: 'create-quote', entry: 'create-quote.ts', create: createQuoteHandler },
  { method: 'GET', path: '/v1/balance', auth: 'jwt', functionName: 'get-balance', entry: 'get-balance.ts', create: createGetBalanceHandler },
  { method: 'GET', path: '/v1/ledger', auth: 'jwt', functionName: 'list-ledger', entry: 'list-ledger.ts', create: createListLedgerHandler },
  { method: 'POST', path: '/v1/generations', auth: 'jwt', functionName: 'create-generation', entry: 'create-generation.ts', create: createGenerationHandler },
  { method: 'GET', path: '/v1/generations', auth: 'jwt', functionName: 'list-generations', entry: 'list-generations.ts', create: createListGenerationsHandler },
  { method: 'GET', path: '/v1/generations/{id}', auth: 'jwt', functionName: 'get-generation', entry: 'get-generation.ts', create: createGetGenerationHandler },
  { method: 'POST', path: '/v1/coupons/redeem', auth: 'jwt', functionName: 'redeem-coupon', entry: 'redeem-coupon.ts', create: createRedeemCouponHandler },
  { method: 'POST', path: '/v1/admin/coupons', auth: 'jwt', functionName: 'create-coupons', entry: 'create-coupons.ts', create: createCouponsHandler },
  { method: 'POST', path: '/v1/topups', auth: 'jwt', functionName: 'create-topup', entry: 'create-topup.ts', create: createTopupHandler },
  { method: 'POST', path: '/v1/webhooks/stripe', auth: 'none', functionName: 'stripe-webhook', entry: 'stripe-webhook.ts', create: createStripeWebhookHandler },
  { method: 'GET', path: '/v1/auto-refill', auth: 'jwt', functionName: 'get-auto-refill', entry: 'auto-refill.ts#getHandler', create: createGetAutoRefillHandler },
  { method: 'PUT', path: '/v1/auto-refill', auth: 'jwt', functionName: 'put-auto-refill', entry: 'auto-refill.ts#putHandler', create: createPutAutoRefillHandler },
  { method: 'POST', path: '/v1/subscription', auth: 'jwt', functionName: 'post-subscription', entry: 'subscription.ts#postHandler', create: createPostSubscriptionHandler },
  { method: 'DELETE', path: '/v1/subscription', auth: 'jwt', functionName: 'delete-subscription', entry: 'subscription.ts#deleteHandler', create: createDeleteSubscriptionHandler },
  { method: 'PUT', path: '/v1/payg', auth: 'jwt', functionName: 'put-payg', entry: 'payg.ts', create: createPutPaygHandler },
  { method: 'GET', path: '/v1/billing', auth: 'jwt', functionName: 'get-billing', entry: 'get-billing.ts', create: createGetBillingHandler },
];
