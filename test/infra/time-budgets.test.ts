/**
 * The time budgets as deployed (lambdas/shared/time-budget.ts): every HTTP function answers before
 * API Gateway gives up, and a Stripe call with its retry fits inside the function's time.
 */
import { HTTP_ROUTES } from '../../lambdas/handlers/http/routes';
import { STRIPE_CALL_BUDGET_MS } from '../../lambdas/composition/stripe-wiring';
import { TIME_BUDGETS } from '../../lambdas/shared/time-budget';
import { DEV_CONFIG, buildApp, functionsByName } from './build-app';

const functions = functionsByName(buildApp(DEV_CONFIG).service);

test.each(HTTP_ROUTES.map((r) => r.functionName))('%s times out at the HTTP budget, under the integration limit', (name) => {
  expect(functions.get(name)!.resource.Properties!.Timeout).toBe(TIME_BUDGETS.httpFunctionTimeoutSeconds);
});

test('the budgets fit inside each other', () => {
  const functionMs = TIME_BUDGETS.httpFunctionTimeoutSeconds * 1000;
  expect(functionMs).toBeLessThan(TIME_BUDGETS.apiGatewayIntegrationLimitMs);
  // A Stripe call and its retry (stripe-node backs off at most 2 s between) leave the answer reserve.
  expect(STRIPE_CALL_BUDGET_MS + TIME_BUDGETS.answerReserveMs).toBeLessThan(functionMs);
});
