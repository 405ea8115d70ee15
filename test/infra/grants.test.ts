/**
 * grantFunctionAccess's outputs and model-provider grants on their own, in a small stack: what each
 * access adds (and nothing else), a customer-managed bucket key, cdk-nag's naming of a resource, and
 * the worker's memory floor.
 */
import { App, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QueueWorkers } from '../../lib/constructs/queue-workers';
import { DEAD_LETTER_FUNCTION, WORKER_FUNCTION } from '../../lib/function-catalog';
import type { FunctionAccess } from '../../lib/function-catalog';
import { OUTPUTS_READ_ACTIONS, OUTPUTS_WRITE_ACTIONS, grantFunctionAccess, nagResourceName } from '../../lib/grants';
import type { Statement } from './build-app';
import { actionsOf } from './build-app';

function granted(access: FunctionAccess, bucketProps: s3.BucketProps = {}) {
  const stack = new Stack(new App(), 'Grants');
  const bucket = new s3.Bucket(stack, 'Outputs', bucketProps);
  const providerSecret = new secretsmanager.Secret(stack, 'Providers');
  const stripeSecret = new secretsmanager.Secret(stack, 'Stripe');
  const resources = {
    table: new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }),
    jobsQueue: new sqs.Queue(stack, 'Jobs'),
    stripeSecret,
    providerSecret,
    outputsBucket: bucket,
  };
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  grantFunctionAccess(role, access, resources);
  const template = Template.fromStack(stack);
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
  const id = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
  return { statements, bucketId: id(bucket), providerSecretId: id(providerSecret), stripeSecretId: id(stripeSecret), bucket };
}

const onObjects = (bucketId: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/outputs/*']] });

describe('grants: outputs and model providers', () => {
  it('grants nothing on the bucket or the providers\' secret to a function that declares neither', () => {
    const { statements } = granted({ table: 'read' });
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('s3:') || a.startsWith('secretsmanager:') || a.startsWith('kms:'))).toEqual([]);
  });

  it("`outputs: 'read'` is s3:GetObject on outputs/* only", () => {
    const { statements, bucketId } = granted({ table: 'read', outputs: 'read' });
    const s3Statements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3Statements).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: onObjects(bucketId) }]);
    expect([...OUTPUTS_READ_ACTIONS]).toEqual(['s3:GetObject']);
  });

  it("`outputs: 'write'` adds PutObject and the multipart upload's abort and parts listing, on outputs/* only, and no delete", () => {
    const { statements, bucketId } = granted({ table: 'read-write', outputs: 'write' });
    const s3Statements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3Statements).toEqual([{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: onObjects(bucketId) }]);
    expect([...OUTPUTS_WRITE_ACTIONS].some((a) => /Delete|\*/.test(a))).toBe(false);
  });

  it('adds the bucket key, if it has one: Decrypt to read, GenerateDataKey to write', () => {
    const read = granted({ table: 'read', outputs: 'read' }, { encryption: s3.BucketEncryption.KMS });
    const write = granted({ table: 'read-write', outputs: 'write' }, { encryption: s3.BucketEncryption.KMS });
    expect(read.statements.flatMap(actionsOf).filter((a) => a.startsWith('kms:'))).toEqual(['kms:Decrypt']);
    expect(write.statements.flatMap(actionsOf).filter((a) => a.startsWith('kms:')).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  it("`modelProviders` reads the providers' secret, not the Stripe one", () => {
    const { statements, providerSecretId, stripeSecretId } = granted({ table: 'read-write', modelProviders: true });
    const secrets = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    expect(secrets).toEqual([{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: providerSecretId } }]);
    expect(JSON.stringify(secrets)).not.toContain(stripeSecretId);
  });
});

describe('grants: naming a resource as cdk-nag does', () => {
  it('names references, imports and joins', () => {
    const stack = new Stack(new App(), 'Names');
    const bucket = new s3.Bucket(stack, 'B');
    const imported = s3.Bucket.fromBucketArn(stack, 'I', Fn.importValue('Other:BucketArn'));
    const id = stack.getLogicalId(bucket.node.defaultChild as never);

    expect(nagResourceName(stack, bucket.arnForObjects('outputs/*'))).toBe(`<${id}.Arn>/outputs/*`);
    expect(nagResourceName(stack, imported.arnForObjects('outputs/*'))).toBe('Other:BucketArn/outputs/*');
    expect(nagResourceName(stack, bucket.bucketName)).toBe(`<${id}>`);
    expect(() => nagResourceName(stack, Fn.select(0, Fn.split('/', bucket.bucketArn)))).toThrow(/Cannot name/);
  });
});

describe('the jobs worker', () => {
  it('refuses less than 1024 MB (it buffers provider outputs of up to 200 MiB)', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Workers');
    const key = new kms.Key(stack, 'K');
    const resources = {
      table: new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, encryptionKey: key }),
      jobsQueue: new sqs.Queue(stack, 'Jobs'),
      stripeSecret: new secretsmanager.Secret(stack, 'Stripe'),
      providerSecret: new secretsmanager.Secret(stack, 'Providers'),
      outputsBucket: new s3.Bucket(stack, 'Outputs'),
    };
    const props = {
      worker: WORKER_FUNCTION,
      deadLetterConsumer: DEAD_LETTER_FUNCTION,
      jobsQueue: resources.jobsQueue,
      deadLetterQueue: new sqs.Queue(stack, 'Dlq'),
      functionDefaults: { resources, environment: {}, logRetention: logs.RetentionDays.TWO_WEEKS, logRemovalPolicy: RemovalPolicy.DESTROY },
      workerTimeout: Duration.seconds(120),
    };

    expect(() => new QueueWorkers(stack, 'Small', { ...props, workerMemorySize: 512 })).toThrow(/at least 1024 MB/);
    const workers = new QueueWorkers(stack, 'Default', props);
    expect((workers.worker.function.node.defaultChild as { memorySize?: number }).memorySize).toBe(2048);
  });
});
