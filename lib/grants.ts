/**
 * Grants a function exactly what its FunctionAccess says, on named resources only: the table and,
 * for the scheduled jobs, each due index by name (never `index/*`); the jobs queue; the Stripe
 * secret (and the table's customer-managed key, if any); the model providers' secret; the outputs
 * bucket's objects under `outputs/` only; for the Cognito trigger, GetItem on users' team links only (a
 * `dynamodb:LeadingKeys` condition). No statement's action has a wildcard, and no resource but the
 * outputs objects (`<bucket>/outputs/*`: the keys are per account and job, made at run time).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { IConstruct } from 'constructs';
import { userTeamKey } from '../lambdas/adapters/dynamodb/keys';
import { DUE_INDEXES, RECENT_INDEX } from '../lambdas/adapters/dynamodb/table-schema';
import { OUTPUTS_PREFIX } from './constructs/outputs-bucket';
import type { FunctionAccess } from './function-catalog';

export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
/** TransactWriteItems is authorized per item by these actions. No DeleteItem/BatchWriteItem: the ledger is append-only and expiry is TTL's job. */
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'] as const;
export const TABLE_SCAN_ACTIONS = ['dynamodb:Scan'] as const;
export const INDEX_QUERY_ACTIONS = ['dynamodb:Query'] as const;
/** A customer-managed table key: the same actions KMS grants for `grantDecrypt`/`grantEncryptDecrypt`, spelt out (no `ReEncrypt*`/`GenerateDataKey*`). */
export const KEY_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
export const KEY_ENCRYPT_ACTIONS = ['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'] as const;

/** `outputs: 'read'`: sign GET URLs (a presigned URL carries the signer's permission). */
export const OUTPUTS_READ_ACTIONS = ['s3:GetObject'] as const;
/** `outputs: 'write'` adds: copy outputs in, with what a multipart upload needs besides PutObject (CreateMultipartUpload, UploadPart and CompleteMultipartUpload are authorized as s3:PutObject). No delete: expiry is the lifecycle rule's job. */
export const OUTPUTS_WRITE_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] as const;
/** A customer-managed bucket key, if the bucket ever gets one: what S3 asks KMS for on a read, and on a write. */
export const OUTPUTS_KEY_READ_ACTIONS = ['kms:Decrypt'] as const;
export const OUTPUTS_KEY_WRITE_ACTIONS = ['kms:GenerateDataKey'] as const;

/** The team-link reader's only action (no BatchGetItem, no Query: one user's link, by its key). */
export const USER_TEAM_LINK_ACTIONS = ['dynamodb:GetItem'] as const;
/** The partition keys a team-link reader may read: `USER#<userId>` (lambdas/adapters/dynamodb/keys.ts userTeamKey). */
export const USER_TEAM_LINK_LEADING_KEYS = `${userTeamKey('').pk}*`;

/** GetItem on `USER#…` items only: the IAM condition on the partition key that every read must satisfy. */
export function userTeamLinkStatement(table: dynamodb.ITable): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...USER_TEAM_LINK_ACTIONS],
    resources: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [USER_TEAM_LINK_LEADING_KEYS] } },
  });
}

export interface ServiceResources {
  readonly table: dynamodb.ITable;
  readonly jobsQueue: sqs.IQueue;
  readonly stripeSecret: secretsmanager.ISecret;
  /** The model providers' API keys. */
  readonly providerSecret: secretsmanager.ISecret;
  /** Generation outputs (objects under `outputs/`). */
  readonly outputsBucket: s3.IBucket;
}

/** `arn:…:s3:::<bucket>/outputs/*`: the only objects of the bucket any function may touch. */
export function outputsObjectsArn(bucket: s3.IBucket): string {
  return bucket.arnForObjects(`${OUTPUTS_PREFIX}*`);
}

/**
 * A resource ARN as cdk-nag names it in a finding (`AwsSolutions-IAM5[Resource::…]`): references as
 * `<LogicalId.Attr>` / `<LogicalId>`, an Fn::ImportValue as its export name, joined as the template joins them.
 */
export function nagResourceName(scope: IConstruct, arn: string): string {
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::Join'])) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    if (typeof v['Fn::ImportValue'] === 'string') return v['Fn::ImportValue'];
    if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
    if (typeof v.Ref === 'string') return `<${v.Ref}>`;
    throw new Error(`Cannot name ${JSON.stringify(value)} as cdk-nag does`);
  };
  return render(Stack.of(scope).resolve(arn));
}

export function dueIndexArns(table: dynamodb.ITable, names: readonly (keyof typeof DUE_INDEXES)[]): string[] {
  return names.map((name) => `${table.tableArn}/index/${DUE_INDEXES[name].name}`);
}

export function grantFunctionAccess(principal: iam.IGrantable, access: FunctionAccess, resources: ServiceResources): void {
  const { table } = resources;
  if (access.table !== 'none') {
    const actions = [...TABLE_READ_ACTIONS, ...(access.table === 'read-write' ? TABLE_WRITE_ACTIONS : []), ...(access.scan ? TABLE_SCAN_ACTIONS : [])];
    principal.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [table.tableArn] }));
    if (table.encryptionKey) {
      const keyActions = [...KEY_DECRYPT_ACTIONS, ...(access.table === 'read-write' ? KEY_ENCRYPT_ACTIONS : [])];
      principal.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: keyActions, resources: [table.encryptionKey.keyArn] }));
    }
  } else if (access.scan) {
    throw new Error('scan needs table access');
  }
  if (access.userTeamLinks) {
    if (access.table !== 'none') throw new Error('userTeamLinks is narrower than table access: declare one or the other');
    principal.grantPrincipal.addToPrincipalPolicy(userTeamLinkStatement(table));
    if (table.encryptionKey) principal.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [table.encryptionKey.keyArn] }));
  }
  if (access.dueIndexes && access.dueIndexes.length > 0) {
    if (access.table === 'none') throw new Error('dueIndexes needs table access');
    principal.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...INDEX_QUERY_ACTIONS], resources: dueIndexArns(table, access.dueIndexes) }));
  }
  if (access.recentIndex) {
    if (access.table === 'none') throw new Error('recentIndex needs table access');
    principal.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...INDEX_QUERY_ACTIONS], resources: [`${table.tableArn}/index/${RECENT_INDEX.name}`] }));
  }
  if (access.enqueuesJobs) resources.jobsQueue.grantSendMessages(principal);
  if (access.stripe) resources.stripeSecret.grantRead(principal);
  if (access.modelProviders) resources.providerSecret.grantRead(principal);
  if (access.outputs) {
    const write = access.outputs === 'write';
    const { outputsBucket } = resources;
    const objects = outputsObjectsArn(outputsBucket);
    principal.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...OUTPUTS_READ_ACTIONS, ...(write ? OUTPUTS_WRITE_ACTIONS : [])], resources: [objects] }));
    const role = principal.grantPrincipal;
    if (Construct.isConstruct(role)) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResourceName(role, objects)}]`,
        reason: `The generation outputs' objects under ${OUTPUTS_PREFIX} of the outputs bucket, only: their keys (outputs/<account>/<job>/<index>) are made per job at run time. The actions are spelt out (${write ? 'read, put and a multipart upload\'s abort and parts listing' : 'GetObject only, to sign GET URLs'}); none deletes, none touches the bucket itself.`,
      });
    }
    if (outputsBucket.encryptionKey) {
      principal.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: [...OUTPUTS_KEY_READ_ACTIONS, ...(write ? OUTPUTS_KEY_WRITE_ACTIONS : [])], resources: [outputsBucket.encryptionKey.keyArn] }),
      );
    }
  }
}
