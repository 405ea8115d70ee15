/**
 * Compile-time only: every use case's answer is assignable to the contract's schema for it, so an
 * answer cannot change shape (a field renamed, a type widened, an enum grown) without `tsc` asking
 * for the contract (and docs/openapi.json) to follow. Nothing here runs.
 */
import type * as z from 'zod';
import type { CouponRedeemed } from '../use-cases/redeem-coupon';
import type { AutoRefillView } from '../use-cases/configure-auto-refill';
import type { BalanceView } from '../use-cases/get-balance';
import type { BillingView } from '../use-cases/get-billing';
import type { GenerationAccepted } from '../use-cases/create-generation';
import type { SubscriptionRequested } from '../use-cases/change-subscription';
import type { TopupStarted } from '../use-cases/create-topup';
import type { LedgerPage } from '../domain/credit-store';
import type { AccountQuote } from '../use-cases/quote-generation';
import type { generationView } from '../handlers/http/generation-view';
import type * as R from './responses';

type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
/** Fails to compile unless `Answer` fits the schema's output type. */
type Conforms<Answer extends DeepReadonly<z.output<Schema>>, Schema extends z.ZodType> = [Answer, Schema];

export type Checked = [
  Conforms<BalanceView, typeof R.Balance>,
  Conforms<BillingView, typeof R.Billing>,
  Conforms<LedgerPage, typeof R.LedgerPage>,
  Conforms<AccountQuote, typeof R.QuoteResponse>,
  Conforms<GenerationAccepted, typeof R.GenerationAccepted>,
  Conforms<Awaited<ReturnType<typeof generationView>>, typeof R.Generation>,
  Conforms<CouponRedeemed, typeof R.CouponRedeemed>,
  Conforms<TopupStarted, typeof R.TopupStarted>,
  Conforms<AutoRefillView, typeof R.AutoRefill>,
  Conforms<SubscriptionRequested, typeof R.SubscriptionRequested>,
];
