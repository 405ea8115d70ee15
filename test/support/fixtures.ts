/** Ways for tests to put an account into a state that later issues' flows will reach for real. */
import type { PlanId } from '../../lambdas/domain/catalog';
import { getOrOpenAccount } from '../../lambdas/use-cases/open-account';
import type { TestService } from './test-service';

/** Moves an account to a plan (the subscription flow does this through Stripe). */
export async function setPlan(t: TestService, accountId: string, plan: PlanId): Promise<void> {
  const account = await getOrOpenAccount(t.service.deps, accountId);
  const outcome = await t.service.deps.store.commit({ before: account, after: { ...account, plan }, entries: [], at: t.clock.now().toISOString() });
  if (outcome.kind !== 'committed') throw new Error(`setPlan did not commit: ${outcome.kind}`);
}

/** Issues one coupon through the admin route and returns its code. */
export async function issueCoupon(t: TestService, credits: number, extra: { maxRedemptions?: number; redeemBy?: string; campaign?: string } = {}): Promise<string> {
  const admin = await t.token('admin-user', { groups: ['admin'] });
  const response = await t.call('POST', '/v1/admin/coupons', { token: admin, body: { campaign: extra.campaign ?? 'TEST', credits, count: 1, ...extra } });
  if (response.status !== 201) throw new Error(`coupon issue failed: ${JSON.stringify(response.body)}`);
  return response.body.codes[0] as string;
}

/** Adds coupon credits to an account through the real redeem route. */
export async function addCredits(t: TestService, token: string, credits: number): Promise<void> {
  const code = await issueCoupon(t, credits);
  const response = await t.call('POST', '/v1/coupons/redeem', { token, body: { code } });
  if (response.status !== 200) throw new Error(`redeem failed: ${JSON.stringify(response.body)}`);
}

let keyCounter = 0;
export const newIdempotencyKey = () => `key-${process.pid}-${Date.now()}-${(keyCounter += 1)}`;

/**
 * Makes `memberId` a member of `ownerId`'s wallet through the real routes (the owner invites, the
 * member joins with the code) and returns the member's token for that wallet. The wallet's plan
 * needs a free seat (setPlan to PRO or TEAM first).
 */
export async function addMember(t: TestService, ownerId: string, memberId: string, options: { role?: 'admin' | 'member'; monthlyCapCredits?: number | null } = {}): Promise<string> {
  const invite = await t.call('POST', '/v1/team/invites', { token: await t.token(ownerId), body: { email: `${memberId.toLowerCase()}@example.com`, role: options.role ?? 'member', ...(options.monthlyCapCredits !== undefined ? { monthlyCapCredits: options.monthlyCapCredits } : {}) } });
  if (invite.status !== 201) throw new Error(`invite failed: ${JSON.stringify(invite.body)}`);
  const joined = await t.call('POST', '/v1/team/join', { token: await t.token(memberId), body: { code: invite.body.code } });
  if (joined.status !== 200) throw new Error(`join failed: ${JSON.stringify(joined.body)}`);
  return t.token(memberId, { account_id: ownerId });
}
