import * as z from 'zod';
import type { UseCaseDeps } from '../../use-cases/context';
import { createTopup } from '../../use-cases/create-topup';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';
import { stripePayments } from '../../composition/stripe-wiring';
import { idempotencyKeyOf } from './idempotency-key';

export const TopupBody = z.strictObject({ credits: z.int().min(1).max(10_000_000) });

/** POST /v1/topups (owner): starts a card payment for credits; they land once it succeeds. */
export const createTopupHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('owner', deps.store), body: TopupBody }, async ({ caller, body, headers }) => ({
    statusCode: 201,
    body: await createTopup(deps, { accountId: caller.accountId, credits: body.credits, idempotencyKey: idempotencyKeyOf(headers) }),
  }));

export const handler = lambdaEntry(createTopupHandler, { access: { table: 'read-write', stripe: true }, payments: stripePayments });
