/**
 * `PUT /_local/card { behaviour }` (local only, never deployed): sets how the caller's simulated saved
 * card behaves: "succeed", "decline" or "require_action" (3-D Secure). It sits behind the same JWT
 * check as the API, so "the caller" is the verified token's account.
 */
import * as z from 'zod';
import type { PaymentSimulator } from '../../lambdas/adapters/payment-simulator';
import type { Service } from '../../lambdas/composition/composition';
import { httpEndpoint, teamAccess } from '../../lambdas/shared/http-endpoint';
import type { HttpRoute } from '../../lambdas/shared/http-route';
import { ensureCustomer } from '../../lambdas/use-cases/ensure-customer';
import { getOrOpenAccount } from '../../lambdas/use-cases/open-account';

const CardBody = z.strictObject({ behaviour: z.enum(['succeed', 'decline', 'require_action']) });

export function localCardRoute(service: Service, payments: PaymentSimulator): HttpRoute {
  return {
    method: 'PUT',
    path: '/_local/card',
    auth: 'jwt',
    functionName: 'local-card',
    handler: httpEndpoint({ access: teamAccess('owner', service.deps.store), body: CardBody }, async ({ caller, body }) => {
      const customerId = await ensureCustomer(service.deps, await getOrOpenAccount(service.deps, caller.accountId));
      payments.setCardBehaviour(customerId, body.behaviour);
      return { statusCode: 200, body: { behaviour: body.behaviour } };
    }),
  };
}
