import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { Account } from '../../../lambdas/domain/account';
import { openAccount } from '../../../lambdas/domain/account';
import type { AutoRefillPolicy, AutoRefillState } from '../../../lambdas/domain/auto-refill';
import { AUTO_REFILL_OFF, autoRefillTopupId, decideAutoRefill, finishAutoRefill, needsAutoRefill } from '../../../lambdas/domain/auto-refill';
import type { Bucket } from '../../../lambdas/domain/wallet';
import { TOPUP_BUCKET_ID } from '../../../lambdas/domain/wallet';
import { DAY_MS, HOUR_MS, NOW, NOW_MS, iso } from './arbitraries';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const POLICY: AutoRefillPolicy = { cooldownSeconds: 600, leaseSeconds: 900 };
const policyArb: fc.Arbitrary<AutoRefillPolicy> = fc.record({ cooldownSeconds: fc.integer({ min: 0, max: 3600 }), leaseSeconds: fc.integer({ min: 1, max: 3600 }) });

const topup = (balance: number): Bucket => ({ id: TOPUP_BUCKET_ID, type: 'topup', balance, expiresAt: null, createdAt: iso(NOW_MS - DAY_MS) });

/** An account holding only `credits` top-up credits, with auto-refill switched on (threshold 100, refill 500, cap 2000). */
function account(credits: number, refill: Partial<AutoRefillState> = {}): Account {
  return {
    ...openAccount('acc_1', new Date(NOW_MS - DAY_MS)).account,
    version: 3,
    buckets: [topup(credits)],
    autoRefill: { ...AUTO_REFILL_OFF, enabled: true, thresholdCredits: 100, refillCredits: 500, monthlyCapCredits: 2000, month: '2026-03', ...refill },
  };
}

const started = (d: ReturnType<typeof decideAutoRefill>) => {
  if (d.kind !== 'start') throw new Error(`expected a start, got skip ${d.reason}`);
  return d;
};

