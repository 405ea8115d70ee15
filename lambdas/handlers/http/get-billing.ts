import type { UseCaseDeps } from '../../use-cases/context';
import { getBilling } from '../../use-cases/get-billing';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';

/** GET /v1/billing (owner): plan, renewal, balance, recent ledger, top-ups, invoices and the usage limits. */
export const createGetBillingHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('owner', deps.store) }, async ({ caller }) => ({ statusCode: 200, body: await getBilling(deps, caller.accountId) }));

export const handler = lambdaEntry(createGetBillingHandler, { access: { table: 'read-write', recentIndex: true } });
