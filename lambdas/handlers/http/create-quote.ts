import * as z from 'zod';
import type { UseCaseDeps } from '../../use-cases/context';
import { quoteForAccount } from '../../use-cases/quote-generation';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';
import { ModelId, OutputCount } from './schemas';

export const QuoteBody = z.strictObject({ model: ModelId, count: OutputCount });

/** POST /v1/quotes: the price of a generation before it is made. */
export const createQuoteHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('member', deps.store), body: QuoteBody }, async ({ caller, body }) => ({
    statusCode: 200,
    body: await quoteForAccount(deps, { accountId: caller.accountId, userId: caller.userId, model: body.model, count: body.count }),
  }));

export const handler = lambdaEntry(createQuoteHandler, { access: { table: 'read-write' } });
