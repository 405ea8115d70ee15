/**
 * The web app's typed client types, generated from docs/openapi.json with openapi-typescript (ESM only,
 * so this runs as its own Node process). `node scripts/openapi-client.mjs` prints the module;
 * `--write` writes web/src/api/schema.generated.ts. npm run openapi writes it; a test fails on drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CLIENT_TYPES_PATH = 'web/src/api/schema.generated.ts';

const document = JSON.parse(readFileSync(`${root}docs/openapi.json`, 'utf8'));
const ast = await openapiTS(document, { alphabetize: false, exportType: false });
const header = '// Generated from docs/openapi.json by `npm run openapi` (scripts/openapi-client.mjs). Do not edit.\n\n';
const source = header + astToString(ast);
if (process.argv.includes('--write')) {
  writeFileSync(`${root}${CLIENT_TYPES_PATH}`, source);
  console.log(`wrote ${CLIENT_TYPES_PATH}`);
} else {
  process.stdout.write(source);
}
