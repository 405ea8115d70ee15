/**
 * One account redeeming one code twice at once, on a coupon with a use left for only one of them
 * (found by the seeded simulation): the loser must hear 409 coupon_already_redeemed, never 410
 * coupon_exhausted, and must not count as a failed lookup.
 *
 * DynamoDB answers a BatchGetItem item by item (read-committed, DynamoDB Local too): a read that
 * overlaps a redemption's commit can see the coupon's count with that redemption in it and the
 * account's marker without. Only TransactGetItems gives one snapshot. The gate below makes that
 * overlap exact instead of probable: it pauses the first redemption's read once it has read the
 * marker (all of the read, for a TransactGetItems, which DynamoDB serves whole), lets the second
 * redemption commit, then lets the first go on. It can also answer the first's commit the way
 * DynamoDB does while the other redemption is still being applied, and refuse a read as DynamoDB
 * refuses a TransactGetItems that meets a write in flight.
 *
 * One account guessing many codes at once: the failed-lookup limit must hold for the lookups that
 * really happen (each read of a COUPON# item is counted by wrapping the DynamoDB client), not only
 * for the answers: a limit read before the lookup and counted after it lets every guess that reads
 * before the first failure is counted look a code up.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_FAILED_COUPON_ATTEMPTS_PER_HOUR } from '../../lambdas/domain/coupon';
import { COUPON_ALPHABET } from '../../lambdas/domain/coupon-code';
import { issueCoupon } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { CallResult, TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

type Key = { pk: string; sk: string };
type Command = { constructor: { name: string }; input: Record<string, unknown> };

const isMarker = (key: Key | undefined) => key?.sk.startsWith('REDEMPTION#') === true;

class RedemptionGate {
  private pause: { reached: () => void; resume: Promise<void> } | null = null;
  private conflictingCommit = false;
  private refusedReads = 0;
  /** What the gate did, for the assertions that it did act. */
  acted: string[] = [];

  reset(): void {
    this.pause = null;
    this.conflictingCommit = false;
    this.refusedReads = 0;
    this.acted = [];
  }

  /** Pauses the next redemption read (after its marker is read); resolves once it is paused. */
  pauseNextRead(): { paused: Promise<void>; resume: () => void } {
    let resume!: () => void;
    let reached!: () => void;
    const paused = new Promise<void>((resolve) => (reached = resolve));
    this.pause = { reached, resume: new Promise<void>((resolve) => (resume = resolve)) };
    return { paused, resume };
  }

  /** The next redemption commit is answered as while another transaction writes its account and marker. */
  conflictNextCommit(): void {
    this.conflictingCommit = true;
  }

  /** The next `n` redemption reads are refused with a TransactionConflict. */
  refuseNextReads(n: number): void {
    this.refusedReads = n;
  }

  wrap(db: DynamoDBDocumentClient): DynamoDBDocumentClient {
    const send = (command: Command, ...rest: unknown[]) => (db.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
    const gated = async (command: Command, ...rest: unknown[]): Promise<unknown> => {
      const name = command.constructor.name;
      if (name === 'BatchGetCommand' || name === 'TransactGetCommand') {
        const keys = readKeys(command);
        if (!keys.some(isMarker)) return send(command, ...rest);
        if (this.refusedReads > 0) {
          this.refusedReads -= 1;
          this.acted.push(`refused ${name}`);
          if (name === 'TransactGetCommand') throw cancelled(keys.map((key) => (isMarker(key) ? 'TransactionConflict' : 'None')));
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        }
        const pause = this.pause;
        if (!pause) return send(command, ...rest);
        this.pause = null;
        this.acted.push(`paused ${name}`);
        if (name === 'TransactGetCommand') {
          const whole = await send(command, ...rest);
          pause.reached();
          await pause.resume;
          return whole;
        }
        // A batch: the marker now, the rest once the other redemption has committed.
        const table = Object.keys(command.input.RequestItems as object)[0]!;
        const batch = (part: Key[]) => send(new (command.constructor as new (input: unknown) => Command)({ RequestItems: { [table]: { Keys: part, ConsistentRead: true } } }), ...rest) as Promise<{ Responses?: Record<string, unknown[]> }>;
        const first = await batch(keys.filter(isMarker));
        pause.reached();
        await pause.resume;
        const second = await batch(keys.filter((key) => !isMarker(key)));
        return { Responses: { [table]: [...(first.Responses?.[table] ?? []), ...(second.Responses?.[table] ?? [])] }, UnprocessedKeys: {} };
      }
      if (name === 'TransactWriteCommand' && this.conflictingCommit) {
        const items = command.input.TransactItems as Array<{ Put?: { Item: Key }; Update?: { Key: Key } }>;
        if (items.some((item) => isMarker(item.Put?.Item))) {
          this.conflictingCommit = false;
          this.acted.push('conflicted TransactWriteCommand');
          throw cancelled(
            items.map((item) => {
              const key = item.Put?.Item ?? item.Update?.Key;
              if (key?.sk === 'ACCOUNT' || isMarker(key)) return 'TransactionConflict';
              return key?.pk.startsWith('COUPON#') ? 'ConditionalCheckFailed' : 'None';
            }),
          );
        }
      }
      return send(command, ...rest);
    };
    return new Proxy(db, { get: (target, prop, receiver) => (prop === 'send' ? gated : Reflect.get(target, prop, receiver)) });
  }
}

