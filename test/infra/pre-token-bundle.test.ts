/**
 * The trigger's deployed artifact: bundled exactly as the CDK app bundles it (lib/tooling/lambda-bundle.ts),
 * then invoked with a Cognito V2_0 event in a fresh Node process whose environment holds only what
 * Lambda would give it, against DynamoDB Local. Proves the ESM bundle (banner, the env-only credential
 * provider, Powertools) answers with the team claims, and that a failed read still signs the user in
 * and leaves a metric line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as esbuild from 'esbuild';
import { userTeamToItem } from '../../lambdas/adapters/dynamodb/items';
import { TEAM_CLAIM_READ_FAILURES_METRIC } from '../../lambdas/handlers/cognito/pre-token-generation';
import { PRE_TOKEN_FUNCTION } from '../../lib/function-catalog';
import { lambdaBundleOptions } from '../../lib/tooling/lambda-bundle';
import type { TestTable } from '../support/dynamodb';
import { createTestTable, dropTestTable } from '../support/dynamodb';

let outDir: string;
let table: TestTable;
let bundleFile: string;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'bfc-pre-token-bundle-'));
  table = await createTestTable();
  bundleFile = path.join(outDir, 'pre-token-generation.mjs');
  await esbuild.build(lambdaBundleOptions(PRE_TOKEN_FUNCTION.entry, bundleFile));
  await table.db.send(new PutCommand({ TableName: table.tableName, Item: userTeamToItem({ userId: 'bundle-member', accountId: 'bundle-team', status: 'active', updatedAt: '2027-01-10T00:00:00.000Z' }) }));
}, 60_000);

afterAll(async () => {
  if (table) await dropTestTable(table);
  rmSync(outDir, { recursive: true, force: true });
});

function lambdaEnvironment(tableName: string): Record<string, string> {
  return {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'ASIABUNDLETEST',
    AWS_SECRET_ACCESS_KEY: 'bundle-test-secret-key',
    AWS_SESSION_TOKEN: 'bundle-test-session-token',
    AWS_LAMBDA_FUNCTION_NAME: 'bundle-test',
    NODE_OPTIONS: '--enable-source-maps',
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT!,
    JOBS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs',
    LOCAL_MODE: 'false',
    POWERTOOLS_SERVICE_NAME: 'banana-flow-credits',
    POWERTOOLS_METRICS_NAMESPACE: 'BananaFlowCredits',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    HOME: outDir,
  };
}

const event = (sub: string) => ({
  version: '2',
  triggerSource: 'TokenGeneration_HostedAuth',
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_AbCdEf123',
  userName: sub,
  callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '4example5client6id7abcdef' },
  request: { userAttributes: { sub, email: `${sub}@example.com`, email_verified: 'true' }, groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [] }, scopes: ['openid', 'email'] },
  response: {},
});

/** One cold start: a fresh process imports the bundle and invokes it once; the result and everything else it printed (logs, metrics). */
function invokeFresh(input: unknown, env: Record<string, string>): Promise<{ result: { response: Record<string, unknown> }; output: string }> {
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(bundleFile).href)});
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const result = await handler(JSON.parse(input), { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 5000 });
    process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n');`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`bundle exited ${code}: ${stderr.slice(-2000)}`));
      else resolve({ result: JSON.parse(line.slice('RESULT '.length)) as { response: Record<string, unknown> }, output: stdout.replace(line, '') + stderr });
    });
    child.stdin.end(JSON.stringify(input));
  });
}

test('the bundle puts the team wallet into both tokens, signing its read with the credentials from the environment', async () => {
  const { result } = await invokeFresh(event('bundle-member'), lambdaEnvironment(table.tableName));

  expect(result.response).toEqual({
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: { claimsToAddOrOverride: { account_id: 'bundle-team' }, claimsToSuppress: ['account_role'] },
      accessTokenGeneration: { claimsToAddOrOverride: { account_id: 'bundle-team' }, claimsToSuppress: ['account_role'] },
    },
  });
}, 60_000);

test('a failed read: the bundle answers the event unchanged (own wallet), logs facts only and counts a metric', async () => {
  const { result, output } = await invokeFresh(event('bundle-member'), lambdaEnvironment(`missing-${table.tableName}`));

  expect(result.response).toEqual({});
  expect(output).toContain(TEAM_CLAIM_READ_FAILURES_METRIC);
  expect(output).toMatch(/"errorName":"ResourceNotFoundException"/);
  expect(output).not.toMatch(/bundle-member@example\.com|ASIABUNDLETEST|bundle-test-secret-key/);
}, 60_000);
