import { CachedValue } from '../../lambdas/shared/cached-value';

function source(values: Array<string | Error>) {
  let reads = 0;
  return {
    read: async () => {
      const next = values[Math.min(reads, values.length - 1)]!;
      reads += 1;
      if (next instanceof Error) throw next;
      return next;
    },
    reads: () => reads,
  };
}

test('kept for the TTL, read again after it', async () => {
  let now = 0;
  const s = source(['v1', 'v2']);
  const cached = new CachedValue(s.read, 1000, () => now);
  expect(await cached.get()).toBe('v1');
  now = 999;
  expect(await cached.get()).toBe('v1');
  now = 1000;
  expect(await cached.get()).toBe('v2');
  expect(s.reads()).toBe(2);
});

test('refresh reads at once, but not twice within its interval', async () => {
  let now = 0;
  const s = source(['v1', 'v2', 'v3']);
  const cached = new CachedValue(s.read, 60_000, () => now);
  await cached.get();
  expect(await cached.refresh(30_000)).toBeNull();
  now = 30_000;
  expect(await cached.refresh(30_000)).toBe('v2');
  expect(await cached.refresh(30_000)).toBeNull();
  expect(await cached.get()).toBe('v2');
  expect(s.reads()).toBe(2);
});

test('a failed re-read serves the value it has; a failed first read throws; concurrent reads share one', async () => {
  let now = 0;
  const s = source([new Error('down'), 'v1', new Error('down again')]);
  const cached = new CachedValue(s.read, 1000, () => now);
  await expect(cached.get()).rejects.toThrow('down');
  expect(await Promise.all([cached.get(), cached.get(), cached.get()])).toEqual(['v1', 'v1', 'v1']);
  expect(s.reads()).toBe(2);
  now = 5000;
  expect(await cached.get()).toBe('v1');
  expect(cached.peek()).toBe('v1');
});
