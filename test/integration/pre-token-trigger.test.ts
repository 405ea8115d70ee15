/**
 * Issue 13: the Cognito pre-token-generation trigger (V2_0) invoked with Cognito-shaped events against
 * DynamoDB Local. A member's active team link puts `account_id` into both tokens; no link or a left
 * one adds nothing (own wallet); a failed or slow read never blocks the sign-in. Its calls are checked
 * against its role as synthesized into the stateful stack (GetItem on `USER#…` keys only), and the
 * links it reads are the ones the real join and removal write.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { userTeamToItem } from '../../lambdas/adapters/dynamodb/items';
import type { UserTeamLink } from '../../lambdas/domain/credit-store';
import * as fc from 'fast-check';
import { createPreTokenGenerationHandler, handler as deployedHandler } from '../../lambdas/handlers/cognito/pre-token-generation';
import { teamClaims, teamWalletOf } from '../../lambdas/handlers/cognito/team-claims';
import type { ReadUserTeam } from '../../lambdas/handlers/cognito/user-team-reader';
import { dynamoDbUserTeamReader } from '../../lambdas/handlers/cognito/user-team-reader';
import { PRE_TOKEN_FUNCTION } from '../../lib/function-catalog';
import { USER_TEAM_LINK_LEADING_KEYS } from '../../lib/grants';
import { CallChecker, PolicyBook } from '../support/aws-policy';
import type { TestTable } from '../support/dynamodb';
import { createTestTable, dropTestTable } from '../support/dynamodb';
import { addMember, setPlan } from '../support/fixtures';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';
import { DEV_CONFIG, buildApp, functionsByName, statementsOfFunction } from '../infra/build-app';

/** What Cognito sends a V2_0 trigger when a user signs in (user pool with email as the sign-in alias). */
function cognitoEvent(sub: string, overrides: Partial<PreTokenGenerationV2TriggerEvent> = {}): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_Authentication',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_AbCdEf123',
    // The username is not the id the API knows the caller by: the trigger must read `sub`.
    userName: `login-name-of-${sub}`,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '4example5client6id7abcdef' },
    request: {
      userAttributes: { sub, 'cognito:user_status': 'CONFIRMED', email_verified: 'true', email: `${sub}@example.com` },
      groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: undefined },
      scopes: ['openid', 'email', 'aws.cognito.signin.user.admin'],
    },
    response: {} as PreTokenGenerationV2TriggerEvent['response'],
    ...overrides,
  } as PreTokenGenerationV2TriggerEvent;
}

const idClaims = (event: PreTokenGenerationV2TriggerEvent) => event.response.claimsAndScopeOverrideDetails?.idTokenGeneration?.claimsToAddOrOverride;
const accessClaims = (event: PreTokenGenerationV2TriggerEvent) => event.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride;

// The trigger's role as synthesized into the stateful stack (it lives there, next to the pool and the table).
const built = buildApp(DEV_CONFIG);
const tableLogicalId = built.stacks.stateful.getLogicalId(built.stacks.stateful.table.node.defaultChild as never);
const policies = new PolicyBook(built.stateful, built.stateful, { statefulLogicalIds: { [tableLogicalId]: '{table}' } });

let table: TestTable;
let checker: CallChecker;
/** Every key the trigger asked for: the role's LeadingKeys condition must hold for each. */
const keysRead: Array<Record<string, unknown>> = [];
let failures = 0;

