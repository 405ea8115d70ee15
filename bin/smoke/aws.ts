/**
 * The smoke test's AWS side: the stage's stack outputs (CloudFormation) and a token for the dev test
 * user (Cognito AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH, which only the dev-created app
 * client allows). The user's name and password come from SMOKE_USERNAME / SMOKE_PASSWORD or from the
 * secret `banana-flow-credits/<stage>/smoke-user` ({"username","password"}); they are never printed.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AdminInitiateAuthCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface StageOutputs {
  readonly apiUrl: string;
  /** Only for stages that create their user pool (dev). */
  readonly userPoolId?: string;
  readonly appClientId?: string;
}

export interface TestUser {
  readonly username: string;
  readonly password: string;
}

export function stackNames(stage: string): { stateful: string; service: string } {
  return { stateful: `BananaFlowCredits-${stage}-Stateful`, service: `BananaFlowCredits-${stage}-Service` };
}

export function smokeUserSecretName(stage: string): string {
  return `banana-flow-credits/${stage}/smoke-user`;
}

async function outputsOf(cloudFormation: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  const described = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const stack = described.Stacks?.[0];
  if (!stack) throw new Error(`stack ${stackName} not found`);
  return Object.fromEntries((stack.Outputs ?? []).flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [])));
}

export async function readStageOutputs(stage: string, region: string | undefined): Promise<StageOutputs> {
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  try {
    const names = stackNames(stage);
    const [service, stateful] = await Promise.all([outputsOf(cloudFormation, names.service), outputsOf(cloudFormation, names.stateful)]);
    const apiUrl = service.ApiUrl;
    if (!apiUrl) throw new Error(`stack ${names.service} has no ApiUrl output`);
    return {
      apiUrl,
      ...(stateful.UserPoolId ? { userPoolId: stateful.UserPoolId } : {}),
      ...(stateful.AppClientId ? { appClientId: stateful.AppClientId } : {}),
    };
  } finally {
    cloudFormation.destroy();
  }
}

/** From SMOKE_USERNAME / SMOKE_PASSWORD when both are set, else from the stage's smoke-user secret. */
export async function readTestUser(stage: string, region: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<TestUser> {
  if (env.SMOKE_USERNAME && env.SMOKE_PASSWORD) return { username: env.SMOKE_USERNAME, password: env.SMOKE_PASSWORD };
  const secrets = new SecretsManagerClient(region ? { region } : {});
  const secretId = smokeUserSecretName(stage);
  try {
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    return parseTestUser(value.SecretString, secretId);
  } finally {
    secrets.destroy();
  }
}

export function parseTestUser(secretString: string | undefined, secretId: string): TestUser {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    // reported below, without the value
  }
  const user = parsed as Partial<TestUser> | undefined;
  if (typeof user?.username !== 'string' || typeof user.password !== 'string' || !user.username || !user.password) {
    throw new Error(`secret ${secretId} must hold JSON {"username":"…","password":"…"}`);
  }
  return { username: user.username, password: user.password };
}

/** An access token for the test user (the API's JWT authorizer takes the app client's access tokens). */
export async function testUserToken(outputs: StageOutputs, user: TestUser, region: string | undefined): Promise<string> {
  if (!outputs.userPoolId || !outputs.appClientId) {
    throw new Error('this stage imports its user pool (no UserPoolId/AppClientId outputs): pass a token for a test user in SMOKE_TOKEN');
  }
  const cognito = new CognitoIdentityProviderClient(region ? { region } : {});
  try {
    const result = await cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: outputs.userPoolId,
        ClientId: outputs.appClientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
      }),
    );
    const token = result.AuthenticationResult?.AccessToken;
    if (!token) throw new Error(`Cognito answered with the challenge ${result.ChallengeName ?? '(none)'} instead of tokens: set the test user's permanent password (README, Smoke test after deploy)`);
    return token;
  } finally {
    cognito.destroy();
  }
}
