/**
 * The dev users as real team members (local only, never deployed). A wallet's owner is the user whose
 * id is the wallet (sub = wallet id); `<wallet>-member` becomes an active member the way a person
 * does, through the real use cases: the wallet is put on a plan with seats through the real
 * subscription path (the payment simulator charges the owner's test card and reports it as signed
 * webhooks), then the owner invites the member (createInvite) and the member joins with the code
 * (joinTeam).
 *
 * `POST /_local/dev-team { wallet }` does it idempotently, and `npm start` does it for `acct_dev` at
 * start-up, so its printed member token works. Nothing changes when the member is already active on
 * a plan with seats; otherwise a FREE or BEGINNER wallet (1 seat) is upgraded to PRO (3 seats), which
 * charges PRO and grants its credits, exactly as the Billing page's "Switch to PRO" would.
 */
import * as z from 'zod';
import type { PaymentSimulator } from '../../lambdas/adapters/payment-simulator';
import type { Service } from '../../lambdas/composition/composition';
import type { Account } from '../../lambdas/domain/account';
import { DomainError } from '../../lambdas/domain/errors';
import { membersSuspended, roleOf, seatLimitOf, seatsUsed, teamOf } from '../../lambdas/domain/team';
import type { Caller } from '../../lambdas/shared/caller';
import { statusOf } from '../../lambdas/shared/http-errors';
import { changeSubscription } from '../../lambdas/use-cases/change-subscription';
import { ensureCustomer } from '../../lambdas/use-cases/ensure-customer';
import { getOrOpenAccount } from '../../lambdas/use-cases/open-account';
import { createInvite, joinTeam, revokeInvite } from '../../lambdas/use-cases/team';
import { ControlRouteError, parseControlBody, type ControlRoute } from './http-server';

/** The plan a dev wallet is put on when its plan has a single seat. */
export const DEV_TEAM_PLAN = 'PRO';
/** A wallet id that is also a valid user id (the owner's sub): starts with a letter or digit. */
export const DEV_WALLET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export const devMemberOf = (wallet: string): string => `${wallet}-member`;
const devMemberEmail = (wallet: string): string => `${devMemberOf(wallet).toLowerCase()}@example.com`;

export interface DevTeam {
  readonly accountId: string;
  readonly owner: string;
  readonly member: string;
  readonly plan: string;
  /** This call subscribed or upgraded the wallet to get a seat. */
  readonly subscribed: boolean;
  /** This call made the member join (false: they already were an active member). */
  readonly joined: boolean;
}

export interface DevTeamDeps {
  readonly service: Service;
  readonly payments: PaymentSimulator;
  /** Waits for the simulator's webhooks (and the queued jobs) to be delivered. */
  readonly settle: () => Promise<void>;
}

const DevTeamBody = z.strictObject({ wallet: z.string().regex(DEV_WALLET_PATTERN, 'a wallet is 1 to 40 letters, digits, "-" or "_", starting with a letter or digit') });

/** Makes `wallet`'s dev member real; one run at a time per wallet (the start-up and a sign-in may race). */
export function devTeamSeeder(deps: DevTeamDeps): (wallet: string) => Promise<DevTeam> {
  const running = new Map<string, Promise<DevTeam>>();
  return async (wallet) => {
    const previous = running.get(wallet) ?? Promise.resolve(null);
    const next = previous.catch(() => null).then(() => ensureDevTeam(deps, wallet));
    running.set(wallet, next);
    try {
      return await next;
    } finally {
      if (running.get(wallet) === next) running.delete(wallet);
    }
  };
}

export function localDevTeamRoute(seed: (wallet: string) => Promise<DevTeam>): ControlRoute {
  return {
    method: 'POST',
    path: '/_local/dev-team',
    handle: async (request) => {
      const { wallet } = parseControlBody(request, DevTeamBody);
      try {
        return { statusCode: 200, body: await seed(wallet) };
      } catch (error) {
        if (error instanceof DomainError) throw new ControlRouteError(statusOf(error.code), error.code, error.message);
        throw error;
      }
    },
  };
}

const hasSeatForMember = (account: Account): boolean => seatLimitOf(account) >= 2 && !membersSuspended(account);

export async function ensureDevTeam({ service, payments, settle }: DevTeamDeps, wallet: string): Promise<DevTeam> {
  const deps = service.deps;
  const member = devMemberOf(wallet);
  const owner: Caller = { userId: wallet, accountId: wallet, isAdmin: false };
  let account = await getOrOpenAccount(deps, wallet);
  const active = () => roleOf(account, member) !== null && !membersSuspended(account);
  if (active()) return { accountId: wallet, owner: wallet, member, plan: account.plan, subscribed: false, joined: false };

  let subscribed = false;
  if (!hasSeatForMember(account)) {
    // The owner's saved test card pays: set it to succeed, as "Succeeds" in the top-up dialog would.
    payments.setCardBehaviour(await ensureCustomer(deps, account), 'succeed');
    const requested = await changeSubscription(deps, wallet, DEV_TEAM_PLAN);
    await settle();
    account = await getOrOpenAccount(deps, wallet);
    if (!hasSeatForMember(account)) {
      throw new ControlRouteError(409, 'plan_not_in_force', `The wallet ${wallet} did not get a plan with seats (it is on ${account.plan}${requested.message ? `: ${requested.message}` : ''}).`);
    }
    subscribed = true;
  }

  if (roleOf(account, member) === null) {
    // An invite left by an earlier run that stopped before joining holds a seat, and its code is gone (only its hash is kept).
    const email = devMemberEmail(wallet);
    for (const stale of teamOf(account).invites.filter((i) => i.email === email)) await revokeInvite(deps, owner, stale.id);
    account = await getOrOpenAccount(deps, wallet);
    if (seatsUsed(account, deps.clock.now()) + 1 > seatLimitOf(account)) {
      throw new DomainError('seat_limit_reached', `The wallet ${wallet} has no free seat for ${member}: remove a member or revoke an invite.`);
    }
    const invite = await createInvite(deps, owner, { email, role: 'member', monthlyCapCredits: null });
    await joinTeam(deps, member, invite.code);
    account = await getOrOpenAccount(deps, wallet);
    return { accountId: wallet, owner: wallet, member, plan: account.plan, subscribed, joined: true };
  }
  return { accountId: wallet, owner: wallet, member, plan: account.plan, subscribed, joined: false };
}