function recordingKeys(db: DynamoDBDocumentClient): DynamoDBDocumentClient {
  return new Proxy(db, {
    get: (target, prop, receiver) =>
      prop === 'send'
        ? (command: { input: { Key?: Record<string, unknown> } }, ...rest: unknown[]) => {
            if (command.input.Key) keysRead.push(command.input.Key);
            return (target.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
          }
        : Reflect.get(target, prop, receiver),
  });
}

/** The tables that stand for the stage's table (`{table}` in the role); any other is not the trigger's to read. */
const ourTables = new Set<string>();

function triggerOn(db: DynamoDBDocumentClient, tableName: string, options: { checked: boolean } = { checked: true }) {
  const read = dynamoDbUserTeamReader(options.checked ? recordingKeys(checker.wrapDynamoDb(db)) : db, tableName);
  const run = createPreTokenGenerationHandler({ readUserTeam: () => read, countReadFailure: () => (failures += 1) });
  return (event: PreTokenGenerationV2TriggerEvent) => checker.attribute(PRE_TOKEN_FUNCTION.name, () => run(event));
}

const putLink = (link: UserTeamLink) => table.db.send(new PutCommand({ TableName: table.tableName, Item: userTeamToItem(link) }));

beforeAll(async () => {
  table = await createTestTable();
  ourTables.add(table.tableName);
  checker = new CallChecker(policies, { tableOf: (name) => (ourTables.has(name) ? '{table}' : `<table ${name}>`), queueOf: (url) => `<queue ${url}>` });
});
afterAll(async () => {
  if (table) await dropTestTable(table);
});
beforeEach(() => {
  failures = 0;
});

describe('the decision, on its own (link → claims; pure)', () => {
  const link = (over: Partial<UserTeamLink> = {}): UserTeamLink => ({ userId: 'u1', accountId: 'team-1', status: 'active', updatedAt: '2027-01-10T00:00:00.000Z', ...over });

  test.each([
    ['no link', null, null],
    ['an active link', link(), 'team-1'],
    ['a left link', link({ status: 'left' }), null],
    ['a link stored for another user', link({ userId: 'u2' }), null],
    ['a link naming the user’s own wallet', link({ accountId: 'u1' }), null],
    ['a link naming no wallet', link({ accountId: '' }), null],
  ])('%s selects %#', (_name, given, wallet) => {
    expect(teamWalletOf('u1', given)).toBe(wallet);
  });

  test('both tokens always say the same; account_id only for an active link; account_role never', () => {
    const links = fc.option(fc.record({ userId: fc.constantFrom('u1', 'u2'), accountId: fc.constantFrom('team-1', 'u1', ''), status: fc.constantFrom('active' as const, 'left' as const), updatedAt: fc.constant('2027-01-10T00:00:00.000Z') }), { nil: null });
    fc.assert(
      fc.property(links, (given) => {
        const claims = teamClaims('u1', given);
        expect(claims.accessTokenGeneration).toEqual(claims.idTokenGeneration);
        expect(claims.idTokenGeneration.claimsToSuppress).toEqual(['account_role']);
        const expected = given && given.status === 'active' && given.userId === 'u1' && given.accountId === 'team-1' ? { account_id: 'team-1' } : undefined;
        expect(claims.idTokenGeneration.claimsToAddOrOverride).toEqual(expected);
      }),
    );
  });
});

describe('the trigger, invoked as Cognito invokes it', () => {
  test('no link: no account_id claim in either token (the own wallet), and account_role is suppressed', async () => {
    const trigger = triggerOn(table.db, table.tableName);

    const out = await trigger(cognitoEvent('solo-user'));

    expect(idClaims(out)).toBeUndefined();
    expect(accessClaims(out)).toBeUndefined();
    expect(out.response.claimsAndScopeOverrideDetails).toEqual({
      idTokenGeneration: { claimsToSuppress: ['account_role'] },
      accessTokenGeneration: { claimsToSuppress: ['account_role'] },
    });
    expect(failures).toBe(0);
  });

  test('an active link: account_id names the team wallet in both the ID and the access token', async () => {
    await putLink({ userId: 'member-1', accountId: 'team-owner-1', status: 'active', updatedAt: '2027-01-10T00:00:00.000Z' });
    const trigger = triggerOn(table.db, table.tableName);

    const out = await trigger(cognitoEvent('member-1'));

    expect(idClaims(out)).toEqual({ account_id: 'team-owner-1' });
    expect(accessClaims(out)).toEqual({ account_id: 'team-owner-1' });
    expect(out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToSuppress).toEqual(['account_role']);
    // The rest of Cognito's event is left as it came (groups, scopes, attributes).
    expect(out.request).toEqual(cognitoEvent('member-1').request);
  });

  test('a left link: no account_id (back to the own wallet)', async () => {
    await putLink({ userId: 'former-member', accountId: 'team-owner-1', status: 'left', updatedAt: '2027-01-11T00:00:00.000Z' });
    const trigger = triggerOn(table.db, table.tableName);

    const out = await trigger(cognitoEvent('former-member'));

    expect(idClaims(out)).toBeUndefined();
    expect(accessClaims(out)).toBeUndefined();
  });

  test('a token refresh gets the same decision (TokenGeneration_RefreshTokens)', async () => {
    const trigger = triggerOn(table.db, table.tableName);

    const out = await trigger(cognitoEvent('member-1', { triggerSource: 'TokenGeneration_RefreshTokens' }));

    expect(accessClaims(out)).toEqual({ account_id: 'team-owner-1' });
  });

  test('the store fails: the event goes back unchanged and the sign-in goes on (own wallet), counted', async () => {
    // (Not a call to check against the role: the table does not exist, which is the point.)
    const trigger = triggerOn(table.db, `missing-${table.tableName}`, { checked: false });
    const event = cognitoEvent('member-1');

    const out = await trigger(event);

    expect(out).toEqual(cognitoEvent('member-1'));
    expect(out.response).toEqual({});
    expect(failures).toBe(1);
  });

  test('a read that does not answer within the deadline: unchanged, well inside Cognito’s 5 s', async () => {
    const never: ReadUserTeam = (_userId, signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    let aborted = false;
    const run = createPreTokenGenerationHandler({
      readUserTeam: () => (userId, signal) => {
        signal?.addEventListener('abort', () => (aborted = true));
        return never(userId, signal);
      },
      countReadFailure: () => (failures += 1),
      readDeadlineMs: 100,
    });
    const started = Date.now();

    const out = await run(cognitoEvent('member-1'));

    expect(Date.now() - started).toBeLessThan(1000);
    expect(out.response).toEqual({});
    expect(aborted).toBe(true);
    expect(failures).toBe(1);
  });

  test('a reader that cannot even be built (config, client): unchanged, counted', async () => {
    const run = createPreTokenGenerationHandler({
      readUserTeam: () => Promise.reject(new Error('Invalid configuration: TABLE_NAME: required')),
      countReadFailure: () => (failures += 1),
    });

    expect((await run(cognitoEvent('member-1'))).response).toEqual({});
    expect(failures).toBe(1);
  });

  test('the deployed entry reads its table from the environment and answers the same', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { TABLE_NAME: table.tableName, JOBS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs', POWERTOOLS_LOG_LEVEL: 'SILENT' });
    try {
      const out = await deployedHandler(cognitoEvent('member-1'));
      expect(accessClaims(out)).toEqual({ account_id: 'team-owner-1' });
      expect(idClaims(out)).toEqual({ account_id: 'team-owner-1' });
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  test('every call it made is one its synthesized role allows: GetItem, on USER#… keys only', () => {
    expect(checker.violations).toEqual([]);
    const calls = checker.calls.filter((c) => c.functionName === PRE_TOKEN_FUNCTION.name);
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(new Set(calls.map((c) => c.action))).toEqual(new Set(['dynamodb:GetItem']));
    // The role's condition (ForAllValues:StringLike dynamodb:LeadingKeys), applied to the keys it really read.
    const fn = functionsByName(built.stateful).get(PRE_TOKEN_FUNCTION.name)!;
    const getItem = statementsOfFunction(built.stateful, fn.logicalId).find((s) => s.Action === 'dynamodb:GetItem') as unknown as { Condition: Record<string, Record<string, string[]>> };
    const patterns = getItem.Condition['ForAllValues:StringLike']!['dynamodb:LeadingKeys']!;
    expect(patterns).toEqual([USER_TEAM_LINK_LEADING_KEYS]);
    const matches = (pk: string) => patterns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`).test(pk));
    expect(keysRead.length).toBeGreaterThanOrEqual(4);
    for (const key of keysRead) expect([key.pk, matches(String(key.pk))]).toEqual([key.pk, true]);
    // And what it would be refused: any other item kind or action.
    expect(policies.allows(PRE_TOKEN_FUNCTION.name, 'dynamodb:Query', '{table}')).toBe(false);
    expect(policies.allows(PRE_TOKEN_FUNCTION.name, 'dynamodb:BatchGetItem', '{table}')).toBe(false);
    expect(policies.allows(PRE_TOKEN_FUNCTION.name, 'dynamodb:PutItem', '{table}')).toBe(false);
    expect(matches('ACCOUNT#team-owner-1')).toBe(false);
  });
});

describe('the links the real join and removal write', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ pollers: false });
    ourTables.add(t.table.tableName);
  });
  afterAll(async () => {
    await t?.stop();
  });

  test('a member who joined signs in to the team wallet, and the API serves it; after removal, the own wallet', async () => {
    await setPlan(t, 'trigger-owner', 'PRO');
    await addMember(t, 'trigger-owner', 'trigger-member');
    const trigger = triggerOn(t.table.db, t.table.tableName);

    const signedIn = await trigger(cognitoEvent('trigger-member'));
    expect(accessClaims(signedIn)).toEqual({ account_id: 'trigger-owner' });
    // The token Cognito would issue, with the claim the trigger wrote: the API opens the team wallet.
    const token = await t.token('trigger-member', accessClaims(signedIn));
    expect(await t.call('GET', '/v1/balance', { token })).toMatchObject({ status: 200, body: { accountId: 'trigger-owner' } });

    const removed = await t.call('DELETE', '/v1/team/members/trigger-member', { token: await t.token('trigger-owner') });
    expect(removed.status).toBeLessThan(300);
    const afterRemoval = await trigger(cognitoEvent('trigger-member', { triggerSource: 'TokenGeneration_RefreshTokens' }));
    expect(accessClaims(afterRemoval)).toBeUndefined();
    expect(idClaims(afterRemoval)).toBeUndefined();
    expect(checker.violations).toEqual([]);
  });
});
