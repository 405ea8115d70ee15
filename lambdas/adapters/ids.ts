import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { Clock, IdSource, RandomBytes } from '../domain/ports';

/** Time-ordered ids (ULID) read from the given clock, so ids sort with the local stack's clock too. */
export function ulidIds(clock: Clock): IdSource {
  const ulid = monotonicFactory();
  return { next: (prefix) => `${prefix}_${ulid(clock.now().getTime()).toLowerCase()}` };
}

export const cryptoRandomBytes: RandomBytes = (length) => new Uint8Array(nodeRandomBytes(length));
