/**
 * Issue 11: IAM checked against the calls the code really makes. Every route, queue worker and
 * scheduled job runs its real paths here (first requests of brand-new accounts included) with the
 * DynamoDB, SQS and S3 (outputs store) clients wrapped: each call is attributed to the function that
 * makes it and checked against that function's role as synthesized into the CloudFormation template.
 * A call the role would refuse in AWS (AccessDenied, answered as a 500) fails the test, naming the
 * function, the action and the resource. A presigned GET is checked when it is signed: the URL
 * carries the signer's permission. The test service reads no secret (its Stripe and model providers
 * are local), so the secrets' grants are checked through the wrapper on its own, last test.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { readProviderKeys } from '../../lambdas/composition/model-wiring';
import { allFunctionSpecs, BILLING_JOB_FUNCTION, SCHEDULED_FUNCTION, WORKER_FUNCTION } from '../../lib/function-catalog';
import { BILLING_JOBS, LEDGER_JOBS } from '../../lib/scheduled-jobs';
import { CallChecker, PolicyBook } from '../support/aws-policy';
import { startFakeSecretsManager } from '../support/fake-secrets-manager';
import { newIdempotencyKey, setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';
import { DEV_CONFIG, buildApp } from '../infra/build-app';

const built = buildApp(DEV_CONFIG);
const { stateful } = built.stacks;
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stateful.getLogicalId(construct.node.defaultChild as never);
const policies = new PolicyBook(built.service, built.stateful, {
  statefulLogicalIds: {
    [logicalId(stateful.table)]: '{table}',
    [logicalId(stateful.jobsQueue)]: '{jobsQueue}',
    [logicalId(stateful.jobsDeadLetterQueue)]: '{jobsDeadLetterQueue}',
    [logicalId(stateful.stripeSecret)]: '{stripeSecret}',
    [logicalId(stateful.providerSecret)]: '{providerSecret}',
    [logicalId(stateful.outputsBucket)]: '{outputsBucket}',
  },
});

let t: TestService;
let checker: CallChecker;
beforeAll(async () => {
  let tableName = '';
  let queueUrl = '';
  let bucketName = '';
  checker = new CallChecker(
    policies,
    {
      tableOf: (name) => (name === tableName ? '{table}' : `<table ${name}>`),
      queueOf: (url) => (url === queueUrl ? '{jobsQueue}' : `<queue ${url}>`),
      bucketOf: (name) => (name === bucketName ? '{outputsBucket}' : `<bucket ${name}>`),
    },
    new Set(['local-card']),
  );
  t = await startTestService({
    db: (db) => checker.wrapDynamoDb(db),
    sqs: (sqs) => checker.wrapSqs(sqs),
    s3: (s3) => checker.wrapS3(s3),
    attribute: (name, work) => checker.attribute(name, work),
  });
  tableName = t.table.tableName;
  queueUrl = t.queues.queueUrl;
  bucketName = t.s3.bucket;
});
afterAll(async () => {
  await expectMoneyInvariants(t);
  await t.stop();
});

const runJob = (name: string) => {
  const runner = LEDGER_JOBS.some((j) => j.name === name) ? SCHEDULED_FUNCTION.name : BILLING_JOBS.some((j) => j.name === name) ? BILLING_JOB_FUNCTION.name : null;
  if (!runner) throw new Error(`no runner schedules ${name}`);
  return checker.attribute(runner, () => t.service.jobs[name]!());
};
const generate = (token: string, body: Record<string, unknown>) => t.call('POST', '/v1/generations', { token, body, headers: { 'idempotency-key': newIdempotencyKey() } });

test('every function, on its real paths, makes only calls its synthesized role allows', async () => {
  t.clock.set(new Date('2027-01-10T00:00:00.000Z'));

  // First requests: each read route is the very first request of a brand-new account.
  const firstRequests: Array<[string, string]> = [
    ['GET', '/v1/ledger'],
    ['GET', '/v1/balance'],
    ['GET', '/v1/billing'],
    ['GET', '/v1/generations'],
    ['GET', '/v1/generations/gen_01jx0000000000000000000000'],
    ['GET', '/v1/auto-refill'],
  ];
  for (const [method, path] of firstRequests) {
    const token = await t.token(`first-${path.replaceAll('/', '-')}`);
    const answer = await t.call(method, path, { token });
    expect([method, path, answer.status < 500]).toEqual([method, path, true]);
  }
  expect((await t.call('POST', '/v1/quotes', { token: await t.token('first-quote'), body: { model: 'gpt-image-2', count: 1 } })).status).toBe(200);
  expect((await t.call('GET', '/v1/pricing')).status).toBe(200);
  expect((await t.call('GET', '/v1/openapi.json')).status).toBe(200);

  // Coupons: issued by an admin, redeemed (and a wrong code).
  const admin = await t.token('iam-admin', { groups: ['admin'] });
  const issued = await t.call('POST', '/v1/admin/coupons', { token: admin, body: { campaign: 'iam', credits: 50, count: 1 } });
  expect(issued.status).toBe(201);
  const owner = await t.token('iam-owner');
  expect((await t.call('POST', '/v1/coupons/redeem', { token: owner, body: { code: issued.body.codes[0] } })).status).toBe(200);
  expect((await t.call('POST', '/v1/coupons/redeem', { token: owner, body: { code: 'WRONG-CODE-1234' } })).status).toBeLessThan(500);

  // A top-up paid through the simulator: the webhook credits it.
  expect((await t.call('POST', '/v1/topups', { token: owner, body: { credits: 1000 }, headers: { 'idempotency-key': newIdempotencyKey() } })).status).toBe(201);
  await t.settle();

  // Generations: one succeeds, one fails (refund), one crashes on every delivery (the DLQ consumer refunds it).
  for (const params of [{ prompt: 'a test image' }, { prompt: 'a test image', simulate: 'fail' }, { prompt: 'a test image', simulate: 'crash' }]) {
    expect((await generate(owner, { model: 'gpt-image-2', count: 1, params })).status).toBe(202);
    await t.settle(); // FREE runs one job at a time
  }

  // Outputs: the succeeded image, listed and shown (each signs GET URLs for its outputs).
  const listed = (await t.call('GET', '/v1/generations', { token: owner })) as { status: number; body: { generations: Array<{ id: string; status: string }> } };
  expect(listed.status).toBe(200);
  const succeeded = listed.body.generations.find((g) => g.status === 'succeeded');
  expect(succeeded).toBeDefined();
  expect((await t.call('GET', `/v1/generations/${succeeded!.id}`, { token: owner })).status).toBe(200);

  // Auto-refill: configured, then a debit crossing the threshold makes the worker start a refill.
  expect((await t.call('PUT', '/v1/auto-refill', { token: owner, body: { enabled: true, thresholdCredits: 1000, refillCredits: 500, monthlyCapCredits: 2000 } })).status).toBe(200);
  expect((await generate(owner, { model: 'veo-3.1', count: 1, params: { prompt: 'a test image' } })).status).toBe(202);
  await t.settle();

  // Plans: subscribe, upgrade, downgrade, cancel; PAYG on.
  const subscriber = await t.token('iam-subscriber');
  for (const plan of ['BEGINNER', 'PRO', 'BEGINNER']) {
    expect((await t.call('POST', '/v1/subscription', { token: subscriber, body: { plan } })).status).toBeLessThan(300);
    await t.settle();
  }
  expect((await t.call('PUT', '/v1/payg', { token: subscriber, body: { enabled: true } })).status).toBe(200);
  expect((await t.call('DELETE', '/v1/subscription', { token: subscriber })).status).toBeLessThan(300);
  // A video cancelled by its owner (the cancel route may ask the provider to stop it).
  const video = await generate(owner, { model: 'veo-3.1', count: 1, params: { prompt: 'a test video' } });
  expect(video.status).toBe(202);
  expect((await t.call('POST', `/v1/generations/${video.body.id}/cancel`, { token: owner })).status).toBeLessThan(500);
  await t.settle();

  await setPlan(t, 'iam-payg', 'BEGINNER');
  const payg = await t.token('iam-payg');
  expect((await t.call('PUT', '/v1/payg', { token: payg, body: { enabled: true } })).status).toBe(200);
  expect((await generate(payg, { model: 'nano-banana-pro', count: 8, params: { prompt: 'a test image' } })).status).toBe(202);
  await t.settle();

  // A team: invite, revoke, invite again, join, a member's debit, cap change, usage, the team, removal.
  await setPlan(t, 'iam-team', 'TEAM');
  const teamOwner = await t.token('iam-team');
  const revoked = await t.call('POST', '/v1/team/invites', { token: teamOwner, body: { email: 'gone@example.com', role: 'member' } });
  expect((await t.call('DELETE', `/v1/team/invites/${revoked.body.id}`, { token: teamOwner })).status).toBe(204);
  const invite = await t.call('POST', '/v1/team/invites', { token: teamOwner, body: { email: 'mate@example.com', role: 'member', monthlyCapCredits: 50 } });
  expect((await t.call('POST', '/v1/team/join', { token: await t.token('iam-mate'), body: { code: invite.body.code } })).status).toBe(200);
  const mate = await t.token('iam-mate', { account_id: 'iam-team' });
  expect((await generate(mate, { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } })).status).toBe(202);
  expect((await t.call('PATCH', '/v1/team/members/iam-mate', { token: teamOwner, body: { monthlyCapCredits: 80 } })).status).toBe(200);
  expect((await t.call('GET', '/v1/usage?from=2027-01-01&to=2027-03-01&groupBy=member', { token: mate })).status).toBe(200);
  expect((await t.call('GET', '/v1/team', { token: mate })).status).toBe(200);
  expect((await t.call('DELETE', '/v1/team/members/iam-mate', { token: teamOwner })).status).toBe(204);
  await t.settle();

  // A refund and a dispute of payments, delivered by the simulator to the webhook.
  const billing = (await t.call('GET', '/v1/billing', { token: owner })).body as { topups: Array<{ paymentId: string | null }> };
  const paid = billing.topups.map((p) => p.paymentId).filter((id): id is string => Boolean(id));
  expect(paid.length).toBeGreaterThanOrEqual(1);
  t.payments.refund(paid[0]!, 100);
  t.payments.dispute(paid[0]!, 'open');
  await t.settle();

  // A month later: every scheduled job, with work to do (grants, expiry, PAYG invoices, refills, reaper, reconcile).
  t.clock.set(new Date('2027-02-11T01:00:00.000Z'));
  t.payments.advanceTo(t.clock.now());
  await t.settle();
  for (const job of [...LEDGER_JOBS, ...BILLING_JOBS]) await runJob(job.name);
  await t.settle();

  expect(checker.violations).toEqual([]);
  // Every function ran; every one but pricing and the OpenAPI document touched AWS, and each call was checked.
  const silent = allFunctionSpecs().filter((s) => !checker.invocations.get(s.name)).map((s) => s.name);
  expect(silent).toEqual([]);
  const callers = new Set(checker.calls.map((c) => c.functionName));
  expect(allFunctionSpecs().filter((s) => !callers.has(s.name)).map((s) => s.name)).toEqual(['get-pricing', 'get-openapi']);
  // The outputs were copied in by the worker and signed for by the routes that show them, under outputs/ only.
  const s3Calls = checker.calls.filter((c) => c.action.startsWith('s3:'));
  expect(s3Calls.filter((c) => c.action === 's3:PutObject').map((c) => c.functionName)).toEqual(expect.arrayContaining([WORKER_FUNCTION.name]));
  expect(new Set(s3Calls.filter((c) => c.action === 's3:PutObject').map((c) => c.functionName))).toEqual(new Set([WORKER_FUNCTION.name]));
  expect(s3Calls.filter((c) => c.action === 's3:GetObject').map((c) => c.functionName)).toEqual(expect.arrayContaining(['list-generations', 'get-generation']));
  for (const c of s3Calls) expect(c.resource).toMatch(/^\{outputsBucket\}\/outputs\//);
});

test('the checker refuses what a role does not grant, naming function, action and resource', () => {
  expect(policies.allows('list-ledger', 'dynamodb:Query', '{table}')).toBe(true);
  expect(policies.allows('get-pricing', 'dynamodb:GetItem', '{table}')).toBe(false);
  expect(policies.allows('get-balance', 'dynamodb:Query', '{table}/index/grantDue')).toBe(false);
  expect(policies.allows('run-job', 'dynamodb:DeleteItem', '{table}')).toBe(false);
  expect(policies.allows('create-topup', 'sqs:SendMessage', '{jobsQueue}')).toBe(false);
  expect(policies.allows('create-generation', 'sqs:SendMessage', '{jobsQueue}')).toBe(true);
  expect(policies.allows('create-topup', 'secretsmanager:GetSecretValue', '{stripeSecret}')).toBe(true);
  expect(policies.allows('get-balance', 'secretsmanager:GetSecretValue', '{stripeSecret}')).toBe(false);

  const output = '{outputsBucket}/outputs/acct-1/gen_01jx0000000000000000000000/0.png';
  expect(policies.allows(WORKER_FUNCTION.name, 's3:PutObject', output)).toBe(true);
  expect(policies.allows(WORKER_FUNCTION.name, 's3:AbortMultipartUpload', output)).toBe(true);
  expect(policies.allows(WORKER_FUNCTION.name, 's3:PutObject', '{outputsBucket}/elsewhere/0.png')).toBe(false);
  expect(policies.allows(WORKER_FUNCTION.name, 's3:DeleteObject', output)).toBe(false);
  expect(policies.allows(WORKER_FUNCTION.name, 's3:ListBucket', '{outputsBucket}')).toBe(false);
  expect(policies.allows('get-generation', 's3:GetObject', output)).toBe(true);
  expect(policies.allows('get-generation', 's3:PutObject', output)).toBe(false);
  expect(policies.allows('get-balance', 's3:GetObject', output)).toBe(false);
  expect(policies.allows(WORKER_FUNCTION.name, 'secretsmanager:GetSecretValue', '{providerSecret}')).toBe(true);
  expect(policies.allows('cancel-generation', 'secretsmanager:GetSecretValue', '{providerSecret}')).toBe(true);
  expect(policies.allows('create-topup', 'secretsmanager:GetSecretValue', '{providerSecret}')).toBe(false);
  expect(policies.allows('get-generation', 'secretsmanager:GetSecretValue', '{providerSecret}')).toBe(false);
});

test('the S3 wrapper checks sends and presigned URLs alike, and the Secrets Manager wrapper the secret read, leaving the clients as they were', async () => {
  const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:banana-flow-credits/test/model-providers-AbCdEf';
  const secrets = await startFakeSecretsManager({ arn: secretArn, secretString: () => JSON.stringify({ geminiApiKey: 'test-key' }) });
  try {
    const own = new CallChecker(policies, {
      tableOf: (name) => `<table ${name}>`,
      queueOf: (url) => `<queue ${url}>`,
      bucketOf: (name) => (name === t.s3.bucket ? '{outputsBucket}' : `<bucket ${name}>`),
      secretOf: (id) => (id === secretArn ? '{providerSecret}' : `<secret ${id}>`),
    });
    const s3 = own.wrapS3(t.s3.client);
    const Bucket = t.s3.bucket;
    const Key = 'outputs/acct-iam/gen_01jx0000000000000000000001/0.png';

    await own.attribute(WORKER_FUNCTION.name, () => s3.send(new PutObjectCommand({ Bucket, Key, Body: 'png', ContentType: 'image/png' })));
    const url = await own.attribute('get-generation', () => getSignedUrl(s3, new GetObjectCommand({ Bucket, Key }), { expiresIn: 60 }));
    await own.attribute('get-generation', () => s3.send(new PutObjectCommand({ Bucket, Key: `${Key}.copy`, Body: 'png' })));
    await own.attribute(WORKER_FUNCTION.name, () => s3.send(new PutObjectCommand({ Bucket, Key: 'elsewhere/0.png', Body: 'png' })));
    const client = own.wrapSecretsManager(new SecretsManagerClient({ region: 'us-east-1', endpoint: secrets.url }));
    expect(await own.attribute(WORKER_FUNCTION.name, () => readProviderKeys(client, secretArn))).toEqual({ geminiApiKey: 'test-key' });
    await own.attribute('get-balance', () => readProviderKeys(client, secretArn));

    expect(own.calls.map((c) => `${c.functionName} ${c.action} ${c.resource}`)).toEqual([
      `${WORKER_FUNCTION.name} s3:PutObject {outputsBucket}/${Key}`,
      `get-generation s3:GetObject {outputsBucket}/${Key}`,
      `get-generation s3:PutObject {outputsBucket}/${Key}.copy`,
      `${WORKER_FUNCTION.name} s3:PutObject {outputsBucket}/elsewhere/0.png`,
      `${WORKER_FUNCTION.name} secretsmanager:GetSecretValue {providerSecret}`,
      'get-balance secretsmanager:GetSecretValue {providerSecret}',
    ]);
    expect(own.violations).toEqual([
      `get-generation: s3:PutObject on {outputsBucket}/${Key}.copy (PutObjectCommand) is refused by its role`,
      `${WORKER_FUNCTION.name}: s3:PutObject on {outputsBucket}/elsewhere/0.png (PutObjectCommand) is refused by its role`,
      'get-balance: secretsmanager:GetSecretValue on {providerSecret} (GetSecretValueCommand) is refused by its role',
    ]);
    // The URL signed through the wrapper works, and the wrapped client itself was not changed.
    const fetched = await fetch(url);
    expect([fetched.status, await fetched.text()]).toEqual([200, 'png']);
    await own.attribute('get-balance', () => t.s3.client.send(new HeadObjectCommand({ Bucket, Key })));
    expect(own.calls).toHaveLength(6);
  } finally {
    await secrets.close();
  }
});
