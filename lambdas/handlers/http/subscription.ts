import * as z from 'zod';
import type { UseCaseDeps } from '../../use-cases/context';
import { cancelSubscription, changeSubscription } from '../../use-cases/change-subscription';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';
import { stripePayments } from '../../composition/stripe-wiring';

export const SubscriptionBody = z.strictObject({ plan: z.enum(['BEGINNER', 'PRO', 'TEAM'], { message: 'plan is BEGINNER, PRO or TEAM (DELETE /v1/subscription goes back to FREE)' }) });

/** POST /v1/subscription (owner): subscribe, or change plan with proration. */
export const createPostSubscriptionHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('owner', deps.store), body: SubscriptionBody }, async ({ caller, body }) => ({ statusCode: 200, body: await changeSubscription(deps, caller.accountId, body.plan) }));

/** DELETE /v1/subscription (owner): cancel at the end of the paid period. */
export const createDeleteSubscriptionHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('owner', deps.store) }, async ({ caller }) => ({ statusCode: 200, body: await cancelSubscription(deps, caller.accountId) }));

export const postHandler = lambdaEntry(createPostSubscriptionHandler, { access: { table: 'read-write', stripe: true }, payments: stripePayments });
export const deleteHandler = lambdaEntry(createDeleteSubscriptionHandler, { access: { table: 'read-write', stripe: true }, payments: stripePayments });
