import { httpEndpoint } from '../../shared/http-endpoint';
import { lambdaEntry } from '../../composition/production-deps';
import { OPENAPI_JSON } from './openapi-document.generated';

/**
 * GET /v1/openapi.json (public): the API's OpenAPI 3.1 document, the committed copy written by
 * `npm run openapi` (the same as docs/openapi.json). Not generated at runtime: that would bundle
 * zod-openapi and every handler's schemas into this Lambda, so zod-openapi stays a dev dependency.
 */
export const createGetOpenApiHandler = () => {
  const document: unknown = JSON.parse(OPENAPI_JSON);
  return httpEndpoint({ access: 'public' }, async () => ({ statusCode: 200, body: document }));
};

export const handler = lambdaEntry(createGetOpenApiHandler, { access: { table: 'none' } });
