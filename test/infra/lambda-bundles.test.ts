/**
 * The deployed artifacts themselves, not the TypeScript: each bundle is built exactly as the CDK app
 * builds it (lib/tooling/lambda-bundle.ts), then invoked in a fresh Node process whose environment
 * holds only what Lambda would give it (role credentials in AWS_* variables, the function's
 * configuration), against DynamoDB Local and a stand-in for Secrets Manager. This is what proves the
 * ESM banner, the env-only credential provider (an esbuild alias, absent from every other test), and
 * the Stripe keys read from Secrets Manager work in the real bundle.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import Stripe from 'stripe';
import { createLocalGateway, signDevToken } from '../../bin/local/gateway';
import type { HttpEvent, HttpResult } from '../../lambdas/shared/http-route';
import { httpFunctionSpecs } from '../../lib/function-catalog';
import { lambdaBundleOptions } from '../../lib/tooling/lambda-bundle';
import type { TestTable } from '../support/dynamodb';
import type { FakeSecretsManager } from '../support/fake-secrets-manager';
import { startFakeSecretsManager } from '../support/fake-secrets-manager';
import { createTestTable, dropTestTable } from '../support/dynamodb';

const JWT_SECRET = 'bundle-test-secret-that-is-long-enough';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bfc-test-stripe-AbCdEf';
const STRIPE_KEYS = { secretKey: 'sk_test_bundle', webhookSecret: 'whsec_bundle_from_secrets_manager', priceBeginner: 'price_b', pricePro: 'price_p', priceTeam: 'price_t' };

let outDir: string;
let table: TestTable;
let secretsManager: FakeSecretsManager;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'bfc-bundle-run-'));
  table = await createTestTable();
  secretsManager = await startFakeSecretsManager({ arn: SECRET_ARN, secretString: () => JSON.stringify(STRIPE_KEYS) });
}, 60_000);

afterAll(async () => {
  await secretsManager?.close();
  if (table) await dropTestTable(table);
  rmSync(outDir, { recursive: true, force: true });
});

async function bundle(functionName: string): Promise<{ file: string; exportName: string }> {
  const spec = httpFunctionSpecs().find((s) => s.name === functionName)!;
  const file = path.join(outDir, `${functionName}.mjs`);
  await esbuild.build(lambdaBundleOptions(spec.entry, file));
  return { file, exportName: spec.exportName };
}

/** Lambda's environment for a function: its configuration and the role's credentials, nothing from this machine. */
function lambdaEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'ASIABUNDLETEST',
    AWS_SECRET_ACCESS_KEY: 'bundle-test-secret-key',
    AWS_SESSION_TOKEN: 'bundle-test-session-token',
    AWS_LAMBDA_FUNCTION_NAME: 'bundle-test',
    NODE_OPTIONS: '--enable-source-maps',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT!,
    JOBS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
    LOCAL_MODE: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // Where a home directory would hold ~/.aws: nowhere, so only the environment can supply credentials.
    HOME: outDir,
    ...extra,
  };
}

/** One cold start: a fresh process imports the bundle and invokes the handler once with `event`. */
function invokeFresh(target: { file: string; exportName: string }, event: HttpEvent, env: Record<string, string>): Promise<HttpResult> {
  const script = `
    const { handler } = { handler: (await import(${JSON.stringify(pathToFileURL(target.file).href)}))[${JSON.stringify(target.exportName)}] };
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const context = { awsRequestId: 'bundle-test', functionName: 'bundle-test', getRemainingTimeInMillis: () => 10000 };
    const result = await handler(JSON.parse(input), context);
    process.stdout.write(JSON.stringify(result));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as HttpResult) : reject(new Error(`bundle exited ${code}: ${stderr.slice(-2000)}`))));
    child.stdin.end(JSON.stringify(event));
  });
}

/** The local gateway (JWT check, API Gateway's event shape) in front of the bundle run in a fresh process. */
function gatewayFor(method: 'GET' | 'POST', routePath: string, auth: 'none' | 'jwt', target: { file: string; exportName: string }, env: Record<string, string>) {
  return createLocalGateway({ jwtSecret: JWT_SECRET, routes: [{ method, path: routePath, auth, functionName: 'bundle-test', handler: (event) => invokeFresh(target, event, env) }] });
}

test('a DynamoDB-only bundle answers GET /v1/balance from DynamoDB, signing with the role credentials from the environment', async () => {
  const gateway = gatewayFor('GET', '/v1/balance', 'jwt', await bundle('get-balance'), lambdaEnvironment());
  const token = await signDevToken(JWT_SECRET, { sub: 'bundle-user' });

  const response = await gateway({ method: 'GET', path: '/v1/balance', headers: { authorization: `Bearer ${token}` } });

  expect(response.statusCode).toBe(200);
  expect(JSON.parse(response.body)).toMatchObject({ available: 100 }); // the account was opened with its FREE grant
}, 60_000);

test('the Stripe webhook bundle reads its keys from Secrets Manager at cold start and verifies signatures with them', async () => {
  const env = lambdaEnvironment({ STRIPE_SECRET_ARN: SECRET_ARN, AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url });
  const gateway = gatewayFor('POST', '/v1/webhooks/stripe', 'none', await bundle('stripe-webhook'), env);
  const payload = JSON.stringify({ id: 'evt_bundle_1', object: 'event', type: 'customer.created', created: Math.floor(Date.now() / 1000), data: { object: { id: 'cus_bundle', object: 'customer' } } });
  const post = (secret: string) =>
    gateway({ method: 'POST', path: '/v1/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }) }, body: payload });

  expect((await post(STRIPE_KEYS.webhookSecret)).statusCode).toBe(200);
  const forged = await post('whsec_not_the_one_in_secrets_manager');
  expect(forged.statusCode).toBe(400);
  expect(JSON.parse(forged.body)).toMatchObject({ error: { code: 'invalid_signature' } });
  // One read per cold start (two processes), by ARN, signed with the role's credentials.
  const signedWith = (authorization: string) => /Credential=([^/]+)\//.exec(authorization)?.[1] ?? '';
  expect(secretsManager.requests.map((r) => ({ target: r.target, secretId: r.secretId, signedWith: signedWith(r.authorization) }))).toEqual([
    { target: 'secretsmanager.GetSecretValue', secretId: SECRET_ARN, signedWith: 'ASIABUNDLETEST' },
    { target: 'secretsmanager.GetSecretValue', secretId: SECRET_ARN, signedWith: 'ASIABUNDLETEST' },
  ]);
}, 60_000);