describe('decideAutoRefill: skips', () => {
  test('disabled: nothing starts, whatever the balance, lock or counters', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.boolean(), (credits, locked) => {
        const inFlight = locked ? { topupId: 'top_x', credits: 500, startedAt: iso(NOW_MS - 10 * HOUR_MS), leaseUntil: iso(NOW_MS - HOUR_MS) } : null;

        expect(decideAutoRefill(account(credits, { enabled: false, inFlight }), NOW, POLICY, sha256)).toEqual({ kind: 'skip', reason: 'disabled' });
      }),
    );
  });

  test('above_threshold exactly when available credits are at or above the threshold', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), (credits, thresholdCredits) => {
        // act
        const decision = decideAutoRefill(account(credits, { thresholdCredits }), NOW, POLICY, sha256);

        // assert
        expect(decision.kind === 'skip' && decision.reason === 'above_threshold').toBe(credits >= thresholdCredits);
        expect(decision.kind).toBe(credits >= thresholdCredits ? 'skip' : 'start');
      }),
    );
  });

  test('in_flight while a started refill holds a live lease, whatever the balance', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.integer({ min: 1, max: 10 * HOUR_MS }), (credits, leftMs) => {
        const inFlight = { topupId: 'top_x', credits: 500, startedAt: iso(NOW_MS - 1), leaseUntil: iso(NOW_MS + leftMs) };

        expect(decideAutoRefill(account(credits, { inFlight }), NOW, POLICY, sha256)).toEqual({ kind: 'skip', reason: 'in_flight' });
      }),
    );
  });

  test('cooldown until cooldownSeconds have passed since the last start, then a refill starts', () => {
    fc.assert(
      fc.property(policyArb, fc.oneof(fc.integer({ min: 0, max: 2 * HOUR_MS }), fc.constantFrom(-1, 0, 1)), (policy, sinceSample) => {
        // prepare: small samples stand for the instants around the cooldown's end
        const sinceMs = Math.abs(sinceSample) <= 1 ? policy.cooldownSeconds * 1000 + sinceSample : sinceSample;
        fc.pre(sinceMs >= 0);

        // act
        const decision = decideAutoRefill(account(0, { lastStartedAt: iso(NOW_MS - sinceMs) }), NOW, policy, sha256);

        // assert
        const cooling = sinceMs < policy.cooldownSeconds * 1000;
        expect(decision.kind === 'skip' ? decision.reason : 'start').toBe(cooling ? 'cooldown' : 'start');
      }),
    );
  });

  test('monthly_cap_reached when this refill would take the month above the cap; a new month starts counting from 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.oneof(fc.nat(3000), fc.constantFrom(-1, 0, 1)), fc.nat(3000), fc.boolean(), (refillCredits, capSample, spent, lastMonth) => {
        // prepare: `spent` counted for this month (2026-03), or for last month; small cap samples sit at the cap's edge
        const monthlyCapCredits = Math.abs(capSample) <= 1 ? Math.max((lastMonth ? 0 : spent) + refillCredits + capSample, 0) : capSample;
        const refill = { refillCredits, monthlyCapCredits, monthCredits: spent, month: lastMonth ? '2026-02' : '2026-03' };

        // act
        const decision = decideAutoRefill(account(0, refill), NOW, POLICY, sha256);

        // assert
        const counted = lastMonth ? 0 : spent;
        if (counted + refillCredits > monthlyCapCredits) {
          expect(decision).toEqual({ kind: 'skip', reason: 'monthly_cap_reached' });
        } else {
          expect(started(decision).account.autoRefill).toMatchObject({ month: '2026-03', monthCredits: counted + refillCredits });
        }
      }),
    );
  });

  test('boundaries: a refill that exactly reaches the cap starts; the cooldown ends exactly cooldownSeconds after the last start', () => {
    const atCap = { monthlyCapCredits: 1500, monthCredits: 1000, refillCredits: 500 };
    const justOver = { ...atCap, monthCredits: 1001 };
    const lastStartedAt = iso(NOW_MS - POLICY.cooldownSeconds * 1000);

    expect(started(decideAutoRefill(account(0, atCap), NOW, POLICY, sha256)).account.autoRefill.monthCredits).toBe(1500);
    expect(decideAutoRefill(account(0, justOver), NOW, POLICY, sha256)).toEqual({ kind: 'skip', reason: 'monthly_cap_reached' });
    expect(started(decideAutoRefill(account(0, { lastStartedAt }), NOW, POLICY, sha256)).account.autoRefill.lastStartedAt).toBe(iso(NOW_MS));
    expect(decideAutoRefill(account(0, { lastStartedAt }), new Date(NOW_MS - 1), POLICY, sha256)).toEqual({ kind: 'skip', reason: 'cooldown' });
  });

  test('month rollover at the first instant of the month (UTC)', () => {
    const full = { monthlyCapCredits: 1000, monthCredits: 1000, month: '2026-03', lastStartedAt: iso(Date.parse('2026-03-20T00:00:00.000Z')) };
    const lastMsOfMarch = new Date(Date.parse('2026-04-01T00:00:00.000Z') - 1);
    const firstOfApril = new Date('2026-04-01T00:00:00.000Z');

    expect(decideAutoRefill(account(0, full), lastMsOfMarch, POLICY, sha256)).toEqual({ kind: 'skip', reason: 'monthly_cap_reached' });
    expect(started(decideAutoRefill(account(0, full), firstOfApril, POLICY, sha256)).account.autoRefill).toMatchObject({ month: '2026-04', monthCredits: 500 });
  });
});

