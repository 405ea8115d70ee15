/**
 * The OpenAPI document (issue 12, the contract): docs/openapi.json is exactly what the route table
 * and the contract's zod schemas generate (`npm run openapi` rewrites it), every routed method+path
 * is in it, and it is a valid OpenAPI 3.1 document.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OPENAPI_MODULE_PATH, renderOpenApiDocument, renderOpenApiModule, routeKey } from '../../lambdas/contract/document';
import { OPERATIONS } from '../../lambdas/contract/operations';
import { HTTP_ROUTES } from '../../lambdas/handlers/http/routes';
import { STATUS_BY_CODE } from '../../lambdas/shared/http-errors';
import { createGetOpenApiHandler } from '../../lambdas/handlers/http/get-openapi';

const ROOT = join(__dirname, '..', '..');
const COMMITTED = join(ROOT, 'docs', 'openapi.json');

interface ResponseSchema {
  anyOf?: ResponseSchema[];
  $ref?: string;
  properties?: { error?: { properties?: { code?: { enum?: string[] } } } };
}

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: ResponseSchema }> }> }>>;
}
const doc = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Doc;

test('docs/openapi.json is what the schemas generate (run `npm run openapi` after changing a route or schema)', () => {
  expect(readFileSync(COMMITTED, 'utf8')).toBe(renderOpenApiDocument());
  expect(readFileSync(join(ROOT, OPENAPI_MODULE_PATH), 'utf8')).toBe(renderOpenApiModule());
});

test("the web app's typed client matches the document (openapi-typescript; run `npm run openapi`)", () => {
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'openapi-client.mjs')], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  expect(run.stderr).toBe('');
  expect(run.stdout.length).toBeGreaterThan(10_000);
  expect(readFileSync(join(ROOT, 'web', 'src', 'api', 'schema.generated.ts'), 'utf8')).toBe(run.stdout);
});

test('every routed method+path is in the document, and every contract entry is routed', () => {
  const missing = HTTP_ROUTES.filter((r) => doc.paths[r.path]?.[r.method.toLowerCase()] === undefined).map(routeKey);
  expect(missing).toEqual([]);
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  expect(documented.sort()).toEqual(HTTP_ROUTES.map(routeKey).sort());
  expect(Object.keys(OPERATIONS).sort()).toEqual(HTTP_ROUTES.map(routeKey).sort());
});

test('security follows the route table: none for public routes, the admin role for /v1/admin/*, the Stripe signature for the webhook', () => {
  for (const route of HTTP_ROUTES) {
    const security = doc.paths[route.path]![route.method.toLowerCase()]!.security;
    if (route.path === '/v1/webhooks/stripe') expect(security).toEqual([{ stripeSignature: [] }]);
    else if (route.auth === 'none') expect(security).toEqual([]);
    else if (route.path.startsWith('/v1/admin/')) expect(security).toEqual([{ bearerJwt: ['admin'] }]);
    else expect(security).toEqual([{ bearerJwt: [] }]);
  }
});

test("each error status lists only codes of that status (lambdas/shared/http-errors.ts), and signed-in routes answer 401", () => {
  for (const route of HTTP_ROUTES) {
    const responses = doc.paths[route.path]![route.method.toLowerCase()]!.responses;
    for (const status of ['429', '500', '503']) expect(responses[status]).toBeDefined();
    if (route.auth === 'jwt') expect(responses['401']).toBeDefined();
    for (const [status, response] of Object.entries(responses)) {
      if (Number(status) < 400) continue;
      const schema = response.content!['application/json']!.schema;
      // At 401/429/500/503 API Gateway may answer itself ({ message }): the envelope is one of two shapes there.
      const shapes = schema.anyOf ?? [schema];
      if (schema.anyOf) expect(shapes).toContainEqual({ $ref: '#/components/schemas/GatewayMessage' });
      const envelope = shapes.find((shape) => shape.properties?.error);
      if (!envelope) {
        expect(['429', '503']).toContain(status);
        continue;
      }
      const codes = envelope.properties!.error!.properties!.code!.enum!;
      expect(codes.length).toBeGreaterThan(0);
      for (const code of codes) expect([code, STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE]]).toEqual([code, Number(status)]);
    }
  }
});

test('the document is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', () => {
  // The validator is ESM-only and reads its schemas through import.meta.url: run it in plain Node.
  const validator = pathToFileURL(join(ROOT, 'node_modules', '@seriousme', 'openapi-schema-validator', 'index.js')).href;
  const script = `const { Validator } = await import(${JSON.stringify(validator)}); const v = new Validator(); const r = await v.validate(${JSON.stringify(COMMITTED)}); console.log(JSON.stringify({ ...r, version: v.version }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const result = JSON.parse(run.stdout) as { valid: boolean; version: string; errors?: unknown };
  expect(result).toEqual({ valid: true, version: '3.1' });
});

test('GET /v1/openapi.json answers the committed document, publicly', async () => {
  const result = await createGetOpenApiHandler()({ headers: {}, requestContext: { requestId: 'r' } } as never, undefined as never);
  expect(result.statusCode).toBe(200);
  expect(JSON.parse(result.body)).toEqual(doc);
});