function readKeys(command: Command): Key[] {
  if (command.constructor.name === 'TransactGetCommand') return (command.input.TransactItems as Array<{ Get: { Key: Key } }>).map((item) => item.Get.Key);
  return Object.values(command.input.RequestItems as Record<string, { Keys: Key[] }>).flatMap((request) => request.Keys);
}

function cancelled(codes: string[]): Error {
  return Object.assign(new Error(`Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`), {
    name: 'TransactionCanceledException',
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

/** Counts the reads of COUPON# items (the real lookups), per code, whatever command reads them. */
class CouponLookupCounter {
  readonly reads: string[] = [];

  reset(): void {
    this.reads.length = 0;
  }

  wrap(db: DynamoDBDocumentClient): DynamoDBDocumentClient {
    const counted = (command: Command, ...rest: unknown[]): Promise<unknown> => {
      for (const key of readKeysOfAnyRead(command)) if (key.pk.startsWith('COUPON#')) this.reads.push(key.pk.slice('COUPON#'.length));
      return (db.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
    };
    return new Proxy(db, { get: (target, prop, receiver) => (prop === 'send' ? counted : Reflect.get(target, prop, receiver)) });
  }
}

/** The keys any read command names (writes name none). */
function readKeysOfAnyRead(command: Command): Key[] {
  const name = command.constructor.name;
  if (name === 'TransactGetCommand' || name === 'BatchGetCommand') return readKeys(command);
  if (name === 'GetCommand') return [command.input.Key as Key];
  return [];
}

const gate = new RedemptionGate();
const lookups = new CouponLookupCounter();
let t: TestService;
beforeAll(async () => {
  t = await startTestService({ pollers: false, db: (db) => gate.wrap(lookups.wrap(db)) });
});
afterEach(() => {
  gate.reset();
  lookups.reset();
});
afterAll(async () => {
  await expectMoneyInvariants(t);
  await t.stop();
});

const redeem = (token: string, code: string) => t.call('POST', '/v1/coupons/redeem', { token, body: { code } });

/** A coupon of `credits` with 2 uses, one of them already taken by another account. */
async function couponWithOneUseLeft(credits: number): Promise<string> {
  const code = await issueCoupon(t, credits, { maxRedemptions: 2 });
  expect((await redeem(await t.token(`first-comer-${code}`), code)).status).toBe(200);
  return code;
}

/** An account that exists (the balance read opens it), so its redemptions go straight to the coupon. */
async function openAccount(sub: string): Promise<string> {
  const token = await t.token(sub);
  expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(100);
  return token;
}

/** The codes this account's failed-lookup window holds this hour (each one a lookup slot). */
async function failedLookupsThisHour(accountId: string): Promise<number> {
  const hour = t.clock.now().toISOString().slice(0, 13);
  const { Item } = await t.table.db.send(new GetCommand({ TableName: t.table.tableName, Key: { pk: `ACCOUNT#${accountId}`, sk: `RATE#coupon#${hour}` }, ConsistentRead: true }));
  return Item?.lookupCodes instanceof Set ? Item.lookupCodes.size : 0;
}

/** `n` distinct well-formed codes of a campaign nobody issued: every one a wrong guess. */
function wrongCodes(n: number, campaign: string): string[] {
  const letter = (i: number) => COUPON_ALPHABET[i % COUPON_ALPHABET.length]!;
  return Array.from({ length: n }, (_, i) => `${campaign}-AAAA-AA${letter(Math.floor(i / COUPON_ALPHABET.length))}${letter(i)}`);
}

const answer = (r: CallResult) => `${r.status} ${r.body?.error?.code ?? ''}`.trim();

describe('one account redeeming one code twice at once, one use left', () => {
  test('a redemption that read before the other committed answers 409 already redeemed, not 410 exhausted', async () => {
    const code = await couponWithOneUseLeft(30);
    const token = await openAccount('overlapping');

    const gated = gate.pauseNextRead();
    const first = redeem(token, code);
    await gated.paused;
    const second = await redeem(token, code);
    gated.resume();
    const late = await first;

    expect(answer(second)).toBe('200');
    expect(answer(late)).toBe('409 coupon_already_redeemed');
    expect(gate.acted.filter((a) => a.startsWith('paused'))).toHaveLength(1);
    expect(await failedLookupsThisHour('overlapping')).toBe(0);
    expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(130);
  });

  test('a failed coupon guard while the marker could not be checked is read again, not taken for exhausted', async () => {
    const code = await couponWithOneUseLeft(20);
    const token = await openAccount('mid-commit');

    const gated = gate.pauseNextRead();
    const first = redeem(token, code);
    await gated.paused;
    const second = await redeem(token, code);
    gate.conflictNextCommit();
    gated.resume();
    const late = await first;

    expect(answer(second)).toBe('200');
    expect(answer(late)).toBe('409 coupon_already_redeemed');
    expect(gate.acted).toContain('conflicted TransactWriteCommand');
    expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(120);
  });

  test('a read refused while a write is in flight is read again', async () => {
    const code = await couponWithOneUseLeft(10);
    const token = await openAccount('refused-read');

    gate.refuseNextReads(3);
    const redeemed = await redeem(token, code);

    expect(gate.acted.filter((a) => a.startsWith('refused'))).toHaveLength(3);
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).toEqual({ code, credits: 10, available: 110 });
  });

  test('without the gate, many at once: one 200, every other 409, no failed lookup counted', async () => {
    for (let round = 0; round < 5; round += 1) {
      const code = await couponWithOneUseLeft(5);
      const token = await openAccount(`crowd-of-one-${round}`);

      const answers = (await Promise.all(Array.from({ length: 12 }, () => redeem(token, code)))).map(answer);

      expect(answers.filter((a) => a === '200')).toHaveLength(1);
      expect(answers.filter((a) => a !== '200')).toEqual(Array.from({ length: 11 }, () => '409 coupon_already_redeemed'));
      expect(await failedLookupsThisHour(`crowd-of-one-${round}`)).toBe(0);
    }
  });
});

describe('one account guessing codes at once: the limit holds for the real lookups', () => {
  test('60 concurrent distinct wrong codes: at most 10 lookups and 10 answers 404, every other 429 with Retry-After', async () => {
    const token = await openAccount('guessing-crowd');
    const codes = wrongCodes(60, 'GUESS');
    expect(new Set(codes).size).toBe(60);
    lookups.reset();

    const responses = await Promise.all(codes.map((code) => redeem(token, code)));

    const answers = responses.map(answer);
    const notFound = answers.filter((a) => a === '404 coupon_not_found');
    expect(notFound.length).toBeGreaterThan(0);
    expect(notFound.length).toBeLessThanOrEqual(MAX_FAILED_COUPON_ATTEMPTS_PER_HOUR);
    expect(answers.filter((a) => a !== '404 coupon_not_found')).toEqual(Array.from({ length: 60 - notFound.length }, () => '429 too_many_attempts'));
    for (const refused of responses.filter((r) => r.status === 429)) expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(lookups.reads.length).toBeLessThanOrEqual(MAX_FAILED_COUPON_ATTEMPTS_PER_HOUR);
    expect(lookups.reads.length).toBe(notFound.length);
    expect(await failedLookupsThisHour('guessing-crowd')).toBe(notFound.length);
  });

  test('the same wrong codes sent twice each, at once: at most 10 distinct codes are ever looked up', async () => {
    const token = await openAccount('repeating-crowd');
    const codes = wrongCodes(30, 'AGAIN');
    lookups.reset();

    const responses = await Promise.all([...codes, ...codes].map((code) => redeem(token, code)));

    const looked = new Set(lookups.reads);
    expect(looked.size).toBeLessThanOrEqual(MAX_FAILED_COUPON_ATTEMPTS_PER_HOUR);
    const notFoundCodes = new Set(responses.flatMap((r, i) => (r.status === 404 ? [[...codes, ...codes][i]!] : [])));
    expect([...notFoundCodes].every((code) => looked.has(code))).toBe(true);
    expect(responses.every((r) => r.status === 404 || answer(r) === '429 too_many_attempts')).toBe(true);
  });

  test('successful redemptions do not use up the limit: 9 failures, then valid codes still redeem', async () => {
    const token = await openAccount('honest');
    const [first, second, third] = [await issueCoupon(t, 3), await issueCoupon(t, 4), await issueCoupon(t, 5)];
    for (const code of wrongCodes(9, 'TYPO')) expect(answer(await redeem(token, code))).toBe('404 coupon_not_found');

    expect(answer(await redeem(token, first))).toBe('200');
    expect(answer(await redeem(token, second))).toBe('200');
    expect(answer(await redeem(token, first))).toBe('409 coupon_already_redeemed');
    expect(await failedLookupsThisHour('honest')).toBe(9);
    // The limit still holds: one more failure, then even a valid code waits for the next hour.
    expect(answer(await redeem(token, 'TYPO-BBBB-BBBB'))).toBe('404 coupon_not_found');
    expect(answer(await redeem(token, third))).toBe('429 too_many_attempts');
    expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(107);
  });

  test('a code used up by another account between the read and the commit answers 410 but is no failed lookup', async () => {
    const code = await couponWithOneUseLeft(8);
    const token = await openAccount('outrun');
    const other = await openAccount('outrunner');

    const gated = gate.pauseNextRead();
    const first = redeem(token, code);
    await gated.paused;
    expect(answer(await redeem(other, code))).toBe('200');
    gated.resume();

    expect(answer(await first)).toBe('410 coupon_exhausted');
    expect(await failedLookupsThisHour('outrun')).toBe(0);
    expect(answer(await redeem(token, code))).toBe('410 coupon_exhausted');
    expect(await failedLookupsThisHour('outrun')).toBe(1);
  });

  test('a redemption that leaves no failed lookup holds no slot: the window is empty again (the item stays for its TTL; nothing is deleted)', async () => {
    const code = await issueCoupon(t, 6);
    const token = await openAccount('tidy');

    expect(answer(await redeem(token, code))).toBe('200');
    expect(answer(await redeem(token, code))).toBe('409 coupon_already_redeemed');

    const hour = t.clock.now().toISOString().slice(0, 13);
    const { Item } = await t.table.db.send(new GetCommand({ TableName: t.table.tableName, Key: { pk: 'ACCOUNT#tidy', sk: `RATE#coupon#${hour}` }, ConsistentRead: true }));
    expect(Item?.lookupCodes).toBeUndefined();
  });
});
