/**
 * The single table's shape, shared by the CDK construct, the local stack and the tests so that
 * all three create the same keys and indexes.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Sparse indexes keyed by due time: scheduled jobs read only the work that is due. */
export const DUE_INDEXES = {
  grantDue: { name: 'grantDue', partitionKey: 'grantDuePk', sortKey: 'grantDueAt' },
  expiryDue: { name: 'expiryDue', partitionKey: 'expiryDuePk', sortKey: 'expiryDueAt' },
  jobDue: { name: 'jobDue', partitionKey: 'jobDuePk', sortKey: 'jobDueAt' },
  refillDue: { name: 'refillDue', partitionKey: 'refillDuePk', sortKey: 'refillDueAt' },
  paygDue: { name: 'paygDue', partitionKey: 'paygDuePk', sortKey: 'paygDueAt' },
} as const;

/**
 * An index of an account's top-ups and invoices in creation order (their sort keys are ids: a
 * hashed Idempotency-Key, a Stripe invoice id), for the billing page's "most recent". Sparse: only
 * those items carry `recentPk` (the account) and `recentAt` = `<KIND>#<createdAt>#<id>`. Global, not
 * local: a local index would cap each account's items at 10 GB (ledger entries never expire) and
 * could not be added to a table that exists; the price is eventually consistent reads.
 */
export const RECENT_INDEX = { name: 'recent', partitionKey: 'recentPk', sortKey: 'recentAt' } as const;

/** Due-index partitions are spread over shards so that no single index partition runs hot. */
export const DUE_INDEX_SHARDS = 4;

export const TTL_ATTRIBUTE = 'expiresAtEpoch';

/** CreateTable input for DynamoDB Local and tests (CDK builds the same from these constants). */
export function createTableInput(tableName: string) {
  const indexes = Object.values(DUE_INDEXES);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' as const },
      { AttributeName: RECENT_INDEX.partitionKey, AttributeType: 'S' as const },
      { AttributeName: RECENT_INDEX.sortKey, AttributeType: 'S' as const },
      ...indexes.flatMap((i) => [
        { AttributeName: i.partitionKey, AttributeType: 'S' as const },
        { AttributeName: i.sortKey, AttributeType: 'S' as const },
      ]),
    ],
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      ...indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' as const },
      })),
      {
        IndexName: RECENT_INDEX.name,
        KeySchema: [
          { AttributeName: RECENT_INDEX.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: RECENT_INDEX.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
    ],
  };
}
