import { Match } from 'aws-cdk-lib/assertions';
import { DUE_INDEXES, RECENT_INDEX, TTL_ATTRIBUTE } from '../../lambdas/adapters/dynamodb/table-schema';
import { STRIPE_SECRET_KEYS } from '../../lib/constructs/stripe-secret';
import { isStripeSecretPlaceholder, parseProviderKeys } from '../../lambdas/shared/config';
import { outputKey, outputPrefix } from '../../lambdas/domain/output-store';
import { OUTPUTS_PREFIX } from '../../lib/constructs/outputs-bucket';
import { PROVIDER_SECRET_KEYS } from '../../lib/constructs/provider-secret';
import { PROD_CONFIG, buildApp } from './build-app';

type Resource = { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

const dev = buildApp();
const prod = buildApp(PROD_CONFIG);

describe('stateful stack: the table', () => {
  it('has pk/sk, on-demand billing, TTL, PITR and AWS-managed encryption', () => {
    const { stateful } = dev;

    stateful.resourceCountIs('AWS::DynamoDB::Table', 1);
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('has every sparse due index of the store, keys only', () => {
    const { stateful } = dev;

    const table = Object.values(stateful.findResources('AWS::DynamoDB::Table'))[0] as Resource;
    const indexes = (table.Properties.GlobalSecondaryIndexes as Array<{ IndexName: string; KeySchema: unknown; Projection: unknown }>).filter((i) => i.IndexName !== RECENT_INDEX.name);
    expect(indexes).toHaveLength(Object.keys(DUE_INDEXES).length);
    for (const index of Object.values(DUE_INDEXES)) {
      expect(indexes).toContainEqual({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      });
    }
    expect(table.Properties.AttributeDefinitions).toHaveLength(2 + 2 + 2 * Object.keys(DUE_INDEXES).length);
  });

  it('has the sparse global index of recent top-ups and invoices, all attributes projected, and no local index', () => {
    const table = Object.values(dev.stateful.findResources('AWS::DynamoDB::Table'))[0] as Resource;

    expect(table.Properties.GlobalSecondaryIndexes).toContainEqual({
      IndexName: RECENT_INDEX.name,
      KeySchema: [
        { AttributeName: RECENT_INDEX.partitionKey, KeyType: 'HASH' },
        { AttributeName: RECENT_INDEX.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    // A local index would cap each account's items at 10 GB and could never be added to a live table.
    expect(table.Properties.LocalSecondaryIndexes).toBeUndefined();
  });

  it('is destroyed with a dev stack, and deletable', () => {
    const { stateful } = dev;

    stateful.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete', Properties: Match.objectLike({ DeletionProtectionEnabled: false }) });
  });

  it('is retained and protected outside dev, encrypted with a rotated customer key when asked', () => {
    const { stateful } = prod;

    stateful.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      }),
    });
    stateful.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });
});

describe('stateful stack: protection', () => {
  it('turns on termination protection outside dev only; the service stack never has it', () => {
    expect(dev.stacks.stateful.terminationProtection).toBe(false);
    expect(prod.stacks.stateful.terminationProtection).toBe(true);
    expect(prod.stacks.service.terminationProtection).toBe(false);
  });

  it('deploys the service stack after the stateful one it imports from', () => {
    expect(prod.stacks.service.dependencies).toContain(prod.stacks.stateful);
    expect(prod.stacks.stateful.dependencies).toEqual([]);
  });
});

describe('stateful stack: the queues', () => {
  it('encrypts every queue and refuses requests without TLS', () => {
    const { stateful } = dev;

    const queues = stateful.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(4);
    for (const queue of Object.values(queues) as Resource[]) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    }
    const policies = Object.values(stateful.findResources('AWS::SQS::QueuePolicy')) as Resource[];
    const protectedQueues = policies
      .filter((p) =>
        (p.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement.some(
          (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
        ),
      )
      .flatMap((p) => (p.Properties.Queues as Array<{ Ref: string }>).map((q) => q.Ref));
    expect(protectedQueues.sort()).toEqual(Object.keys(queues).sort());
  });

  it('redrives the jobs queue to its DLQ after maxReceiveCount, with visibility 6x the worker timeout', () => {
    const { stateful, stacks, config } = prod;

    const dlqId = stacks.stateful.getLogicalId(stacks.stateful.jobsDeadLetterQueue.node.defaultChild as never);
    stateful.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 6 * config.jobTimings.leaseSeconds,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 4 },
    });
    stateful.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 6 * 60, RedrivePolicy: Match.absent() });
  });

  it('retains the queues outside dev only', () => {
    for (const q of Object.values(dev.stateful.findResources('AWS::SQS::Queue')) as Resource[]) expect(q.DeletionPolicy).toBe('Delete');
    for (const q of Object.values(prod.stateful.findResources('AWS::SQS::Queue')) as Resource[]) expect(q.DeletionPolicy).toBe('Retain');
  });
});

