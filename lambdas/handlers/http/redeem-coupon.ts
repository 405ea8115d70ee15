import * as z from 'zod';
import type { UseCaseDeps } from '../../use-cases/context';
import { redeemCoupon } from '../../use-cases/redeem-coupon';
import { httpEndpoint, teamAccess } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';

export const RedeemBody = z.strictObject({ code: z.string().min(1).max(64) });

/** POST /v1/coupons/redeem: credits a coupon to the caller's account, once per account. */
export const createRedeemCouponHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: teamAccess('member', deps.store), body: RedeemBody }, async ({ caller, body }) => ({
    statusCode: 200,
    body: await redeemCoupon(deps, { accountId: caller.accountId, code: body.code }),
  }));

export const handler = lambdaEntry(createRedeemCouponHandler, { access: { table: 'read-write' } });
