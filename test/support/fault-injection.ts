/**
 * A DynamoDB client that fails some calls the way real DynamoDB does. DynamoDB Local never raises
 * TransactionConflict or throttles, so without this the retry paths would never run in a test.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type Fault = 'transaction_conflict' | 'throttling' | 'lost_response';

export interface FaultPlan {
  /** Decides, per TransactWriteItems call, whether it fails and how. Called once per call. */
  next(call: number): Fault | null;
}

/** Fails the first `n` transactions with `fault`, then lets everything through. */
export const failFirst = (n: number, fault: Fault): FaultPlan => ({ next: (call) => (call <= n ? fault : null) });

/** A seeded plan: each transaction fails with probability `rate`, reproducibly for a seed. */
export function randomFaults(seed: number, rate: number, faults: readonly Fault[]): FaultPlan {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return { next: () => (random() < rate ? faults[Math.floor(random() * faults.length)]! : null) };
}

export interface FaultyClient {
  readonly client: DynamoDBDocumentClient;
  readonly injected: Record<Fault, number>;
  /** Every command sent, by name (e.g. `TransactWriteCommand`), faulted or not. */
  readonly calls: Record<string, number>;
}

export function withFaults(db: DynamoDBDocumentClient, plan: FaultPlan): FaultyClient {
  const injected: Record<Fault, number> = { transaction_conflict: 0, throttling: 0, lost_response: 0 };
  const calls: Record<string, number> = {};
  let transactions = 0;
  const send = async (command: { constructor: { name: string }; input: { TransactItems?: unknown[] } }, ...rest: unknown[]) => {
    calls[command.constructor.name] = (calls[command.constructor.name] ?? 0) + 1;
    if (command.constructor.name !== 'TransactWriteCommand') return (db.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
    transactions += 1;
    const fault = plan.next(transactions);
    if (fault === null) return (db.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
    injected[fault] += 1;
    if (fault === 'transaction_conflict') {
      const reasons = (command.input.TransactItems ?? []).map((_, i) => ({ Code: i === 0 ? 'TransactionConflict' : 'None' }));
      throw Object.assign(new Error('Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]'), { name: 'TransactionCanceledException', CancellationReasons: reasons });
    }
    if (fault === 'throttling') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    // The write commits, but the caller never hears back (a timeout after the commit).
    await (db.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
    throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
  };
  const client = new Proxy(db, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
  return { client, injected, calls };
}
