/**
 * The service as the tests drive it: the real handlers, use cases and DynamoDB store on a fresh
 * DynamoDB Local table, called through the local gateway (the JWT check included), with a clock the
 * test moves. `call` speaks HTTP-ish: method, path, token, body.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createLocalGateway, signDevToken } from '../../bin/local/gateway';
import { SettableClock } from '../../lambdas/adapters/clock';
import { cryptoRandomBytes, ulidIds } from '../../lambdas/adapters/ids';
import type { Service } from '../../lambdas/shared/composition';
import { buildService } from '../../lambdas/shared/composition';
import type { TestTable } from './dynamodb';
import { createTestTable, dropTestTable } from './dynamodb';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256';

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  // Tests read arbitrary JSON: any keeps assertions short.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export interface TestService {
  readonly service: Service;
  readonly clock: SettableClock;
  readonly table: TestTable;
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  token(sub: string, claims?: { account_id?: string; account_role?: 'owner' | 'member'; groups?: string[]; expiresInSeconds?: number }): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestService(options: { db?: (db: DynamoDBDocumentClient) => DynamoDBDocumentClient } = {}): Promise<TestService> {
  const table = await createTestTable();
  const clock = new SettableClock();
  const db = options.db ? options.db(table.db) : table.db;
  const service = buildService({ db, tableName: table.tableName, clock, ids: ulidIds(clock), randomBytes: cryptoRandomBytes, localMode: true });
  const gateway = createLocalGateway({ routes: service.routes, jwtSecret: TEST_JWT_SECRET, now: () => clock.now() });
  return {
    service,
    clock,
    table,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      const response = await gateway({ method, path, headers, body });
      return { status: response.statusCode, headers: response.headers, body: response.body ? JSON.parse(response.body) : undefined };
    },
    token: (sub, claims = {}) => signDevToken(TEST_JWT_SECRET, { sub, ...claims, now: clock.now() }),
    stop: () => dropTestTable(table),
  };
}
