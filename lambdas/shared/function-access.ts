/**
 * What a deployed function may touch, declared once, in its entry file, next to the ports it wires
 * (lambdaEntry checks the two agree). The CDK app grants exactly this (lib/grants.ts), and
 * test/integration/iam-policy.test.ts checks the calls the code really makes against the policy
 * synthesized from it.
 */
export type TableAccess = 'none' | 'read' | 'read-write';

/** The sparse due-time indexes (lambdas/adapters/dynamodb/table-schema.ts DUE_INDEXES), by name. */
export type DueIndexName = 'grantDue' | 'expiryDue' | 'jobDue' | 'refillDue' | 'paygDue';

export interface FunctionAccess {
  /** Items of the table: `read` is GetItem/BatchGetItem/Query; `read-write` adds PutItem/UpdateItem/ConditionCheckItem (what TransactWriteItems needs). Nothing may delete. */
  readonly table: TableAccess;
  /** The sparse due-time indexes it queries (scheduled jobs). @default none */
  readonly dueIndexes?: readonly DueIndexName[];
  /** Queries the `recent` index (an account's latest top-ups and invoices, for billing). @default false */
  readonly recentIndex?: boolean;
  /** Scans the table (the reconcile job's full pass). @default false */
  readonly scan?: boolean;
  /** Sends to the jobs queue: generation jobs or auto-refill requests. Must wire `jobQueue`. @default false */
  readonly enqueuesJobs?: boolean;
  /** Talks to Stripe (API key) or verifies its webhooks (signing secret): reads the Stripe secret. Must wire `payments`. @default false */
  readonly stripe?: boolean;
  /**
   * The generation outputs bucket, under `outputs/*` only: `read` signs GET URLs for the job's owners
   * (a presigned URL carries the signer's s3:GetObject); `write` also copies provider outputs in
   * (s3:PutObject, and the multipart upload a large video needs). Must wire `outputs`. @default none
   */
  readonly outputs?: 'read' | 'write';
  /** Calls the model providers: reads the providers' secret (their API keys). Must wire `models`. @default false */
  readonly modelProviders?: boolean;
  /**
   * Reads users' team links, and nothing else of the table: GetItem only, on items whose partition
   * key is `USER#…` (IAM condition `dynamodb:LeadingKeys`). Narrower than any `table` access; for the
   * Cognito pre-token-generation trigger, which may not see accounts, ledgers or payments. @default false
   */
  readonly userTeamLinks?: boolean;
}
