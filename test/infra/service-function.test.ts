/**
 * One real bundle (the others are skipped in these tests; `npm run synth` builds all of them):
 * proves the bundling options end to end — local esbuild without Docker, minified ESM with the
 * createRequire banner, an external source map without sources, Node 22 on arm64.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { ESM_REQUIRE_BANNER, ServiceFunction } from '../../lib/constructs/service-function';
import { httpFunctionSpecs } from '../../lib/function-catalog';
import { lambdaBundleOptions } from '../../lib/tooling/lambda-bundle';

describe('ServiceFunction bundling', () => {
  const afterCleanup: Array<() => void> = [];
  afterAll(() => afterCleanup.forEach((clean) => clean()));

  it('bundles the handler as minified ESM with a source map, locally', async () => {
    const pricing = httpFunctionSpecs().find((s) => s.name === 'get-pricing')!;
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfc-cdk-'));
    afterCleanup.push(() => fs.rmSync(outdir, { recursive: true, force: true }));
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, 'BundleProbe');

    new ServiceFunction(stack, 'Pricing', { entry: pricing.entry, exportName: pricing.exportName });
    const assembly = app.synth();

    const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0] as { Properties: Record<string, unknown>; Metadata: Record<string, string> };
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    const assetDir = path.join(assembly.directory, fn.Metadata['aws:asset:path']!);
    expect(fs.readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const code = fs.readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*as handler\s*\}/);
    expect(code.split('\n').length).toBeLessThan(400);
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    const map = JSON.parse(fs.readFileSync(path.join(assetDir, 'index.mjs.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
    expect(map.sources.some((s) => s.endsWith('lambdas/handlers/http/get-pricing.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
    // The SDK's default credential chain is replaced by the environment provider (LAMBDA_BUNDLE_ALIASES);
    // no Stripe in a function that does not talk to Stripe.
    expect(map.sources.some((s) => s.endsWith('lambdas/shared/env-credentials.ts'))).toBe(true);
    expect(map.sources.some((s) => s.includes('@aws-sdk/credential-provider-env/'))).toBe(true);
    expect(map.sources.filter((s) => /@aws-sdk\/(credential-provider-(node|ini|sso|web-identity|process)|nested-clients)\/|node_modules\/stripe\//.test(s))).toEqual([]);

    // The bundles measured (npm run bundles) and run in tests (lambda-bundles.test.ts) are built
    // outside the CDK by lib/tooling/lambda-bundle.ts: it must produce this very code.
    const outside = path.join(outdir, 'outside', 'get-pricing.mjs');
    await esbuild.build(lambdaBundleOptions(pricing.entry, outside));
    const withoutMapComment = (text: string) => text.trimEnd().split('\n').slice(0, -1).join('\n');
    expect(withoutMapComment(fs.readFileSync(outside, 'utf8'))).toBe(withoutMapComment(code));
  }, 120_000);
});
