import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { HTTP_ROUTES } from '../../lambdas/handlers/http/routes';
import { DUE_INDEXES, RECENT_INDEX } from '../../lambdas/adapters/dynamodb/table-schema';
import { BILLING_JOB_FUNCTION, DEAD_LETTER_FUNCTION, SCHEDULED_FUNCTION, WORKER_FUNCTION, allFunctionSpecs, httpFunctionSpecs } from '../../lib/function-catalog';
import type { FunctionAccess } from '../../lib/function-catalog';
import { BILLING_JOBS, SCHEDULED_JOBS } from '../../lib/scheduled-jobs';
import type { BuiltApp, Statement } from './build-app';
import { DEV_CONFIG, PROD_CONFIG, actionsOf, buildApp, functionsByName, resourcesOf, statementsOfFunction } from './build-app';

type Resource = { Properties: Record<string, unknown>; DeletionPolicy?: string };

const ACCESS: Record<string, FunctionAccess> = Object.fromEntries(allFunctionSpecs().map((s) => [s.name, s.access]));
const HTTP_FUNCTIONS = new Set(httpFunctionSpecs().map((s) => s.name));
const ALL_FUNCTIONS = Object.keys(ACCESS);

const dev = buildApp(DEV_CONFIG);
const prod = buildApp(PROD_CONFIG);

function logicalIdIn(built: BuiltApp, construct: IConstruct): string {
  return built.stacks.stateful.getLogicalId(construct.node.defaultChild as never);
}

/** True when a CloudFormation value (an import of a stateful-stack export, or a Ref/GetAtt) names this logical id. */
function refersTo(value: unknown, logicalId: string): boolean {
  return JSON.stringify(value).includes(logicalId);
}

function only<T>(record: Record<string, T>): T {
  const values = Object.values(record);
  expect(values).toHaveLength(1);
  return values[0]!;
}

describe('service stack: the HTTP API', () => {
  it('serves the $default stage with JSON access logs', () => {
    const { service } = dev;

    service.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    const stage = only(service.findResources('AWS::ApiGatewayV2::Stage')) as Resource;
    expect(stage.Properties).toMatchObject({ StageName: '$default', AutoDeploy: true });
    const logs = stage.Properties.AccessLogSettings as { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
    const format = JSON.parse(logs.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    expect(logs.Format).not.toMatch(/header|body/i);
    service.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 14 } });
    expect(Object.keys(service.findResources('AWS::Logs::LogGroup'))).toContain(logs.DestinationArn['Fn::GetAtt'][0]);
  });

  it("allows the app's origins (CORS) with the headers it sends", () => {
    prod.service.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['https://app.bananaflow.example'],
        AllowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        AllowMethods: Match.arrayWith(['GET', 'POST', 'PUT', 'DELETE']),
        AllowCredentials: false,
      }),
    });
  });

  it("checks Cognito JWTs from the stage's user pool and app clients", () => {
    prod.service.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      // The stage's app clients and the web app's own client (created by the service stack).
      JwtConfiguration: { Issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123', Audience: ['4example5client6id7abcdef', { Ref: prod.stacks.service.getLogicalId(prod.stacks.service.webSignIn.client.node.defaultChild as never) }] },
    });
    const devAuthorizer = only(dev.service.findResources('AWS::ApiGatewayV2::Authorizer')) as Resource;
    const poolId = logicalIdIn(dev, dev.stacks.stateful.node.findChild('Identity').node.findChild('UserPool'));
    expect(refersTo((devAuthorizer.Properties.JwtConfiguration as { Issuer: unknown }).Issuer, poolId)).toBe(true);
  });

  it.each(HTTP_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('routes %s to its own function with the right authorizer', (routeKey, spec) => {
    const { service } = dev;
    const routes = service.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }) as Record<string, Resource>;
    const route = only(routes);
    const authorizerId = Object.keys(service.findResources('AWS::ApiGatewayV2::Authorizer'))[0]!;

    if (spec.auth === 'jwt') {
      expect(route.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    } else {
      expect(route.Properties.AuthorizationType).toBe('NONE');
      expect(route.Properties.AuthorizerId).toBeUndefined();
    }
    const integrationId = JSON.stringify(route.Properties.Target).match(/"Ref":"([^"]+)"/)![1]!;
    const integration = service.toJSON().Resources[integrationId] as Resource;
    const fn = functionsByName(service).get(spec.functionName)!;
    expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0', IntegrationUri: { 'Fn::GetAtt': [fn.logicalId, 'Arn'] } });
  });

  it('leaves only pricing, the OpenAPI document and the Stripe webhook without a JWT', () => {
    const open = Object.values(dev.service.findResources('AWS::ApiGatewayV2::Route', { Properties: { AuthorizationType: 'NONE' } })) as Resource[];

    expect(open.map((r) => r.Properties.RouteKey).sort()).toEqual(['GET /v1/openapi.json', 'GET /v1/pricing', 'POST /v1/webhooks/stripe']);
    dev.service.resourceCountIs('AWS::ApiGatewayV2::Route', HTTP_ROUTES.length);
  });
});

