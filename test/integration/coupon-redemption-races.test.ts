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
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
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

const gate = new RedemptionGate();
let t: TestService;
beforeAll(async () => {
  t = await startTestService({ pollers: false, db: (db) => gate.wrap(db) });
});
afterEach(() => gate.reset());
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

async function failedLookupsThisHour(accountId: string): Promise<number> {
  const hour = t.clock.now().toISOString().slice(0, 13);
  const { Item } = await t.table.db.send(new GetCommand({ TableName: t.table.tableName, Key: { pk: `ACCOUNT#${accountId}`, sk: `RATE#coupon#${hour}` }, ConsistentRead: true }));
  return typeof Item?.attempts === 'number' ? Item.attempts : 0;
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
