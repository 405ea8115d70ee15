/**
 * The service's one DynamoDB table, built from the same constants as the local stack's table
 * (lambdas/adapters/dynamodb/table-schema.ts): pk/sk, the sparse due-time indexes (keys only) and
 * the TTL attribute of idempotency, event and rate-limit records.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DUE_INDEXES, RECENT_INDEX, TABLE_KEYS, TTL_ATTRIBUTE } from '../../lambdas/adapters/dynamodb/table-schema';

export interface LedgerTableProps {
  /** Retain the table and refuse its deletion (every stage but dev). @default true */
  readonly retain?: boolean;
  /** Encrypt with a customer-managed KMS key (created here, rotated yearly) instead of the AWS-managed key. @default false */
  readonly customerManagedKey?: boolean;
}

export class LedgerTable extends Construct {
  readonly table: dynamodb.Table;
  readonly encryptionKey?: kms.Key;

  constructor(scope: Construct, id: string, props: LedgerTableProps = {}) {
    super(scope, id);
    const retain = props.retain ?? true;
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    if (props.customerManagedKey) {
      this.encryptionKey = new kms.Key(this, 'Key', { description: 'Banana Flow Credits ledger table', enableKeyRotation: true, removalPolicy });
    }
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      ...(this.encryptionKey ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.encryptionKey } : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      // Always on: a money ledger is restorable to any second of the last 35 days, dev included (it costs little there).
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retain,
      removalPolicy,
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: RECENT_INDEX.name,
      partitionKey: { name: RECENT_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: RECENT_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    for (const index of Object.values(DUE_INDEXES)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
    }
  }
}
