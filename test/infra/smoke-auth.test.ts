/**
 * The post-deploy smoke test's hooks in the infrastructure: the dev-created app client allows
 * ADMIN_USER_PASSWORD_AUTH (the test user signs in with AdminInitiateAuth) and the Stateful stack
 * outputs the pool and client it needs; a stage that imports its pool gets none of it.
 */
import { DEV_CONFIG, PROD_CONFIG, buildApp } from './build-app';

type Resource = { Properties?: Record<string, unknown> };

describe('dev stage (creates its user pool)', () => {
  const { stateful, service } = buildApp(DEV_CONFIG);

  it('its only app client allows SRP and admin user-password auth, nothing else (no plain USER_PASSWORD_AUTH from a browser)', () => {
    const clients = Object.values(stateful.findResources('AWS::Cognito::UserPoolClient')) as Resource[];

    expect(clients).toHaveLength(1);
    expect([...(clients[0]!.Properties?.ExplicitAuthFlows as string[])].sort()).toEqual(['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
    expect(clients[0]!.Properties?.GenerateSecret).toBe(false);
  });

  it('outputs the user pool id and app client id for the smoke test', () => {
    const outputs = stateful.toJSON().Outputs as Record<string, { Value: unknown }>;
    const poolId = Object.keys(stateful.findResources('AWS::Cognito::UserPool'))[0];
    const clientId = Object.keys(stateful.findResources('AWS::Cognito::UserPoolClient'))[0];

    expect(outputs.UserPoolId?.Value).toEqual({ Ref: poolId });
    expect(outputs.AppClientId?.Value).toEqual({ Ref: clientId });
    expect(service.toJSON().Outputs).toHaveProperty('ApiUrl');
  });
});

describe('prod stage (imports the app’s user pool)', () => {
  const { stateful, service } = buildApp(PROD_CONFIG);

  it('creates no user pool or client, enables no auth flow anywhere and outputs no pool for the smoke test', () => {
    expect(stateful.findResources('AWS::Cognito::UserPool')).toEqual({});
    expect(stateful.findResources('AWS::Cognito::UserPoolClient')).toEqual({});
    // The service stack's only client is the web app's: managed login (code grant), no SDK sign-in flow.
    const clients = Object.values(service.findResources('AWS::Cognito::UserPoolClient')) as Resource[];
    expect(clients).toHaveLength(1);
    expect(clients[0]!.Properties).toMatchObject({ UserPoolId: 'eu-west-1_AbCdEf123', AllowedOAuthFlows: ['code'], ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'] });
    const everything = JSON.stringify([stateful.toJSON(), service.toJSON()]);
    expect(everything).not.toMatch(/ADMIN_USER_PASSWORD_AUTH|AdminInitiateAuth/);
    expect(Object.keys((stateful.toJSON().Outputs ?? {}) as object)).not.toEqual(expect.arrayContaining(['UserPoolId']));
    expect(Object.keys((stateful.toJSON().Outputs ?? {}) as object)).not.toEqual(expect.arrayContaining(['AppClientId']));
  });
});
