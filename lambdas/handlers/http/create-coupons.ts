import * as z from 'zod';
import { isValidCampaign } from '../../domain/coupon-code';
import type { UseCaseDeps } from '../../use-cases/context';
import { MAX_COUPONS_PER_BATCH, createCoupons } from '../../use-cases/create-coupons';
import { httpEndpoint } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';

export const CreateCouponsBody = z.strictObject({
  campaign: z
    .string()
    .max(20)
    .transform((c) => c.trim().toUpperCase())
    .refine(isValidCampaign, 'a campaign is 2-20 letters and digits, starting with a letter'),
  credits: z.int().min(1).max(1_000_000),
  count: z.int().min(1).max(MAX_COUPONS_PER_BATCH),
  maxRedemptions: z.int().min(1).max(1_000_000).default(1),
  redeemBy: z.iso.datetime({ offset: true }).nullable().default(null),
});

/** POST /v1/admin/coupons (admin group): issues a batch of codes for a campaign. */
export const createCouponsHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: 'admin', body: CreateCouponsBody }, async ({ body }) => ({
    statusCode: 201,
    body: await createCoupons(deps, {
      ...body,
      redeemBy: body.redeemBy === null ? null : new Date(body.redeemBy).toISOString(),
    }),
  }));

export const handler = lambdaEntry(createCouponsHandler, { access: { table: 'read-write' } });
