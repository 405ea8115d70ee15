/**
 * The Cognito pre-token-generation trigger as synthesized: in the stateful stack (with the pool and
 * the table; no cycle with the service stack), attached to the created pool as V2_0 on the Essentials
 * plan, invocable by an imported pool and named in an output, and a role that may only GetItem
 * `USER#…` items (plus the table key's Decrypt when the table has one).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PRE_TOKEN_FUNCTION_TIMEOUT_SECONDS, TEAM_LINK_READ_DEADLINE_MS } from '../../lambdas/handlers/cognito/pre-token-generation';
import { PRE_TOKEN_FUNCTION, allFunctionSpecs } from '../../lib/function-catalog';
import { USER_TEAM_LINK_LEADING_KEYS, grantFunctionAccess } from '../../lib/grants';
import type { BuiltApp, Statement } from './build-app';
import { DEV_CONFIG, PROD_CONFIG, actionsOf, buildApp, functionsByName, resourcesOf, statementsOfFunction } from './build-app';

type Resource = { Properties: Record<string, unknown>; DeletionPolicy?: string };

const dev = buildApp(DEV_CONFIG);
const prod = buildApp(PROD_CONFIG);

const triggerOf = (built: BuiltApp) => functionsByName(built.stateful).get(PRE_TOKEN_FUNCTION.name)!;
const logicalIdIn = (built: BuiltApp, construct: { node: { defaultChild?: unknown } }) => built.stacks.stateful.getLogicalId(construct.node.defaultChild as never);
const statementsOf = (built: BuiltApp): Statement[] => statementsOfFunction(built.stateful, triggerOf(built).logicalId);
const withCondition = (s: Statement) => (s as Statement & { Condition?: unknown }).Condition;

describe('where the trigger lives', () => {
  it.each([
    ['dev', dev],
    ['prod', prod],
  ])('%s: one trigger function, in the stateful stack only, declared as the entry declares it', (_stage, built) => {
    expect(triggerOf(built)).toBeDefined();
    expect(functionsByName(built.service).has(PRE_TOKEN_FUNCTION.name)).toBe(false);
    expect(allFunctionSpecs().map((s) => s.name)).not.toContain(PRE_TOKEN_FUNCTION.name);
    expect(PRE_TOKEN_FUNCTION.access).toEqual({ table: 'none', userTeamLinks: true });
    // The stateful stack needs nothing from the service stack (that would be a cycle).
    expect(JSON.stringify(built.stateful.toJSON())).not.toMatch(/Fn::ImportValue/);
  });

  it('runs Node 22 on arm64, traced, with its own log group, the house environment and Cognito’s 5 s as its timeout', () => {
    const { resource } = triggerOf(dev);
    expect(resource.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: PRE_TOKEN_FUNCTION_TIMEOUT_SECONDS, TracingConfig: { Mode: 'Active' } });
    expect(TEAM_LINK_READ_DEADLINE_MS).toBeLessThan(PRE_TOKEN_FUNCTION_TIMEOUT_SECONDS * 1000 - 2000);
    const env = (resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toMatchObject({ TABLE_NAME: { Ref: logicalIdIn(dev, dev.stacks.stateful.table) }, LOCAL_MODE: 'false', POWERTOOLS_SERVICE_NAME: 'banana-flow-credits', POWERTOOLS_METRICS_NAMESPACE: 'BananaFlowCredits' });
    expect(env).not.toHaveProperty('STRIPE_SECRET_ARN');
    const logGroupId = (resource.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(dev.stateful.toJSON().Resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 14 }, DeletionPolicy: 'Delete' });
    const prodLogGroupId = (triggerOf(prod).resource.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(prod.stateful.toJSON().Resources[prodLogGroupId]).toMatchObject({ Properties: { RetentionInDays: 90 }, DeletionPolicy: 'Retain' });
  });
});

describe('attached to the created pool (dev)', () => {
  it('as the V2_0 pre-token-generation trigger, on a pool with the Essentials feature plan', () => {
    dev.stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'ESSENTIALS',
      LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [triggerOf(dev).logicalId, 'Arn'] }, LambdaVersion: 'V2_0' } },
    });
  });

  it('Cognito may invoke it from that pool only', () => {
    const poolId = Object.keys(dev.stateful.findResources('AWS::Cognito::UserPool'))[0]!;
    const permissions = Object.values(dev.stateful.findResources('AWS::Lambda::Permission')) as Resource[];
    expect(permissions).toHaveLength(1);
    expect(permissions[0]!.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [triggerOf(dev).logicalId, 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
    });
  });

  it('names the trigger in an output', () => {
    expect((dev.stateful.toJSON().Outputs as Record<string, { Value: unknown }>).PreTokenTriggerArn?.Value).toEqual({ 'Fn::GetAtt': [triggerOf(dev).logicalId, 'Arn'] });
  });
});

describe('an imported pool (prod)', () => {
  it('is not changed; the pool may invoke the trigger, and the output says to attach it as V2_0', () => {
    prod.stateful.resourceCountIs('AWS::Cognito::UserPool', 0);
    const permissions = Object.values(prod.stateful.findResources('AWS::Lambda::Permission')) as Resource[];
    expect(permissions).toHaveLength(1);
    expect(permissions[0]!.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'cognito-idp.amazonaws.com',
      SourceAccount: '123456789012',
      SourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123']] },
    });
    const output = (prod.stateful.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>).PreTokenTriggerArn!;
    expect(output.Value).toEqual({ 'Fn::GetAtt': [triggerOf(prod).logicalId, 'Arn'] });
    expect(output.Description).toMatch(/V2_0.*docs\/runbook\.md/);
  });
});

describe('least privilege', () => {
  it.each([
    ['dev (AWS-managed table key)', dev],
    ['prod (customer-managed table key)', prod],
  ])('%s: GetItem on the table, only for USER#… partition keys; nothing else of the table', (_stage, built) => {
    const statements = statementsOf(built);
    const tableId = logicalIdIn(built, built.stacks.stateful.table);
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));

    expect(dynamo).toHaveLength(1);
    expect(dynamo[0]).toEqual({
      Effect: 'Allow',
      Action: 'dynamodb:GetItem',
      Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*'] } },
    });
    expect(USER_TEAM_LINK_LEADING_KEYS).toBe('USER#*');
    // No queue, no secret, no index.
    expect(statements.flatMap(actionsOf).filter((a) => /^(sqs|secretsmanager|lambda|cognito-idp):/.test(a))).toEqual([]);
    expect(JSON.stringify(statements)).not.toMatch(/\/index\//);
  });

  it('decrypts with the table’s customer-managed key (Decrypt only), and no key statement without one', () => {
    const keyId = prod.stacks.stateful.getLogicalId(prod.stacks.stateful.table.encryptionKey!.node.defaultChild as never);
    const kmsStatements = (built: BuiltApp) => statementsOf(built).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));

    expect(kmsStatements(prod)).toEqual([{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }]);
    expect(kmsStatements(dev)).toEqual([]);
  });

  it('has no wildcard action, and its only wildcard resource is X-Ray’s own', () => {
    for (const built of [dev, prod]) {
      const statements = statementsOf(built);
      for (const s of statements) for (const action of actionsOf(s)) expect(action).not.toMatch(/\*/);
      const wildcard = statements.filter((s) => resourcesOf(s).includes('*'));
      expect(wildcard.flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      expect(statements.filter((s) => withCondition(s) !== undefined)).toHaveLength(1);
    }
  });

  it('refuses a declaration that asks for team links and table access together', () => {
    const stack = new Stack(new App());
    const table = new dynamodb.Table(stack, 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, encryptionKey: new kms.Key(stack, 'K') });
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const resources = { table, jobsQueue: {} as sqs.IQueue, stripeSecret: {} as secretsmanager.ISecret, providerSecret: {} as secretsmanager.ISecret, outputsBucket: {} as s3.IBucket };

    expect(() => grantFunctionAccess(role, { table: 'read', userTeamLinks: true }, resources)).toThrow(/narrower than table access/);
  });
});

describe('cdk-nag', () => {
  it.each([
    ['dev', DEV_CONFIG],
    ['prod', PROD_CONFIG],
  ])('%s: the stateful stack, trigger included, has no unacknowledged AwsSolutions finding', (_stage, config) => {
    const built = buildApp(config);
    const report = new AwsSolutionsChecks().validateScope(built.stacks.stateful);

    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});