describe('service stack: the functions', () => {
  const functions = functionsByName(dev.service);

  it('has one function per route, the worker, the DLQ consumer and the scheduled-jobs runner', () => {
    expect([...functions.keys()].sort()).toEqual([...ALL_FUNCTIONS].sort());
    // Besides them only aws-cdk-lib's own handlers: the web app's copy function and (dev) the one that empties its buckets on delete.
    const others = Object.keys(dev.service.findResources('AWS::Lambda::Function')).filter((id) => ![...functions.values()].some((f) => f.logicalId === id));
    expect(others.map((id) => id.replace(/[0-9A-F]{8,}$/, '')).sort()).toEqual(['CustomCDKBucketDeployment', 'CustomS3AutoDeleteObjectsCustomResourceProviderHandler']);
  });

  it.each(ALL_FUNCTIONS)('%s runs Node 22 on arm64 with its handler, source maps and its own log group', (name) => {
    const { resource } = functions.get(name)!;
    // The route table's entry names the export (`file.ts#export`); `handler` otherwise.
    const expectedExport = HTTP_ROUTES.find((r) => r.functionName === name)?.entry.split('#')[1] ?? 'handler';

    // The worker buffers provider outputs (up to 200 MiB a video) while copying them to S3.
    const memory = name === WORKER_FUNCTION.name ? 2048 : HTTP_FUNCTIONS.has(name) ? 1024 : 512;
    expect(resource.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: `index.${expectedExport}`, MemorySize: memory });
    const logGroupId = (resource.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    const logGroup = dev.service.toJSON().Resources[logGroupId] as Resource;
    expect(logGroup).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 14 }, DeletionPolicy: 'Delete' });
  });

  it.each(ALL_FUNCTIONS)('%s gets the environment the code reads', (name) => {
    const { resource } = functions.get(name)!;
    const env = (resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    const { stacks } = dev;

    expect(env).toMatchObject({
      JOB_LEASE_SECONDS: '120',
      JOB_REQUEUE_AFTER_SECONDS: '180',
      JOB_MAX_AGE_SECONDS: '3600',
      POLL_INTERVAL_SECONDS: '15',
      LOCAL_MODE: 'false',
      GENERATION_PROVIDER: 'simulated',
      POWERTOOLS_SERVICE_NAME: 'banana-flow-credits',
      POWERTOOLS_METRICS_NAMESPACE: 'BananaFlowCredits',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(refersTo(env.TABLE_NAME, logicalIdIn(dev, stacks.stateful.table))).toBe(true);
    expect(refersTo(env.JOBS_QUEUE_URL, logicalIdIn(dev, stacks.stateful.jobsQueue))).toBe(true);
    if (ACCESS[name]!.stripe) expect(refersTo(env.STRIPE_SECRET_ARN, logicalIdIn(dev, stacks.stateful.stripeSecret))).toBe(true);
    else expect(env.STRIPE_SECRET_ARN).toBeUndefined();
    expect(Object.keys(env).filter((k) => /STRIPE_SECRET_KEY|WEBHOOK_SECRET|_API_KEY$/.test(k))).toEqual([]);
    if (ACCESS[name]!.modelProviders) {
      expect(refersTo(env.PROVIDER_SECRET_ARN, logicalIdIn(dev, stacks.stateful.providerSecret))).toBe(true);
      expect(env.PROVIDER_MODEL_NAMES).toBe('{}');
    } else {
      expect([env.PROVIDER_SECRET_ARN, env.PROVIDER_MODEL_NAMES]).toEqual([undefined, undefined]);
    }
    if (ACCESS[name]!.outputs) expect(env.OUTPUTS_BUCKET).toEqual({ 'Fn::ImportValue': 'BananaFlowCredits-dev-Stateful:OutputsBucketName' });
    else expect(env.OUTPUTS_BUCKET).toBeUndefined();
    expect(functionsByName(prod.service).get(name)!.resource.Properties!.Environment).toMatchObject({ Variables: { GENERATION_PROVIDER: 'live' } });
  });

  it('follows the stage: log retention, timings, retained logs outside dev', () => {
    const prodFunctions = functionsByName(prod.service);
    const worker = prodFunctions.get(WORKER_FUNCTION.name)!.resource;

    expect(worker.Properties).toMatchObject({ Timeout: 90, Environment: { Variables: { JOB_LEASE_SECONDS: '90', JOB_MAX_AGE_SECONDS: '1800' } } });
    const tuned = functionsByName(buildApp({ ...PROD_CONFIG, workerMemoryMb: 3008, pollIntervalSeconds: 30, providerModelNames: { 'veo-3.1': 'veo-3.1-generate-001' } }).service);
    expect(tuned.get(WORKER_FUNCTION.name)!.resource.Properties).toMatchObject({
      MemorySize: 3008,
      Timeout: 90,
      Environment: { Variables: { POLL_INTERVAL_SECONDS: '30', PROVIDER_MODEL_NAMES: JSON.stringify({ 'veo-3.1': 'veo-3.1-generate-001' }) } },
    });
    for (const logGroup of Object.values(prod.service.findResources('AWS::Logs::LogGroup')) as Resource[]) {
      expect(logGroup).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 90 } });
    }
  });

  it('gives each function a role of its own with no AWS managed policy', () => {
    const roleIds = new Set([...functions.values()].map((f) => (f.resource.Properties!.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]));

    expect(roleIds.size).toBe(ALL_FUNCTIONS.length);
    // The one exception is aws-cdk-lib's bucket-emptying handler, in dev only (its buckets are destroyed with the stack).
    const withManagedPolicy = Object.entries(dev.service.findResources('AWS::IAM::Role') as Record<string, Resource>).filter(([, r]) => r.Properties.ManagedPolicyArns !== undefined);
    expect(withManagedPolicy.map(([id]) => id)).toEqual(['CustomS3AutoDeleteObjectsCustomResourceProviderRole3B1BD092']);
    for (const role of Object.values(prod.service.findResources('AWS::IAM::Role')) as Resource[]) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('service stack: least privilege', () => {
  const { service, stacks } = dev;
  const functions = functionsByName(service);
  const tableId = logicalIdIn(dev, stacks.stateful.table);
  const jobsQueueId = logicalIdIn(dev, stacks.stateful.jobsQueue);
  const secretId = logicalIdIn(dev, stacks.stateful.stripeSecret);
  const providerSecretId = logicalIdIn(dev, stacks.stateful.providerSecret);
  const dynamo = (s: Statement) => actionsOf(s).filter((a) => a.startsWith('dynamodb:'));

  it('has no wildcard resource on any DynamoDB or SQS statement, and no wildcard action', () => {
    // The web app's deploy role (BucketDeployment's S3 grants) is checked in web-hosting.test.ts.
    const deployRoleId = stacks.service.getLogicalId(stacks.service.web.node.findChild('DeployRole').node.defaultChild as never);
    const policies = Object.values(service.findResources('AWS::IAM::Policy')) as Resource[];
    const statements = policies.filter((p) => !refersTo(p.Properties.Roles, deployRoleId)).flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(policies.filter((p) => refersTo(p.Properties.Roles, deployRoleId))).toHaveLength(1);

    for (const s of statements) {
      for (const action of actionsOf(s)) expect(action).not.toMatch(/\*/);
      if (actionsOf(s).some((a) => a.startsWith('dynamodb:') || a.startsWith('sqs:'))) {
        for (const resource of resourcesOf(s)) expect(JSON.stringify(resource)).not.toMatch(/\*/);
      }
    }
  });

  it.each(ALL_FUNCTIONS)('%s is traced by X-Ray, and its only wildcard resource is X-Ray\'s own', (name) => {
    const fn = functions.get(name)!;
    expect(fn.resource.Properties!.TracingConfig).toEqual({ Mode: 'Active' });
    const wildcard = statementsOfFunction(service, fn.logicalId).filter((s) => resourcesOf(s).includes('*'));
    expect(wildcard.flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it.each(ALL_FUNCTIONS)('%s may touch the table exactly as its use cases need', (name) => {
    const access = ACCESS[name]!;
    const statements = statementsOfFunction(service, functions.get(name)!.logicalId);
    const onTable = statements.filter((s) => dynamo(s).length > 0 && resourcesOf(s).every((r) => !JSON.stringify(r).includes('/index/')));
    const onIndexes = statements.filter((s) => dynamo(s).length > 0 && resourcesOf(s).some((r) => JSON.stringify(r).includes('/index/')));

    const expected =
      access.table === 'none'
        ? []
        : [
            'dynamodb:GetItem',
            'dynamodb:BatchGetItem',
            'dynamodb:Query',
            ...(access.table === 'read-write' ? ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'] : []),
            ...(access.scan ? ['dynamodb:Scan'] : []),
          ];
    expect(onTable.flatMap(dynamo).sort()).toEqual(expected.sort());
    for (const s of onTable) expect(resourcesOf(s).every((r) => refersTo(r, tableId))).toBe(true);
    if ((access.dueIndexes?.length ?? 0) > 0 || access.recentIndex) {
      expect([...new Set(onIndexes.flatMap(dynamo))]).toEqual(['dynamodb:Query']);
      const expectedIndexes = [...(access.dueIndexes ?? []).map((name) => DUE_INDEXES[name].name), ...(access.recentIndex ? [RECENT_INDEX.name] : [])];
      expect(onIndexes.flatMap(resourcesOf).map((r) => JSON.stringify(r).match(/\/index\/(\w+)/)![1]).sort()).toEqual(expectedIndexes.sort());
    } else {
      expect(onIndexes).toEqual([]);
    }
    expect(statements.flatMap(actionsOf).filter((a) => /Delete|BatchWrite/.test(a) && a.startsWith('dynamodb:'))).toEqual([]);
  });

  it.each(ALL_FUNCTIONS)('%s sends to the jobs queue only if it enqueues, reads the Stripe secret only if it talks to Stripe, the providers\' only if it calls them', (name) => {
    const access = ACCESS[name]!;
    const statements = statementsOfFunction(service, functions.get(name)!.logicalId);
    const sendsJobs = statements.some((s) => actionsOf(s).includes('sqs:SendMessage') && resourcesOf(s).some((r) => refersTo(r, jobsQueueId)));
    const reads = (id: string) => statements.some((s) => actionsOf(s).includes('secretsmanager:GetSecretValue') && resourcesOf(s).every((r) => refersTo(r, id)));
    const secretStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));

    expect(sendsJobs).toBe(Boolean(access.enqueuesJobs));
    expect(reads(secretId)).toBe(Boolean(access.stripe));
    expect(reads(providerSecretId)).toBe(Boolean(access.modelProviders));
    expect(secretStatements).toHaveLength((access.stripe ? 1 : 0) + (access.modelProviders ? 1 : 0));
    for (const s of secretStatements) expect(actionsOf(s).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
  });

  it.each(ALL_FUNCTIONS)('%s touches the outputs bucket only as its access says: objects under outputs/ only, never the bucket, never a delete', (name) => {
    const access = ACCESS[name]!;
    const s3 = statementsOfFunction(service, functions.get(name)!.logicalId).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));

    const expected = access.outputs === undefined ? [] : ['s3:GetObject', ...(access.outputs === 'write' ? ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] : [])];
    expect(s3.flatMap(actionsOf).sort()).toEqual(expected.sort());
    for (const s of s3) {
      expect(s.Effect).toBe('Allow');
      expect(resourcesOf(s)).toEqual([{ 'Fn::Join': ['', [{ 'Fn::ImportValue': 'BananaFlowCredits-dev-Stateful:OutputsBucketArn' }, '/outputs/*']] }]);
    }
  });

  it('lets no function but the worker write outputs', () => {
    const writers = ALL_FUNCTIONS.filter((name) => statementsOfFunction(service, functions.get(name)!.logicalId).some((s) => actionsOf(s).some((a) => a.startsWith('s3:') && a !== 's3:GetObject')));
    const readers = ALL_FUNCTIONS.filter((name) => statementsOfFunction(service, functions.get(name)!.logicalId).some((s) => actionsOf(s).includes('s3:GetObject')));

    expect(writers).toEqual([WORKER_FUNCTION.name]);
    expect(readers).toEqual(expect.arrayContaining(['list-generations', 'get-generation', WORKER_FUNCTION.name]));
  });

  it('imports the outputs bucket by the names the stateful stack exports it under', () => {
    const outputs = dev.stateful.toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>;
    const bucketId = logicalIdIn(dev, stacks.stateful.outputsBucket);

    expect(outputs.OutputsBucketArn).toEqual(expect.objectContaining({ Value: { 'Fn::GetAtt': [bucketId, 'Arn'] }, Export: { Name: 'BananaFlowCredits-dev-Stateful:OutputsBucketArn' } }));
    expect(outputs.OutputsBucketName).toEqual(expect.objectContaining({ Value: { Ref: bucketId }, Export: { Name: 'BananaFlowCredits-dev-Stateful:OutputsBucketName' } }));
    expect(stacks.stateful.outputsBucketExports).toEqual({ arnExportName: 'BananaFlowCredits-dev-Stateful:OutputsBucketArn', nameExportName: 'BananaFlowCredits-dev-Stateful:OutputsBucketName' });
  });
});

describe('service stack: the jobs queue consumers', () => {
  const { service, stacks } = dev;
  const functions = functionsByName(service);

  it.each([
    [WORKER_FUNCTION.name, () => stacks.stateful.jobsQueue, 10],
    [DEAD_LETTER_FUNCTION.name, () => stacks.stateful.jobsDeadLetterQueue, 2],
  ] as const)('%s consumes its queue in batches of 10 with partial batch failures', (name, queue, maxConcurrency) => {
    const fn = functions.get(name)!;
    const mappings = Object.values(service.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: fn.logicalId } } })) as Resource[];

    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: maxConcurrency } });
    expect(refersTo(mappings[0]!.Properties.EventSourceArn, logicalIdIn(dev, queue()))).toBe(true);
    const consumes = statementsOfFunction(service, fn.logicalId).filter((s) => actionsOf(s).includes('sqs:ReceiveMessage'));
    expect(consumes.flatMap(resourcesOf).every((r) => refersTo(r, logicalIdIn(dev, queue())))).toBe(true);
  });

  it('gives the worker the job lease as its timeout', () => {
    expect(functions.get(WORKER_FUNCTION.name)!.resource.Properties).toMatchObject({ Timeout: 120 });
    expect(functions.get(DEAD_LETTER_FUNCTION.name)!.resource.Properties).toMatchObject({ Timeout: 60 });
  });
});

