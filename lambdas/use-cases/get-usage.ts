/**
 * Usage by member, model and day over a range of days: owner and admins see everyone's, a member
 * only their own. Read from the usage counters the debits and refunds wrote (usage.ts).
 */
import type { TeamRole } from '../domain/team';
import type { UsageGroup, UsageReport } from '../domain/usage';
import { summarizeUsage } from '../domain/usage';
import type { Caller } from '../shared/caller';
import type { UseCaseDeps } from './context';

export interface UsageQuery {
  readonly from: string;
  readonly to: string;
  readonly groupBy: readonly UsageGroup[];
}

export async function getUsage(deps: UseCaseDeps, caller: Caller, role: TeamRole, query: UsageQuery): Promise<UsageReport> {
  const counts = await deps.store.listUsage(caller.accountId, query.from, query.to);
  const visible = role === 'member' ? counts.filter((c) => c.userId === caller.userId) : counts;
  return summarizeUsage(visible, query.groupBy);
}