describe('decideAutoRefill: start', () => {
  test('takes the lock: in-flight top-up with a lease, last start, month counters and sequence; the version left to the commit', () => {
    fc.assert(
      fc.property(policyArb, fc.nat(99), fc.nat(20), fc.nat(1500), (policy, credits, sequence, monthCredits) => {
        // prepare
        const before = account(credits, { sequence, monthCredits });

        // act
        const decision = started(decideAutoRefill(Object.freeze(before), NOW, policy, sha256));

        // assert
        const topupId = autoRefillTopupId('acc_1', sequence + 1, sha256);
        expect(decision.topupId).toBe(topupId);
        expect(decision.credits).toBe(500);
        expect(decision.account).toEqual({
          ...before,
          version: before.version,
          autoRefill: {
            ...before.autoRefill,
            inFlight: { topupId, credits: 500, startedAt: iso(NOW_MS), leaseUntil: iso(NOW_MS + policy.leaseSeconds * 1000) },
            lastStartedAt: iso(NOW_MS),
            month: '2026-03',
            monthCredits: monthCredits + 500,
            sequence: sequence + 1,
          },
        });
        expect(needsAutoRefill(decision.account, NOW)).toBe(false);
      }),
    );
  });

  test('each sequence number names a different top-up, and the same one always the same', () => {
    const ids = Array.from({ length: 50 }, (_, i) => autoRefillTopupId('acc_1', i, sha256));

    expect(new Set(ids).size).toBe(50);
    expect(ids.every((id) => /^top_[0-9a-f]{32}$/.test(id))).toBe(true);
    expect(autoRefillTopupId('acc_1', 7, sha256)).toBe(ids[7]);
    expect(autoRefillTopupId('acc_2', 7, sha256)).not.toBe(ids[7]);
  });

  test('a lapsed lease restarts the SAME top-up (never a new payment), even above the threshold or the cap, counting nothing again', () => {
    fc.assert(
      fc.property(policyArb, fc.nat(1000), fc.nat(DAY_MS), fc.nat(3000), (policy, credits, lapsedMs, monthCredits) => {
        // prepare
        const inFlight = { topupId: 'top_same', credits: 300, startedAt: iso(NOW_MS - lapsedMs - HOUR_MS), leaseUntil: iso(NOW_MS - lapsedMs) };
        const before = account(credits, { inFlight, sequence: 4, monthCredits, lastStartedAt: inFlight.startedAt });

        // act
        const decision = started(decideAutoRefill(before, NOW, policy, sha256));

        // assert
        expect([decision.topupId, decision.credits]).toEqual(['top_same', 300]);
        expect(decision.account).toEqual({
          ...before,
          version: before.version,
          autoRefill: { ...before.autoRefill, inFlight: { ...inFlight, leaseUntil: iso(NOW_MS + policy.leaseSeconds * 1000) } },
        });
      }),
    );
  });
});

describe('finishAutoRefill', () => {
  const inFlight = { topupId: 'top_a', credits: 500, startedAt: iso(NOW_MS), leaseUntil: iso(NOW_MS + 900_000) };
  const outcomeArb = fc.constantFrom('succeeded' as const, 'declined' as const, 'authentication_required' as const);

  test('releases only the matching top-up; another id (or no lock) changes nothing', () => {
    fc.assert(
      fc.property(outcomeArb, fc.string(), fc.boolean(), (outcome, otherId, locked) => {
        fc.pre(otherId !== 'top_a');
        const before = account(0, { inFlight: locked ? inFlight : null });

        expect(finishAutoRefill(before, otherId, outcome)).toBeNull();
        expect(finishAutoRefill(before, 'top_a', outcome) === null).toBe(!locked);
      }),
    );
  });

  test('success releases the lock and keeps auto-refill on; a decline or required authentication switches it off with the reason', () => {
    const expected = { succeeded: { enabled: true, disabledReason: null }, declined: { enabled: false, disabledReason: 'card_declined' }, authentication_required: { enabled: false, disabledReason: 'authentication_required' } };
    for (const outcome of ['succeeded', 'declined', 'authentication_required'] as const) {
      // prepare
      const before = account(0, { inFlight, sequence: 1, monthCredits: 500, lastStartedAt: iso(NOW_MS) });

      // act
      const after = finishAutoRefill(before, 'top_a', outcome);

      // assert
      expect(after).toEqual({ ...before, version: before.version, autoRefill: { ...before.autoRefill, ...expected[outcome], inFlight: null } });
      expect(decideAutoRefill(after!, new Date(NOW_MS + DAY_MS), POLICY, sha256).kind).toBe(outcome === 'succeeded' ? 'start' : 'skip');
    }
  });
});

