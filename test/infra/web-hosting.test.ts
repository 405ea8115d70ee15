/**
 * The billing web app's hosting (lib/constructs/web-hosting.ts): a private bucket read by CloudFront
 * through origin access control, security headers, the SPA rewrite on the default behavior only,
 * /v1/* passed to the HTTP API uncached, and what the app is deployed with (its /config.json).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { WebHosting } from '../../lib/constructs/web-hosting';
import { SPA_REWRITE_CODE } from '../../lib/constructs/web-security';
import type { BuiltApp } from './build-app';
import { DEV_CONFIG, PROD_CONFIG, buildApp } from './build-app';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; DependsOn?: string[] };
type Behavior = Record<string, unknown> & { TargetOriginId: string };

// AWS-managed CloudFront policies (their ids are fixed and documented by AWS).
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

const dev = buildApp(DEV_CONFIG);
const prod = buildApp({ ...PROD_CONFIG, stripePublishableKey: 'pk_live_51HprodKey123' });

function resources(built: BuiltApp, type: string): Record<string, Resource> {
  return built.service.findResources(type) as Record<string, Resource>;
}

function one(built: BuiltApp, type: string): [string, Resource] {
  const found = Object.entries(resources(built, type));
  expect(found).toHaveLength(1);
  return found[0]!;
}

function logicalId(built: BuiltApp, construct: { node: { defaultChild?: unknown } }): string {
  return built.stacks.service.getLogicalId(construct.node.defaultChild as never);
}

function distributionConfig(built: BuiltApp): Record<string, unknown> & { DefaultCacheBehavior: Behavior; CacheBehaviors: Behavior[]; Origins: Array<Record<string, unknown>> } {
  return one(built, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig as never;
}

describe('the site bucket', () => {
  it.each([
    ['dev', dev, 'Delete'],
    ['prod', prod, 'Retain'],
  ])('%s: private, TLS-only, S3-encrypted, no ACLs, logged; removal like the stage\'s other stateful resources', (_stage, built, deletionPolicy) => {
    const bucketId = logicalId(built, built.stacks.service.web.bucket);
    const bucket = resources(built, 'AWS::S3::Bucket')[bucketId]!;

    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(built, built.stacks.service.web.logBucket) } },
    });
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
    expect(bucket.DeletionPolicy).toBe(deletionPolicy);
    expect(resources(built, 'AWS::S3::Bucket')[logicalId(built, built.stacks.service.web.logBucket)]!.DeletionPolicy).toBe(deletionPolicy);
  });

  it('allows no public principal: only CloudFront for this distribution may read, and anything without TLS is denied', () => {
    const bucketId = logicalId(prod, prod.stacks.service.web.bucket);
    const [, policy] = Object.entries(resources(prod, 'AWS::S3::BucketPolicy')).find(([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }))!;
    const statements = (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');

    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    expect(JSON.stringify(allows[0]!.Condition)).toContain(logicalId(prod, prod.stacks.service.web.distribution));
    expect(statements.find((s) => s.Effect === 'Deny')).toMatchObject({ Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('is the distribution\'s default origin through origin access control (SigV4, always signed), not an origin access identity', () => {
    const [oacId, oac] = one(prod, 'AWS::CloudFront::OriginAccessControl');
    const config = distributionConfig(prod);
    const s3Origin = config.Origins.find((o) => o.Id === config.DefaultCacheBehavior.TargetOriginId)!;

    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    expect(s3Origin).toMatchObject({ OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] }, S3OriginConfig: { OriginAccessIdentity: '' } });
    expect(s3Origin.DomainName).toEqual({ 'Fn::GetAtt': [logicalId(prod, prod.stacks.service.web.bucket), 'RegionalDomainName'] });
  });
});

describe('the distribution', () => {
  const config = distributionConfig(dev);
  const [headersId, headers] = one(dev, 'AWS::CloudFront::ResponseHeadersPolicy');
  const security = (headers.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> }).SecurityHeadersConfig;
  // The outputs bucket's host is an import: its references are shown as <name>.
  const flatten = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const v = value as Record<string, unknown>;
    if (v['Fn::Join']) return (v['Fn::Join'] as [string, unknown[]])[1].map(flatten).join((v['Fn::Join'] as [string])[0]);
    if (v['Fn::ImportValue']) return `<${String(v['Fn::ImportValue'])}>`;
    if (v.Ref) return `<${String(v.Ref)}>`;
    throw new Error(`unexpected ${JSON.stringify(value)}`);
  };
  const csp = flatten(security.ContentSecurityPolicy!.ContentSecurityPolicy);

  it('redirects HTTP to HTTPS, speaks HTTP/2 and 3, serves index.html at / and logs to the log bucket', () => {
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: CACHING_OPTIMIZED });
    expect(config).toMatchObject({ HttpVersion: 'http2and3', DefaultRootObject: 'index.html', Logging: { Bucket: { 'Fn::GetAtt': [logicalId(dev, dev.stacks.service.web.logBucket), 'RegionalDomainName'] } } });
  });

  it('has no distribution-wide error responses (they would turn the API\'s 403/404 JSON into index.html)', () => {
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  it('sends the security headers on the site and on the API', () => {
    expect(security.StrictTransportSecurity).toEqual({ AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Preload: true, Override: true });
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true });
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: headersId });
    expect(config.CacheBehaviors.map((b) => b.ResponseHeadersPolicyId)).toEqual([{ Ref: headersId }]);
  });

  it('has a CSP for the app, Stripe.js and the Cognito sign-in, and forbids framing', () => {
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'", 'https://js.stripe.com']);
    expect(directives.get('frame-src')).toEqual(['https://js.stripe.com', 'https://hooks.stripe.com']);
    expect(directives.get('connect-src')).toEqual(["'self'", 'https://api.stripe.com', 'https://*.amazoncognito.com']);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'https:']);
    // Videos play from presigned URLs on the outputs bucket's regional host, and from nowhere else.
    expect(directives.get('media-src')).toEqual(["'self'", 'https://<BananaFlowCredits-dev-Stateful:OutputsBucketName>.s3.<AWS::Region>.<AWS::URLSuffix>']);
    expect(directives.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'self'"]);
    expect(directives.get('form-action')).toEqual(["'self'", 'https://*.amazoncognito.com']);
    expect(csp).not.toMatch(/unsafe-eval|\*(?!\.amazoncognito\.com)/);
  });

  it('rewrites app routes to /index.html on the default behavior\'s viewer requests, and nowhere else', () => {
    const [functionId, fn] = one(dev, 'AWS::CloudFront::Function');

    expect(fn.Properties).toMatchObject({ FunctionCode: SPA_REWRITE_CODE, FunctionConfig: { Runtime: 'cloudfront-js-2.0' }, AutoPublish: true });
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }]);
    expect(config.CacheBehaviors[0]!.FunctionAssociations).toBeUndefined();
  });

  it('passes /v1/* to the HTTP API over HTTPS, uncached, with every method and the viewer\'s headers but Host', () => {
    expect(config.CacheBehaviors).toHaveLength(1);
    const api = config.CacheBehaviors[0]!;
    const origin = config.Origins.find((o) => o.Id === api.TargetOriginId)!;

    expect(api).toMatchObject({ PathPattern: '/v1/*', CachePolicyId: CACHING_DISABLED, OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER, ViewerProtocolPolicy: 'https-only' });
    expect([...(api.AllowedMethods as string[])].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    expect(origin.CustomOriginConfig).toEqual({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    const apiId = logicalId(dev, dev.stacks.service.api.api);
    expect(origin.DomainName).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] }] }] });
  });
});

describe('the distribution on the stage\'s own domain (webDomain)', () => {
  const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
  const custom = buildApp({ ...PROD_CONFIG, webDomain: { domainName: 'billing.bananaflow.app', certificateArn } });

  it('answers on that name with its certificate and TLS 1.2 (2021 policy) at least, and the site URL is that name', () => {
    const config = distributionConfig(custom);
    const client = Object.values(custom.service.findResources('AWS::Cognito::UserPoolClient'))[0] as Resource;

    expect(config.Aliases).toEqual(['billing.bananaflow.app']);
    expect(config.ViewerCertificate).toEqual({ AcmCertificateArn: certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    expect((custom.service.toJSON().Outputs as Record<string, { Value: unknown }>).SiteUrl!.Value).toBe('https://billing.bananaflow.app');
    expect(client.Properties.CallbackURLs).toEqual(['https://billing.bananaflow.app/']);
    expect(distributionConfig(prod).ViewerCertificate).toBeUndefined();
  });

  it('needs no acknowledgement of the TLS rule (CFR4) and passes cdk-nag', () => {
    const report = new AwsSolutionsChecks().validateScope(custom.app);
    const acknowledged = JSON.stringify(custom.stacks.service.web.distribution.node.metadata);

    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(acknowledged).not.toContain('AwsSolutions-CFR4');
    expect(JSON.stringify(prod.stacks.service.web.distribution.node.metadata)).toContain('AwsSolutions-CFR4');
  });
});

describe('the SPA rewrite function', () => {
  const handler = new Function(`${SPA_REWRITE_CODE}; return handler;`)() as (e: { request: { uri: string } }) => { uri: string };
  const rewrite = (uri: string) => handler({ request: { uri } }).uri;

  it.each([
    ['/', '/index.html'],
    ['/billing', '/index.html'],
    ['/billing/invoices/', '/index.html'],
    ['/v1.2/billing', '/index.html'],
  ])('serves the app for the route %s', (uri, expected) => {
    expect(rewrite(uri)).toBe(expected);
  });

  it.each(['/config.json', '/assets/index-Ddl4ge5O.js', '/favicon.ico', '/index.html'])('leaves the file %s as it is (a missing file stays an error)', (uri) => {
    expect(rewrite(uri)).toBe(uri);
  });
});

describe('the built app as deployed', () => {
  const deployments = resources(dev, 'Custom::CDKBucketDeployment');
  const byId = (id: string) => Object.entries(deployments).find(([logical]) => logical.startsWith(`Web${id}`))!;
  const [assetsId, assets] = byId('DeployAssets');
  const [, shell] = byId('DeployShell');

  it('uploads the hashed bundles as immutable and everything else as no-cache, the bundles first, pruning nothing', () => {
    expect(assets.Properties).toMatchObject({ DestinationBucketKeyPrefix: 'assets/', Prune: false, SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' } });
    expect(shell.Properties).toMatchObject({ Prune: false, SystemMetadata: { 'cache-control': 'no-cache' } });
    expect(shell.Properties.DestinationBucketKeyPrefix).toBeUndefined();
    expect(shell.DependsOn).toContain(assetsId);
    for (const d of [assets, shell]) expect(d.Properties.DestinationBucketName).toEqual({ Ref: logicalId(dev, dev.stacks.service.web.bucket) });
  });

  it('uploads web/dist without its bundles as the no-cache part (index.html at the root)', () => {
    const directory = dev.app.synth().directory;
    const [siteKey] = shell.Properties.SourceObjectKeys as string[];
    const files = fs.readdirSync(path.join(directory, `asset.${siteKey!.replace(/\.zip$/, '')}`));

    expect(files).toContain('index.html');
    expect(files).not.toContain('assets');
  });

  it('refuses to synthesize without the built app, naming npm run build:web', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'web-dist-'));
    const stack = new Stack(new App(), 'Test');

    expect(() => new WebHosting(stack, 'Web', { apiEndpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com', signInOrigin: 'https://*.amazoncognito.com', siteDirectory: empty, removalPolicy: RemovalPolicy.DESTROY, logRetentionDays: 14 })).toThrow(
      /index\.html does not exist\. Run `npm run build:web`/,
    );
  });
});
