/**
 * Preloaded by the CDK app (cdk.json: `tsx --import ./lib/tooling/resolve-esm-only.mjs`) and the
 * local stack, bench and smoke scripts (package.json; the import condition only for these packages:
 * turned on for everything, tsx 4.23 breaks packages that require their own JSON, e.g. gaxios). The app
 * imports the HTTP route table, whose handlers import middy 7: an ESM-only package whose exports
 * offer only the `import` condition, which the app's CommonJS `require` does not ask for. Resolve
 * those packages with it (as jest's moduleNameMapper does); Node 22 then loads them with
 * require(esm).
 */
import { registerHooks } from 'node:module';

const ESM_ONLY = /^@middy\/[a-z0-9-]+$/;

registerHooks({
  resolve(specifier, context, nextResolve) {
    return ESM_ONLY.test(specifier) ? nextResolve(specifier, { ...context, conditions: [...context.conditions, 'import'] }) : nextResolve(specifier, context);
  },
});
