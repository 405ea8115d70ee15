import * as z from 'zod';
import type { UseCaseDeps } from '../../use-cases/context';
import { listLedger } from '../../use-cases/list-ledger';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';
import { PageLimit } from './schemas';

export const LedgerQuery = z.strictObject({
  limit: PageLimit,
  cursor: z.string().min(1).max(200).optional(),
});

/** GET /v1/ledger?limit=&cursor=: the account's ledger, newest first. */
export const createListLedgerHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('member', deps.store), query: LedgerQuery }, async ({ caller, query }) => {
    const page = await listLedger(deps, { accountId: caller.accountId, limit: query.limit, cursor: query.cursor ?? null });
    return { statusCode: 200, body: page };
  });

// Opens the account on a first request, like the balance: its ledger starts with the opening grant.
export const handler = lambdaEntry(createListLedgerHandler, { access: { table: 'read-write' } });
