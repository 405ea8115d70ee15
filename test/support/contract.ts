/**
 * Contract checks: an answer of the API against docs/openapi.json, the schema of its route and
 * status. ajv's JSON Schema 2020-12 (= OpenAPI 3.1), strict off (OpenAPI keywords such as `example`),
 * the whole document added under an https $id so that every `$ref` resolves, schemas fetched by
 * JSON pointer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv/dist/2020';
import { HTTP_ROUTES } from '../../lambdas/handlers/http/routes';

const DOC_ID = 'https://banana-flow.example/openapi.json';

interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
}

const doc = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as Doc;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ ...doc, $id: DOC_ID });

const ROUTES = HTTP_ROUTES.map((route) => ({ route, pattern: new RegExp(`^${route.path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`) }));

const compiled = new Map<string, ValidateFunction | null>();
const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Why an answer does not match the document, or null when it does (or when no route answers the
 * path: the gateway's own 404/405 belong to no operation). API Gateway's own `{ message }` answers
 * (a timed-out or crashed function's 500) are documented beside the error envelope and checked too.
 */
export function contractViolation(method: string, rawPath: string, status: number, body: unknown): string | null {
  const path = rawPath.split('?')[0]!;
  const match = ROUTES.find((r) => r.route.method === method.toUpperCase() && r.pattern.test(path));
  if (!match) return null;
  const where = `${match.route.method} ${match.route.path} → ${status}`;
  const operation = doc.paths[match.route.path]?.[match.route.method.toLowerCase()];
  // A documented 204 has no body, and the answer must have none.
  if (status === 204 && operation?.responses['204'] && !operation.responses['204'].content) return body === undefined ? null : `${where}: a 204 with a body`;
  if (!operation?.responses[String(status)]?.content?.['application/json']) return `${where}: the document has no such answer (body ${JSON.stringify(body)?.slice(0, 300)})`;
  const key = `${match.route.method} ${match.route.path} ${status}`;
  if (!compiled.has(key)) compiled.set(key, ajv.getSchema(`${DOC_ID}#/${pointer('paths', match.route.path, match.route.method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema')}`) ?? null);
  const validate = compiled.get(key);
  if (!validate) return `${where}: no schema`;
  if (validate(body)) return null;
  return `${where}: ${ajv.errorsText(validate.errors)} (body ${JSON.stringify(body)?.slice(0, 300)})`;
}

/** Throws when an answer breaks the contract. */
export function assertContract(method: string, path: string, status: number, body: unknown): void {
  const problem = contractViolation(method, path, status, body);
  if (problem) throw new Error(`contract violation: ${problem}`);
}