describe('stateful stack: the Stripe secret and the user pool', () => {
  it('keeps the Stripe keys in a secret named by the stage, retained outside dev', () => {
    dev.stateful.resourceCountIs('AWS::SecretsManager::Secret', 2);
    dev.stateful.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ Name: 'banana-flow-credits/dev/stripe', Description: Match.stringLikeRegexp(STRIPE_SECRET_KEYS.join(', ')) }),
    });
    prod.stateful.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ Name: 'banana-flow-credits/prod/stripe' }) });
  });

  it('creates the secret with a placeholder the functions read as "payments not configured"', () => {
    const secret = Object.values(dev.stateful.findResources('AWS::SecretsManager::Secret', { Properties: { Name: 'banana-flow-credits/dev/stripe' } }))[0] as { Properties: { GenerateSecretString: { SecretStringTemplate: string; GenerateStringKey: string } } };
    const { SecretStringTemplate, GenerateStringKey } = secret.Properties.GenerateSecretString;
    // What Secrets Manager stores: the template plus a generated nonce under GenerateStringKey.
    const stored = JSON.stringify({ ...JSON.parse(SecretStringTemplate), [GenerateStringKey]: 'x7Gq2LmZ' });
    expect(isStripeSecretPlaceholder(stored)).toBe(true);
    expect(isStripeSecretPlaceholder(JSON.stringify({ secretKey: 'sk_live_x', webhookSecret: 'whsec_x', priceBeginner: 'price_b', pricePro: 'price_p', priceTeam: 'price_t' }))).toBe(false);
  });

  it('creates a locked-down user pool and an SRP app client for dev', () => {
    const { stateful } = dev;

    stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'OPTIONAL',
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true }) },
    });
    stateful.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false, ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH']) });
  });

  it('creates no user pool when the stage imports one', () => {
    const { stateful } = prod;

    stateful.resourceCountIs('AWS::Cognito::UserPool', 0);
  });
});

