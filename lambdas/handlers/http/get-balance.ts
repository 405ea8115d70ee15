import type { UseCaseDeps } from '../../use-cases/context';
import { getBalance } from '../../use-cases/get-balance';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';

/** GET /v1/balance: spendable credits and the buckets they sit in, in drain order. */
export const createGetBalanceHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('member', deps.store) }, async ({ caller }) => ({ statusCode: 200, body: await getBalance(deps, caller.accountId) }));

export const handler = lambdaEntry(createGetBalanceHandler, { access: { table: 'read-write' } });
