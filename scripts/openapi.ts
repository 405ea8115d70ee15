/**
 * npm run openapi: writes docs/openapi.json from the route table and the contract's zod schemas, and
 * the same document as a string module for the Lambda serving GET /v1/openapi.json (a `.json` import
 * breaks under `npm start`: tsx 4.23 with `--conditions=import` turns a required JSON file into an ES
 * module, see bin/local/sqs-emulator.ts). test/unit/openapi-document.test.ts fails when either is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_MODULE_PATH, renderOpenApiDocument, renderOpenApiModule } from '../lambdas/contract/document';

const root = join(__dirname, '..');
writeFileSync(join(root, 'docs', 'openapi.json'), renderOpenApiDocument());
writeFileSync(join(root, OPENAPI_MODULE_PATH), renderOpenApiModule());
console.log(`wrote docs/openapi.json and ${OPENAPI_MODULE_PATH}`);
