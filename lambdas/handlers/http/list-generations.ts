import * as z from 'zod';
import type { UseCaseDeps } from '../../use-cases/context';
import { listGenerations } from '../../use-cases/list-generations';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';
import { s3Outputs } from '../../composition/model-wiring';
import { generationView } from './generation-view';
import { PageLimit } from './schemas';

export const ListQuery = z.strictObject({ limit: PageLimit, cursor: z.string().min(1).max(200).optional() });

/** GET /v1/generations?limit=&cursor=: the account's recent jobs, newest first. */
export const createListGenerationsHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('member', deps.store), query: ListQuery }, async ({ caller, query }) => {
    const page = await listGenerations(deps, { accountId: caller.accountId, limit: query.limit, cursor: query.cursor ?? null });
    const now = deps.clock.now();
    return { statusCode: 200, body: { generations: await Promise.all(page.jobs.map((job) => generationView(job, deps.outputs, now))), nextCursor: page.nextCursor } };
  });

export const handler = lambdaEntry(createListGenerationsHandler, { access: { table: 'read', outputs: 'read' }, outputs: s3Outputs });