describe('auto-refill over random histories', () => {
  type Op =
    | { kind: 'advance'; ms: number }
    | { kind: 'spend'; credits: number }
    | { kind: 'decide' }
    | { kind: 'finish'; outcome: 'succeeded' | 'declined' | 'authentication_required'; stale: boolean }
    | { kind: 'reenable' };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 20 * 60_000 }), fc.integer({ min: 0, max: 12 * DAY_MS })) }),
    fc.record({ kind: fc.constant('spend' as const), credits: fc.integer({ min: 1, max: 800 }) }),
    fc.constant({ kind: 'decide' as const }),
    fc.constant({ kind: 'decide' as const }),
    fc.record({ kind: fc.constant('finish' as const), outcome: fc.constantFrom('succeeded' as const, 'succeeded' as const, 'declined' as const, 'authentication_required' as const), stale: fc.boolean() }),
    fc.constant({ kind: 'reenable' as const }),
  );

  const settingsArb = fc.record({ refillCredits: fc.integer({ min: 1, max: 1000 }), monthlyCapCredits: fc.nat(4000), thresholdCredits: fc.nat(500) });

  test('at most one refill is ever in flight, each start after the first respects the cooldown, and no month is charged above the cap', () => {
    fc.assert(
      fc.property(settingsArb, fc.array(opArb, { maxLength: 60 }), (settings, ops) => {
        // prepare
        let acc = account(0, { ...settings, month: '', monthCredits: 0 });
        let nowMs = NOW_MS;
        const outstanding = new Set<string>();
        const newStarts: { topupId: string; at: number; credits: number }[] = [];
        const released = new Set<string>();

        for (const op of ops) {
          const now = new Date(nowMs);
          // act
          switch (op.kind) {
            case 'advance':
              nowMs += op.ms;
              break;
            case 'spend': {
              const balance = acc.buckets[0]!.balance;
              acc = { ...acc, buckets: [topup(Math.max(balance - op.credits, 0))] };
              break;
            }
            case 'decide': {
              const decision = decideAutoRefill(acc, now, POLICY, sha256);
              if (decision.kind === 'start') {
                expect(decision.account.version).toBe(acc.version);
                if (!outstanding.has(decision.topupId)) {
                  // a new payment only when none is outstanding, and never a released one again
                  expect(outstanding.size).toBe(0);
                  expect(released.has(decision.topupId)).toBe(false);
                  newStarts.push({ topupId: decision.topupId, at: nowMs, credits: decision.credits });
                }
                outstanding.add(decision.topupId);
                acc = decision.account;
              }
              break;
            }
            case 'finish': {
              const id = op.stale || acc.autoRefill.inFlight === null ? `top_stale_${nowMs}` : acc.autoRefill.inFlight.topupId;
              const next = finishAutoRefill(acc, id, op.outcome);
              expect(next === null).toBe(!outstanding.has(id));
              if (next) {
                outstanding.delete(id);
                released.add(id);
                const credits = op.outcome === 'succeeded' ? acc.autoRefill.inFlight!.credits : 0;
                acc = { ...next, buckets: [topup(acc.buckets[0]!.balance + credits)] };
              }
              break;
            }
            case 'reenable':
              acc = { ...acc, autoRefill: { ...acc.autoRefill, enabled: true, disabledReason: null } };
              break;
          }

          // assert
          expect(outstanding.size).toBeLessThanOrEqual(1);
          expect(acc.autoRefill.inFlight === null ? [] : [acc.autoRefill.inFlight.topupId]).toEqual([...outstanding]);
          expect(acc.autoRefill.monthCredits).toBeLessThanOrEqual(settings.monthlyCapCredits);
          expect(acc.autoRefill.sequence).toBe(newStarts.length);
        }

        const byMonth = new Map<string, number>();
        for (const s of newStarts) byMonth.set(iso(s.at).slice(0, 7), (byMonth.get(iso(s.at).slice(0, 7)) ?? 0) + s.credits);
        for (const total of byMonth.values()) expect(total).toBeLessThanOrEqual(settings.monthlyCapCredits);
        for (let i = 1; i < newStarts.length; i++) expect(newStarts[i]!.at - newStarts[i - 1]!.at).toBeGreaterThanOrEqual(POLICY.cooldownSeconds * 1000);
        expect(new Set(newStarts.map((s) => s.topupId)).size).toBe(newStarts.length);
      }),
    );
  });
});
