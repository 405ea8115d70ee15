/**
 * Clients and the service's table on DynamoDB Local: shared by the local stack and the tests.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput } from '../../lambdas/adapters/dynamodb/table-schema';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** A low-level client for DynamoDB Local (fixed local credentials and region). */
export function makeRawClient(endpoint: string, options: { maxSockets?: number } = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    // The SDK's default pool is 50 sockets; a benchmark at high concurrency needs more.
    ...(options.maxSockets ? { requestHandler: { httpAgent: { maxSockets: options.maxSockets } } } : {}),
  });
}

/**
 * A DocumentClient for DynamoDB Local, marshalled the way the service's own client is
 * (`removeUndefinedValues: true`). Pass `raw` to share an existing low-level client.
 */
export function makeDocumentClient(endpoint: string, raw: DynamoDBClient = makeRawClient(endpoint)): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
}

/** Creates the service's table (keys, due indexes) under the given name. DynamoDB Local makes it ACTIVE at once. */
export async function createTable(raw: DynamoDBClient, tableName: string): Promise<void> {
  await raw.send(new CreateTableCommand(createTableInput(tableName)));
}
