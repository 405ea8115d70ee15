import { MODELS } from '../../domain/catalog';
import { httpEndpoint } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';

/** GET /v1/pricing (public): what each model costs per output. */
export const createGetPricingHandler = () =>
  httpEndpoint({ access: 'public' }, async () => ({
    statusCode: 200,
    body: { models: MODELS.map((m) => ({ id: m.id, name: m.name, kind: m.kind, unit: m.unit, credits: m.credits })) },
  }));

export const handler = lambdaEntry(createGetPricingHandler, { access: { table: 'none' } });