describe('stateful stack: the outputs bucket', () => {
  const bucketOf = (built: typeof dev) => built.stacks.stateful.getLogicalId(built.stacks.stateful.outputsBucket.node.defaultChild as never);
  const resourceOf = (built: typeof dev) => built.stateful.toJSON().Resources[bucketOf(built)] as Resource;
  const logBucketId = (built: typeof dev) => built.stacks.stateful.getLogicalId(built.stacks.stateful.node.findChild('Outputs').node.findChild('AccessLogs').node.defaultChild as never);

  it('is private: public access blocked, ACLs disabled, S3-managed encryption, no versioning', () => {
    expect(resourceOf(dev).Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    expect(resourceOf(dev).Properties.VersioningConfiguration).toBeUndefined();
    expect(resourceOf(dev).Properties.CorsConfiguration).toBeUndefined();
  });

  it('refuses requests without TLS, and TLS below 1.2', () => {
    const policies = Object.values(dev.stateful.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketOf(dev) } } })) as Resource[];
    expect(policies).toHaveLength(1);
    const statements = (policies[0]!.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement.filter((s) => s.Effect === 'Deny');
    expect(statements.map((s) => s.Condition)).toEqual(expect.arrayContaining([{ Bool: { 'aws:SecureTransport': 'false' } }, { NumericLessThan: { 's3:TlsVersion': 1.2 } }]));
    // Nobody but the account is allowed by the bucket policy: the functions' roles read and write through their own policies.
    for (const s of (policies[0]!.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement.filter((x) => x.Effect === 'Allow')) {
      expect(JSON.stringify(s.Principal)).not.toContain('"*"');
    }
  });

  it('expires outputs after the stage\'s retention (90 days by default) and aborts incomplete multipart uploads after a day', () => {
    expect(resourceOf(dev).Properties.LifecycleConfiguration).toEqual({
      Rules: [
        { Id: 'abort-incomplete-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
        { Id: 'expire-outputs', Prefix: 'outputs/', ExpirationInDays: 90, Status: 'Enabled' },
      ],
    });
    const tuned = buildApp({ ...PROD_CONFIG, outputsRetentionDays: 30 });
    expect((resourceOf(tuned).Properties.LifecycleConfiguration as { Rules: Array<{ Id: string; ExpirationInDays?: number }> }).Rules.find((r) => r.Id === 'expire-outputs')).toMatchObject({ ExpirationInDays: 30 });
  });

  it('uses the prefix the output store writes under', () => {
    expect(outputKey('acct-1', 'gen_01jx0000000000000000000000', 0, 'image/png').startsWith(OUTPUTS_PREFIX)).toBe(true);
    expect(outputPrefix('acct-1').startsWith(OUTPUTS_PREFIX)).toBe(true);
  });

  it('logs access to a private log bucket of its own, kept as long as the stage keeps logs, written under a bucket policy (no ACL)', () => {
    expect(resourceOf(dev).Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logBucketId(dev) }, LogFilePrefix: 'outputs-bucket/' });
    const logs = dev.stateful.toJSON().Resources[logBucketId(dev)] as Resource;
    expect(logs.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: { Rules: [{ Id: 'expire-logs', ExpirationInDays: 14, Status: 'Enabled' }] },
    });
    expect(logs.Properties.AccessControl).toBeUndefined();
    const policy = Object.values(dev.stateful.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: logBucketId(dev) } } }))[0] as Resource;
    expect((policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Condition: expect.objectContaining({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketOf(dev), 'Arn'] } } }) }),
    );
  });

  it('is destroyed (emptied first) with a dev stack and retained outside dev, as the table', () => {
    expect(resourceOf(dev)).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    dev.stateful.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: bucketOf(dev) } });
    expect(resourceOf(prod)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    prod.stateful.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    expect((prod.stateful.toJSON().Resources[logBucketId(prod)] as Resource).DeletionPolicy).toBe('Retain');
  });

  it('prints its name for operators', () => {
    dev.stateful.hasOutput('OutputsBucketName', { Value: { Ref: bucketOf(dev) } });
  });
});

describe("stateful stack: the model providers' secret", () => {
  const providerSecretOf = (built: typeof dev) => built.stateful.toJSON().Resources[built.stacks.stateful.getLogicalId(built.stacks.stateful.providerSecret.node.defaultChild as never)] as Resource;

  it('is named by the stage unless the stage names it, described for the operator, retained outside dev', () => {
    expect(providerSecretOf(dev)).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: { Name: 'banana-flow-credits/dev/model-providers', Description: expect.stringContaining('geminiApiKey, openaiApiKey, modelarkApiKey') },
    });
    expect(PROVIDER_SECRET_KEYS).toEqual(['geminiApiKey', 'openaiApiKey', 'modelarkApiKey']);
    expect(providerSecretOf(prod)).toMatchObject({ DeletionPolicy: 'Retain', Properties: { Name: 'banana-flow-credits/prod/model-providers' } });
    expect(providerSecretOf(buildApp({ ...PROD_CONFIG, providerSecretName: 'bf/prod/providers' })).Properties.Name).toBe('bf/prod/providers');
  });

  it('is created holding no provider key, a value the functions read as "no key for any provider"', () => {
    const { SecretStringTemplate, GenerateStringKey } = providerSecretOf(dev).Properties.GenerateSecretString as { SecretStringTemplate: string; GenerateStringKey: string };
    expect(JSON.parse(SecretStringTemplate)).toEqual({});
    // What Secrets Manager stores: the template plus a generated nonce under GenerateStringKey.
    const stored = JSON.stringify({ ...JSON.parse(SecretStringTemplate), [GenerateStringKey]: 'x7Gq2LmZ' });
    expect(parseProviderKeys(stored)).toEqual({});
    expect(providerSecretOf(dev).Properties.SecretString).toBeUndefined();
  });

  it("uses Secrets Manager's AWS-managed key and prints its ARN", () => {
    expect(providerSecretOf(dev).Properties.KmsKeyId).toBeUndefined();
    dev.stateful.hasOutput('ProviderSecretArn', { Value: { Ref: dev.stacks.stateful.getLogicalId(dev.stacks.stateful.providerSecret.node.defaultChild as never) } });
  });
});
