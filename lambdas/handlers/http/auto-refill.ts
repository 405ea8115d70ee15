import * as z from 'zod';
import type { UseCaseDeps } from '../../use-cases/context';
import { configureAutoRefill, getAutoRefill } from '../../use-cases/configure-auto-refill';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';
import { stripePayments } from '../../composition/stripe-wiring';

const Credits = z.int().min(0).max(10_000_000);
export const AutoRefillBody = z.strictObject({ enabled: z.boolean(), thresholdCredits: Credits, refillCredits: Credits.min(1), monthlyCapCredits: Credits });

/** GET /v1/auto-refill: the settings, whether a refill is under way, why it was switched off; the saved card for the owner only (null for members). */
export const createGetAutoRefillHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('member', deps.store) }, async ({ caller, role }) => ({ statusCode: 200, body: await getAutoRefill(deps, caller.accountId, { showCard: role === 'owner' }) }));

/** PUT /v1/auto-refill (owner): turn it on (needs a saved card) or off, or change the amounts. */
export const createPutAutoRefillHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('owner', deps.store), body: AutoRefillBody }, async ({ caller, body }) => ({ statusCode: 200, body: await configureAutoRefill(deps, caller.accountId, body) }));

export const getHandler = lambdaEntry(createGetAutoRefillHandler, { access: { table: 'read-write', stripe: true }, payments: stripePayments });
export const putHandler = lambdaEntry(createPutAutoRefillHandler, { access: { table: 'read-write', stripe: true }, payments: stripePayments });
