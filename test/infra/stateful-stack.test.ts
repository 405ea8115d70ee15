import { Match } from 'aws-cdk-lib/assertions';
import { DUE_INDEXES, RECENT_INDEX, TTL_ATTRIBUTE } from '../../lambdas/adapters/dynamodb/table-schema';
import { STRIPE_SECRET_KEYS } from '../../lib/constructs/stripe-secret';
import { isStripeSecretPlaceholder } from '../../lambdas/shared/config';
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
    dev.stateful.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ Name: 'banana-flow-credits/dev/stripe', Description: Match.stringLikeRegexp(STRIPE_SECRET_KEYS.join(', ')) }),
    });
    prod.stateful.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ Name: 'banana-flow-credits/prod/stripe' }) });
  });

  it('creates the secret with a placeholder the functions read as "payments not configured"', () => {
    const secret = Object.values(dev.stateful.findResources('AWS::SecretsManager::Secret'))[0] as { Properties: { GenerateSecretString: { SecretStringTemplate: string; GenerateStringKey: string } } };
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
