/**
 * Grants a function exactly what its FunctionAccess says, on named resources only: the table and,
 * for the scheduled jobs, each due index by name (never `index/*`); the jobs queue; the Stripe
 * secret (and the table's customer-managed key, if any); for the Cognito trigger, GetItem on users'
 * team links only (a `dynamodb:LeadingKeys` condition). No statement's action or resource has a wildcard.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { userTeamKey } from '../lambdas/adapters/dynamodb/keys';
import { DUE_INDEXES, RECENT_INDEX } from '../lambdas/adapters/dynamodb/table-schema';
import type { FunctionAccess } from './function-catalog';

export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
/** TransactWriteItems is authorized per item by these actions. No DeleteItem/BatchWriteItem: the ledger is append-only and expiry is TTL's job. */
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'] as const;
export const TABLE_SCAN_ACTIONS = ['dynamodb:Scan'] as const;
export const INDEX_QUERY_ACTIONS = ['dynamodb:Query'] as const;
/** A customer-managed table key: the same actions KMS grants for `grantDecrypt`/`grantEncryptDecrypt`, spelt out (no `ReEncrypt*`/`GenerateDataKey*`). */
export const KEY_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
export const KEY_ENCRYPT_ACTIONS = ['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'] as const;

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
}
