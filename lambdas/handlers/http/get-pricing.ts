import { MODELS, TOPUP_CENTS_PER_CREDIT } from '../../domain/catalog';
import { httpEndpoint } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';

/** GET /v1/pricing (public): what each model costs per output, and what a top-up credit costs. */
export const createGetPricingHandler = () =>
  httpEndpoint({ access: 'public' }, async () => ({
    statusCode: 200,
    body: { models: MODELS.map((m) => ({ id: m.id, name: m.name, kind: m.kind, unit: m.unit, credits: m.credits, options: m.options })), topup: { centsPerCredit: TOPUP_CENTS_PER_CREDIT } },
  }));

export const handler = lambdaEntry(createGetPricingHandler, { access: { table: 'none' } });
