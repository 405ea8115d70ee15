/** Recent activity: the ledger, newest first, in words, a page at a time ("Load more"). */
import { useCallback, useEffect, useState } from 'react';
import { messageOf, unwrap, type Schemas } from '../api/client';
import { useApp } from '../app-context';
import { ErrorText } from '../components/notice';
import { BUCKET_NAMES, describeLedgerEntry, formatDayTime, formatNumber } from '../format';
import { Section } from './section';

const PAGE_SIZE = 10;

export function LedgerSection({ version }: { version: number }) {
  const { api } = useApp();
  const [entries, setEntries] = useState<Schemas['LedgerEntry'][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      setBusy(true);
      try {
        const page = await unwrap(api.GET('/v1/ledger', { params: { query: { limit: String(PAGE_SIZE), ...(after ? { cursor: after } : {}) } } }));
        setEntries((current) => (after ? [...current, ...page.entries] : page.entries));
        setCursor(page.nextCursor ?? null);
        setError(null);
      } catch (e) {
        setError(messageOf(e));
      } finally {
        setBusy(false);
        setLoaded(true);
      }
    },
    [api],
  );
  useEffect(() => {
    void load(null);
  }, [load, version]);

  return (
    <Section title="Recent activity" wide>
      <ErrorText message={error} />
      {loaded && entries.length === 0 && !error ? <p className="muted">No activity yet.</p> : null}
      {entries.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Ledger entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What happened</th>
                <th scope="col">Bucket</th>
                <th scope="col">Credits</th>
                <th scope="col">Bucket balance after</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatDayTime(entry.at)}</td>
                  <td>{describeLedgerEntry(entry)}</td>
                  <td>{BUCKET_NAMES[entry.bucketType]}</td>
                  <td className="num">{entry.amount > 0 ? `+${formatNumber(entry.amount)}` : formatNumber(entry.amount)}</td>
                  <td className="num">{formatNumber(entry.balanceAfter)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {cursor ? (
        <button type="button" className="secondary" disabled={busy} onClick={() => void load(cursor)}>
          Load more
        </button>
      ) : null}
    </Section>
  );
}
