/** Keys are built and taken apart only in keys.ts: each reader gives back what its builder was given. */
import * as keys from '../../../lambdas/adapters/dynamodb/keys';

describe('reading keys back', () => {
  test('an account partition key names its account (ids may hold the separator)', () => {
    for (const id of ['acc_1', 'user#with#hashes', 'a']) expect(keys.accountIdOf(keys.accountPk(id))).toBe(id);
    expect(() => keys.accountIdOf(keys.couponPk('CODE'))).toThrow('not an account partition key');
  });

  test("a job item's key names its account and job", () => {
    const ref = { accountId: 'acc_1', jobId: 'gen_01jc0000000000000000000001' };
    expect(keys.jobRefOf(keys.jobKey(ref.accountId, ref.jobId))).toEqual(ref);
    expect(() => keys.jobRefOf(keys.accountKey('acc_1'))).toThrow('not a job sort key');
  });

  test("a ledger entry's sort key gives back the version it was committed at", () => {
    for (const version of [1, 42, 999_999_999_999]) expect(keys.ledgerVersionOf(keys.ledgerSk(version, 3))).toBe(version);
    expect(() => keys.ledgerVersionOf('LEDGER#12#000')).toThrow('unexpected sort key');
  });
});
