/**
 * The web app's sign-in (lib/constructs/web-sign-in.ts) and what ties it to the rest: its client's
 * redirect is the site, the API accepts its tokens, its /config.json names it, the stack outputs it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuiltApp } from './build-app';
import { DEV_CONFIG, PROD_CONFIG, buildApp } from './build-app';

type Resource = { Properties: Record<string, unknown>; DependsOn?: string[] };

const dev = buildApp(DEV_CONFIG);
const prod = buildApp({ ...PROD_CONFIG, stripePublishableKey: 'pk_live_51HprodKey123' });
const prodWithDomain = buildApp({ ...PROD_CONFIG, userPool: { ...(PROD_CONFIG.userPool as object), loginDomain: 'https://auth.bananaflow.app' } as never });

function clientId(built: BuiltApp): string {
  return built.stacks.service.getLogicalId(built.stacks.service.webSignIn.client.node.defaultChild as never);
}

function outputs(built: BuiltApp): Record<string, { Value: unknown }> {
  return built.service.toJSON().Outputs as never;
}

/** The /config.json the deployment uploads, with each deploy-time marker replaced by the CloudFormation value it stands for. */
function deployedConfig(built: BuiltApp): unknown {
  const deployment = Object.entries(built.service.findResources('Custom::CDKBucketDeployment') as Record<string, Resource>).find(([id]) => id.startsWith('WebDeployShell'))![1];
  const keys = deployment.Properties.SourceObjectKeys as string[];
  const markers = deployment.Properties.SourceMarkers as Array<Record<string, unknown>>;
  const directory = built.app.synth().directory;
  const index = keys.findIndex((k) => fs.existsSync(path.join(directory, `asset.${k.replace(/\.zip$/, '')}`, 'config.json')));
  expect(index).toBeGreaterThanOrEqual(0);
  const text = fs.readFileSync(path.join(directory, `asset.${keys[index]!.replace(/\.zip$/, '')}`, 'config.json'), 'utf8');
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const parts = value.split(/(<<marker:0xbaba:\d+>>)/).filter((p) => p !== '');
      const resolved = parts.map((p) => markers[index]![p] ?? p);
      return resolved.length === 1 ? resolved[0] : resolved;
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };
  return resolve(JSON.parse(text));
}

