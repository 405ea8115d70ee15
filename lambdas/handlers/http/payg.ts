import * as z from 'zod';
import type { UseCaseDeps } from '../../use-cases/context';
import { setPayg } from '../../use-cases/payg';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';
import { stripePayments } from '../../composition/stripe-wiring';

export const PaygBody = z.strictObject({ enabled: z.boolean() });

/** PUT /v1/payg (owner): pay-as-you-go on (needs a saved card and a plan with a PAYG limit) or off. */
export const createPutPaygHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('owner', deps.store), body: PaygBody }, async ({ caller, body }) => ({ statusCode: 200, body: await setPayg(deps, caller.accountId, body.enabled) }));

export const handler = lambdaEntry(createPutPaygHandler, { access: { table: 'read-write', stripe: true }, payments: stripePayments });