describe('service stack: the schedules', () => {
  const { service, stacks } = dev;
  const functions = functionsByName(service);
  const runJob = functions.get(SCHEDULED_FUNCTION.name)!;
  const runBillingJob = functions.get(BILLING_JOB_FUNCTION.name)!;
  const runnerOf = (job: string) => (BILLING_JOBS.some((j) => j.name === job) ? runBillingJob : runJob);

  it.each(SCHEDULED_JOBS.map((j) => [j.name, j] as const))('runs %s on its schedule with its input, retries and the DLQ', (name, job) => {
    const schedules = Object.values(service.findResources('AWS::Scheduler::Schedule', { Properties: { ScheduleExpression: job.expression, Target: { Input: JSON.stringify({ job: name }) } } })) as Resource[];

    expect(schedules).toHaveLength(1);
    const schedule = schedules[0]!.Properties;
    expect(schedule).toMatchObject({
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: { Arn: { 'Fn::GetAtt': [runnerOf(name).logicalId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: job.maxEventAgeSeconds } },
    });
    expect(refersTo((schedule.Target as { DeadLetterConfig: unknown }).DeadLetterConfig, logicalIdIn(dev, stacks.stateful.scheduleDeliveryDeadLetterQueue))).toBe(true);
  });

  it('has the expected cadences: hourly grants, expiry and PAYG, 5-minute auto-refill, 1-minute reaper, daily reconcile', () => {
    const expressions = Object.fromEntries(SCHEDULED_JOBS.map((j) => [j.name, j.expression]));

    expect(expressions).toEqual({
      'subscription-grants': 'rate(1 hour)',
      'expire-credits': 'rate(1 hour)',
      'payg-invoicing': 'rate(1 hour)',
      'auto-refill': 'rate(5 minutes)',
      'reap-stuck-jobs': 'rate(1 minute)',
      reconcile: 'cron(15 3 * * ? *)',
    });
    service.resourceCountIs('AWS::Scheduler::Schedule', SCHEDULED_JOBS.length);
  });

  it('splits the due indexes between the two runners: each queries only those of its own jobs', () => {
    expect(SCHEDULED_FUNCTION.access.dueIndexes).toEqual(['grantDue', 'expiryDue', 'jobDue']);
    expect(BILLING_JOB_FUNCTION.access.dueIndexes).toEqual(['refillDue', 'paygDue']);
    expect([...SCHEDULED_FUNCTION.access.dueIndexes!, ...BILLING_JOB_FUNCTION.access.dueIndexes!].sort()).toEqual(Object.keys(DUE_INDEXES).sort());
  });

  it('runs the ledger jobs and the Stripe jobs in two functions: only the second holds the Stripe secret, only the first scans', () => {
    expect(SCHEDULED_JOBS.filter((j) => runnerOf(j.name) === runBillingJob).map((j) => j.name).sort()).toEqual(['auto-refill', 'payg-invoicing']);
    expect(SCHEDULED_FUNCTION.access).toMatchObject({ scan: true, enqueuesJobs: true });
    expect(SCHEDULED_FUNCTION.access.stripe).toBeUndefined();
    expect(BILLING_JOB_FUNCTION.access).toMatchObject({ stripe: true });
    expect(BILLING_JOB_FUNCTION.access.scan).toBeUndefined();
    expect(BILLING_JOB_FUNCTION.access.enqueuesJobs).toBeUndefined();
  });

  it.each([SCHEDULED_FUNCTION.name, BILLING_JOB_FUNCTION.name])('gives %s ten minutes (reconcile scans the table; PAYG invoicing calls Stripe per account)', (name) => {
    expect(functions.get(name)!.resource.Properties).toMatchObject({ Timeout: 600 });
  });

  it.each([SCHEDULED_FUNCTION.name, BILLING_JOB_FUNCTION.name])('retries a failed %s run twice, then sends it to the failed-runs queue', (name) => {
    const runner = functions.get(name)!;
    const configs = Object.values(service.findResources('AWS::Lambda::EventInvokeConfig', { Properties: { FunctionName: { Ref: runner.logicalId } } })) as Resource[];

    expect(configs).toHaveLength(1);
    expect(configs[0]!.Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    expect(refersTo(configs[0]!.Properties.DestinationConfig, logicalIdIn(dev, stacks.stateful.scheduleFailedRunsQueue))).toBe(true);
  });

  it('lets each scheduler role invoke only its own runner and send only to the DLQ', () => {
    const roles = service.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })] } } });
    expect(Object.keys(roles)).toHaveLength(2);
    const invoked = new Set<string>();
    for (const roleId of Object.keys(roles)) {
      const policies = Object.values(service.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })) as Resource[];
      const statements = policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
      expect(statements.flatMap(actionsOf).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
      const runners = [runJob, runBillingJob].filter((fn) => statements.some((s) => resourcesOf(s).some((r) => refersTo(r, fn.logicalId))));
      expect(runners).toHaveLength(1);
      invoked.add(runners[0]!.logicalId);
      for (const s of statements) {
        for (const r of resourcesOf(s)) expect(refersTo(r, runners[0]!.logicalId) || refersTo(r, logicalIdIn(dev, stacks.stateful.scheduleDeliveryDeadLetterQueue))).toBe(true);
      }
    }
    expect(invoked.size).toBe(2);
  });
});

describe('service stack: outputs', () => {
  it('prints the API URL and the Stripe webhook URL', () => {
    dev.service.hasOutput('ApiUrl', {});
    dev.service.hasOutput('StripeWebhookUrl', { Value: { 'Fn::Join': ['', [Match.anyValue(), '/v1/webhooks/stripe']] } });
  });
});

describe('service stack: a customer-managed table key', () => {
  const functions = functionsByName(prod.service);
  const keyId = logicalIdIn(prod, prod.stacks.stateful.node.findChild('Ledger').node.findChild('Key'));

  it.each(ALL_FUNCTIONS)('%s may use the key only as its table access needs', (name) => {
    const access = ACCESS[name]!;
    const kms = statementsOfFunction(prod.service, functions.get(name)!.logicalId).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));

    const expected = access.table === 'none' ? [] : ['kms:Decrypt', 'kms:DescribeKey', ...(access.table === 'read-write' ? ['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'] : [])];
    expect(kms.flatMap(actionsOf).sort()).toEqual(expected.sort());
    for (const s of kms) expect(resourcesOf(s).every((r) => refersTo(r, keyId))).toBe(true);
  });
});
