/**
 * DynamoDB clients and tables on DynamoDB Local, for integration tests and the local stack.
 *
 * jest's globalSetup starts one DynamoDB Local per run and publishes it in DYNAMODB_ENDPOINT; each test
 * file then creates its own uniquely named table, so files never see each other's items.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTable, makeDocumentClient, makeRawClient } from '../../bin/local/dynamodb-clients';

export { createTable, makeDocumentClient, makeRawClient };

export interface TestTable {
  readonly db: DynamoDBDocumentClient;
  readonly raw: DynamoDBClient;
  readonly tableName: string;
}

export function requireTestEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    throw new Error('DYNAMODB_ENDPOINT is not set: run the tests through jest (its globalSetup starts DynamoDB Local).');
  }
  return endpoint;
}

/**
 * A fresh, uniquely named table on the run's DynamoDB Local. Call `dropTestTable` (or `raw.destroy()`)
 * in afterAll so the worker's sockets close.
 */
export async function createTestTable(): Promise<TestTable> {
  const endpoint = requireTestEndpoint();
  const raw = makeRawClient(endpoint);
  const db = makeDocumentClient(endpoint, raw);
  const tableName = `test-w${process.env.JEST_WORKER_ID ?? '0'}-${randomUUID()}`;
  await createTable(raw, tableName);
  return { db, raw, tableName };
}

/** Deletes the table and closes the clients. */
export async function dropTestTable(table: TestTable): Promise<void> {
  try {
    await table.raw.send(new DeleteTableCommand({ TableName: table.tableName }));
  } finally {
    table.raw.destroy(); // the DocumentClient shares its request handler
  }
}
