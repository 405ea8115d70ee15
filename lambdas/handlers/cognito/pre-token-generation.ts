/**
 * Cognito pre-token-generation trigger (event version V2_0): a signed-in member lands in their team's
 * wallet. It reads the user's team link (by `sub`, the id the API calls them by) and, while the link
 * is active, writes `account_id` into both the ID and the access token; otherwise it adds nothing
 * and the API uses the user's own wallet. It also keeps the retired `account_role` claim out.
 *
 * It never fails a sign-in: a read that fails or runs past its deadline is logged (facts only, never
 * a token or an attribute value), counted, and the event goes back unchanged (the user's own wallet;
 * the API still checks every membership against its records, so nothing is opened by a missing
 * claim, only the team wallet is not preselected).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { onceUntilFailure } from '../../composition/production-deps';
import { readConfig } from '../../shared/config';
import { errorFacts } from '../../shared/error-facts';
import type { FunctionAccess } from '../../shared/function-access';
import { log } from '../../shared/logger';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../shared/service-identity';
import { traced } from '../../shared/tracing';
import { teamClaims } from './team-claims';
import type { ReadUserTeam } from './user-team-reader';
import { dynamoDbUserTeamReader } from './user-team-reader';

/** Sign-ins and refreshes that got the own wallet because the team link could not be read (every failure counted, no 0s). */
export const TEAM_CLAIM_READ_FAILURES_METRIC = 'TeamClaimReadFailures';

/**
 * Cognito waits 5 s for the trigger and fails the sign-in after that: the read gets 2 s, so a cold
 * start and a slow read still answer in time. The function's timeout is Cognito's 5 s.
 */
export const TEAM_LINK_READ_DEADLINE_MS = 2000;
export const PRE_TOKEN_FUNCTION_TIMEOUT_SECONDS = 5;

export interface PreTokenGenerationDeps {
  /** Builds the reader (first use may fail: config, client); any failure leaves the own wallet. */
  readonly readUserTeam: () => Promise<ReadUserTeam> | ReadUserTeam;
  /** Counts a read that failed (a metric); never throws. */
  readonly countReadFailure: () => void;
  /** @default TEAM_LINK_READ_DEADLINE_MS */
  readonly readDeadlineMs?: number;
}

class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineExceeded(`no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function createPreTokenGenerationHandler(deps: PreTokenGenerationDeps) {
  return async (event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> => {
    const userId = event.request?.userAttributes?.sub;
    const facts = { triggerSource: event.triggerSource, eventVersion: event.version, userId };
    if (typeof userId !== 'string' || userId === '') {
      log().warn('pre-token trigger: no sub in the user attributes; tokens left as they are', { triggerSource: event.triggerSource, eventVersion: event.version });
      return event;
    }
    // Attached as V1_0, Cognito ignores the V2_0 response: the member would silently get their own wallet.
    if (event.version !== '2') log().warn('pre-token trigger is not attached as event version V2_0: the access token keeps no account_id', facts);
    let link;
    try {
      const read = await deps.readUserTeam();
      link = await withDeadline(deps.readDeadlineMs ?? TEAM_LINK_READ_DEADLINE_MS, (signal) => read(userId, signal));
    } catch (error) {
      deps.countReadFailure();
      log().error('pre-token trigger could not read the team link; the user signs in to their own wallet', { ...facts, ...errorFacts(error) });
      return event;
    }
    event.response = { ...event.response, claimsAndScopeOverrideDetails: toCognito(teamClaims(userId, link)) };
    return event;
  };
}

/** The decision in Cognito's (mutable, array-typed) response shape. */
function toCognito(claims: ReturnType<typeof teamClaims>): NonNullable<PreTokenGenerationV2TriggerEvent['response']['claimsAndScopeOverrideDetails']> {
  const each = (o: ReturnType<typeof teamClaims>['idTokenGeneration']) => ({
    ...(o.claimsToAddOrOverride ? { claimsToAddOrOverride: { ...o.claimsToAddOrOverride } } : {}),
    claimsToSuppress: [...o.claimsToSuppress],
  });
  return { idTokenGeneration: each(claims.idTokenGeneration), accessTokenGeneration: each(claims.accessTokenGeneration) };
}

/** What the trigger's role may do: read team links (GetItem on `USER#…` keys), nothing else. */
export const PRE_TOKEN_ACCESS: FunctionAccess = { table: 'none', userTeamLinks: true };

let failureMetrics: Metrics | undefined;
/** One EMF line per failure, flushed at once (no API call, nothing to grant). */
function countFailureInCloudWatch(): void {
  try {
    failureMetrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    failureMetrics.addMetric(TEAM_CLAIM_READ_FAILURES_METRIC, MetricUnit.Count, 1);
    failureMetrics.publishStoredMetrics();
  } catch {
    // A metric never fails a sign-in.
  }
}

const buildReader = onceUntilFailure(async (): Promise<ReadUserTeam> => {
  const config = readConfig(process.env);
  const raw = traced(new DynamoDBClient({ region: config.AWS_REGION, ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}) }));
  return dynamoDbUserTeamReader(DynamoDBDocumentClient.from(raw), config.TABLE_NAME);
});

const preTokenGeneration = createPreTokenGenerationHandler({ readUserTeam: buildReader, countReadFailure: countFailureInCloudWatch });

/** The Lambda entry. Its declaration, like lambdaEntry's: `access` is what the CDK app grants (lib/grants.ts). */
export const handler = Object.assign((event: PreTokenGenerationV2TriggerEvent) => preTokenGeneration(event), { access: PRE_TOKEN_ACCESS });
