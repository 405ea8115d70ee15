/**
 * What "nothing changed" means for the fuzzer: every item of the test table (a full, strongly
 * consistent Scan, compared item by item and not just counted), plus what the API shows the caller's
 * account (GET /v1/balance, /v1/ledger?limit=100, /v1/generations?limit=100).
 *
 * Failed-coupon counters (`RATE#coupon#<hour>` items) are kept apart: counting a failed lookup is the
 * brute-force limit working, an accepted side effect of a 404/410 coupon answer. They are compared
 * separately so the report can say which answers touched them.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TestService } from '../../support/test-service';

export interface StoreSnapshot {
  /** Canonical JSON of every item except RATE# counters, by key. */
  readonly items: ReadonlyMap<string, string>;
  /** Canonical JSON of the RATE# counters, by key. */
  readonly rateItems: ReadonlyMap<string, string>;
}

/** JSON with object keys sorted and Sets as sorted arrays, so equal items always print the same. */
export function canonical(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (v instanceof Set) return [...v].map(norm).sort();
    if (Array.isArray(v)) return v.map(norm);
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, norm((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(norm(value));
}

async function scanTable(t: TestService): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await t.table.db.send(new ScanCommand({ TableName: t.table.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...((page.Items ?? []) as Array<Record<string, unknown>>));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Every item of the table, strongly consistent. */
export async function takeSnapshot(t: TestService): Promise<StoreSnapshot> {
  const items = new Map<string, string>();
  const rateItems = new Map<string, string>();
  for (const item of await scanTable(t)) {
    const key = `${String(item.pk)} | ${String(item.sk)}`;
    (String(item.sk).startsWith('RATE#') ? rateItems : items).set(key, canonical(item));
  }
  return { items, rateItems };
}

/** What the API shows one account (with its owner's token): balance, ledger and generations, canonical JSON. */
export async function takeAccountView(t: TestService, token: string): Promise<string> {
  const [balance, ledger, generations] = await Promise.all([
    t.call('GET', '/v1/balance', { token }),
    t.call('GET', '/v1/ledger?limit=100', { token }),
    t.call('GET', '/v1/generations?limit=100', { token }),
  ]);
  return canonical({ balance: [balance.status, balance.body], ledger: [ledger.status, ledger.body], generations: [generations.status, withoutLinks(generations.body)] });
}

/** Output links are signed afresh on every read (their signature and expiry move with the clock): not state. */
function withoutLinks(page: { generations?: Array<{ outputs?: Array<Record<string, unknown>> }> } | undefined) {
  if (!page?.generations) return page;
  return { ...page, generations: page.generations.map((g) => (g.outputs ? { ...g, outputs: g.outputs.map(({ url: _url, expiresAt: _expiresAt, ...stable }) => stable) } : g)) };
}

export interface SnapshotDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: Array<{ key: string; before: string; after: string }>;
}

function diffMaps(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Pick<SnapshotDiff, 'added' | 'removed' | 'changed'> {
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed = [...after.entries()].filter(([k, v]) => before.has(k) && before.get(k) !== v).map(([key, v]) => ({ key, before: before.get(key)!, after: v }));
  return { added, removed, changed };
}

/** Differences outside the RATE# counters; null when there are none. */
export function diffSnapshots(before: StoreSnapshot, after: StoreSnapshot): SnapshotDiff | null {
  const diff = diffMaps(before.items, after.items);
  return diff.added.length + diff.removed.length + diff.changed.length === 0 ? null : diff;
}

/** Whether any RATE# counter was added or changed. */
export function rateCountersChanged(before: StoreSnapshot, after: StoreSnapshot): boolean {
  const d = diffMaps(before.rateItems, after.rateItems);
  return d.added.length + d.removed.length + d.changed.length > 0;
}

export function describeDiff(diff: SnapshotDiff): string {
  const lines = [
    ...diff.added.map((k) => `  + ${k}`),
    ...diff.removed.map((k) => `  - ${k}`),
    ...diff.changed.map((c) => `  ~ ${c.key}\n      before ${c.before}\n      after  ${c.after}`),
  ];
  return lines.join('\n');
}