describe('the web app client', () => {
  const client = (built: BuiltApp) => (built.service.findResources('AWS::Cognito::UserPoolClient') as Record<string, Resource>)[clientId(built)]!.Properties;

  it.each([
    ['dev', dev],
    ['prod (imported pool)', prod],
  ])('%s: authorization code grant only, no secret, openid/email/profile, no SDK sign-in flow', (_stage, built) => {
    expect(client(built)).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
    });
  });

  it('redirects only to the site, after sign-in and sign-out', () => {
    const site = outputs(dev).SiteUrl!.Value as { 'Fn::Join': [string, unknown[]] };
    const siteSlash = { 'Fn::Join': ['', [...site['Fn::Join'][1], '/']] };

    expect(JSON.stringify(site)).toContain(dev.stacks.service.getLogicalId(dev.stacks.service.web.distribution.node.defaultChild as never));
    expect(client(dev).CallbackURLs).toEqual([siteSlash]);
    expect(client(dev).LogoutURLs).toEqual([siteSlash]);
  });

  it('issues 1 h access and id tokens and 30 d refresh tokens, revocable, and does not reveal which users exist', () => {
    expect(client(dev)).toMatchObject({
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 30 * 24 * 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it("is on the stage's pool: dev's own (imported from the stateful stack), prod's by id", () => {
    expect(JSON.stringify(client(dev).UserPoolId)).toMatch(/Fn::ImportValue.*IdentityUserPool/);
    expect(client(prod).UserPoolId).toBe('eu-west-1_AbCdEf123');
  });

  it('is an audience of the API\'s JWT authorizer, next to the stage\'s own app clients (else every web call is a 401)', () => {
    const audience = (built: BuiltApp) => (Object.values(built.service.findResources('AWS::ApiGatewayV2::Authorizer'))[0] as Resource).Properties.JwtConfiguration as { Audience: unknown[] };

    expect(audience(dev).Audience).toContainEqual({ Ref: clientId(dev) });
    expect(audience(dev).Audience).toHaveLength(2);
    expect(audience(prod).Audience).toEqual(['4example5client6id7abcdef', { Ref: clientId(prod) }]);
  });
});

describe('the managed-login domain', () => {
  it('is a Cognito prefix domain with managed login (v2), named for the stage and unique per stack, with Cognito\'s branding for the client', () => {
    const [domainId, domain] = Object.entries(dev.service.findResources('AWS::Cognito::UserPoolDomain') as Record<string, Resource>)[0]!;
    const branding = Object.values(dev.service.findResources('AWS::Cognito::ManagedLoginBranding'))[0] as Resource;

    expect(domain.Properties.ManagedLoginVersion).toBe(2);
    expect(domain.Properties.CustomDomainConfig).toBeUndefined();
    expect(JSON.stringify(domain.Properties.Domain)).toMatch(/^\{"Fn::Join":\["",\["banana-flow-credits-dev-",.*"AWS::StackId"/);
    expect(branding.Properties).toMatchObject({ ClientId: { Ref: clientId(dev) }, UseCognitoProvidedValues: true });
    expect(branding.DependsOn).toContain(domainId);
  });

  it("uses an imported pool's existing domain when the stage names one, in the CSP by its exact origin", () => {
    expect(prodWithDomain.service.findResources('AWS::Cognito::UserPoolDomain')).toEqual({});
    expect(prodWithDomain.service.findResources('AWS::Cognito::ManagedLoginBranding')).not.toEqual({});
    expect(outputs(prodWithDomain).ManagedLoginDomain!.Value).toBe('https://auth.bananaflow.app');
    const policy = JSON.stringify(prodWithDomain.service.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    expect(policy).toContain("connect-src 'self' https://api.stripe.com https://auth.bananaflow.app;");
    expect(policy).toContain("form-action 'self' https://auth.bananaflow.app");
    expect(policy).not.toContain('amazoncognito.com');
  });
});

describe('the config the app reads (/config.json)', () => {
  it('names the sign-in domain, the web client and the scopes, and no Stripe key when the stage has none', () => {
    const domainId = Object.keys(dev.service.findResources('AWS::Cognito::UserPoolDomain'))[0]!;

    expect(deployedConfig(dev)).toEqual({
      auth: { mode: 'cognito', domain: ['https://', { Ref: domainId }, '.auth.', { Ref: 'AWS::Region' }, '.amazoncognito.com'], clientId: { Ref: clientId(dev) }, scopes: ['openid', 'email', 'profile'] },
      payments: { mode: 'stripe', publishableKey: null },
    });
  });

  it("carries the stage's Stripe publishable key, and an imported pool's own domain", () => {
    expect(deployedConfig(prod)).toMatchObject({ payments: { mode: 'stripe', publishableKey: 'pk_live_51HprodKey123' } });
    expect(deployedConfig(prodWithDomain)).toMatchObject({ auth: { domain: 'https://auth.bananaflow.app', clientId: { Ref: clientId(prodWithDomain) } }, payments: { publishableKey: null } });
  });
});

describe('the outputs', () => {
  it('give the site URL, the web client id and the managed-login domain', () => {
    const out = outputs(dev);
    const distributionId = dev.stacks.service.getLogicalId(dev.stacks.service.web.distribution.node.defaultChild as never);
    const domainId = Object.keys(dev.service.findResources('AWS::Cognito::UserPoolDomain'))[0]!;

    expect(out.SiteUrl!.Value).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] });
    expect(out.WebClientId!.Value).toEqual({ Ref: clientId(dev) });
    expect(out.ManagedLoginDomain!.Value).toEqual({ 'Fn::Join': ['', ['https://', { Ref: domainId }, '.auth.', { Ref: 'AWS::Region' }, '.amazoncognito.com']] });
  });
});
