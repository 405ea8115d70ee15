import * as z from 'zod';
import { DomainError } from '../../domain/errors';
import { MAX_USAGE_DAYS, daysBetween } from '../../domain/usage';
import type { UsageGroup } from '../../domain/usage';
import type { UseCaseDeps } from '../../use-cases/context';
import { getUsage } from '../../use-cases/get-usage';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is YYYY-MM-DD');

export const UsageQuery = z
  .strictObject({
    from: Day.meta({ example: '2026-11-01' }),
    to: Day.meta({ example: '2026-11-30' }),
    groupBy: z
      .string()
      .max(40)
      .regex(/^(member|model|day)(,(member|model|day))*$/, 'groupBy is a comma-separated list of member, model, day')
      .optional()
      .meta({ description: 'Comma-separated: member, model, day. Omitted: one row of totals.', example: 'member,model,day' }),
  })
  .superRefine((q, ctx) => {
    const days = daysBetween(q.from, q.to);
    if (Number.isNaN(days)) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from and to must be real calendar days' });
    else if (days < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must not be before from' });
    else if (days > MAX_USAGE_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${MAX_USAGE_DAYS} days per call` });
  });

/** GET /v1/usage?from=&to=&groupBy=: usage by member, model and day (a member: their own). */
export const createGetUsageHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('member', deps.store), query: UsageQuery }, async ({ caller, role, query }) => {
    if (!role) throw new DomainError('forbidden', 'No role on this wallet.');
    const groupBy = [...new Set((query.groupBy ?? '').split(',').filter(Boolean))] as UsageGroup[];
    return { statusCode: 200, body: await getUsage(deps, caller, role, { from: query.from, to: query.to, groupBy }) };
  });

export const handler = lambdaEntry(createGetUsageHandler, { access: { table: 'read' } });
