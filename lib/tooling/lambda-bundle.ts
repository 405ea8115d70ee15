/**
 * esbuild options that reproduce a ServiceFunction's bundle (lib/constructs/service-function.ts)
 * outside the CDK: for the bundle measurements (scripts/measure-bundles.mjs) and the tests that run
 * the real bundles. test/infra/service-function.test.ts checks that both produce the same code.
 */
import type { BuildOptions } from 'esbuild';
import { ESM_REQUIRE_BANNER, LAMBDA_BUNDLE_ALIASES } from '../constructs/service-function';

export function lambdaBundleOptions(entry: string, outfile: string): BuildOptions & { metafile: true } {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    alias: { ...LAMBDA_BUNDLE_ALIASES },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    outfile,
    metafile: true,
    logLevel: 'warning',
  };
}
