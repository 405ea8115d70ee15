/** Admin (the admin group only; the API checks it): issue a batch of coupon codes for a campaign. */
import { useId, useState } from 'react';
import { messageOf, unwrap, type Schemas } from '../api/client';
import { useApp } from '../app-context';
import { ErrorText, StatusText } from '../components/notice';
import { formatCredits } from '../format';

export function AdminPage() {
  const { api } = useApp();
  const [form, setForm] = useState({ campaign: 'WELCOME', credits: '100', count: '1' });
  const [issued, setIssued] = useState<Schemas['CouponsCreated'] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { campaign: useId(), credits: useId(), count: useId(), list: useId() };
  const issue = async () => {
    setBusy(true);
    setError(null);
    try {
      setIssued(await unwrap(api.POST('/v1/admin/coupons', { body: { campaign: form.campaign, credits: Number(form.credits), count: Number(form.count) } })));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1>Admin: coupons</h1>
      <section className="card" aria-label="Issue coupon codes">
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            void issue();
          }}
        >
          <div className="fields">
            <div>
              <label htmlFor={ids.campaign}>Campaign</label>
              <input id={ids.campaign} value={form.campaign} onChange={(e) => setForm({ ...form, campaign: e.target.value })} />
            </div>
            <div>
              <label htmlFor={ids.credits}>Credits per code</label>
              <input id={ids.credits} type="number" min={1} step={1} value={form.credits} onChange={(e) => setForm({ ...form, credits: e.target.value })} />
            </div>
            <div>
              <label htmlFor={ids.count}>Number of codes</label>
              <input id={ids.count} type="number" min={1} step={1} value={form.count} onChange={(e) => setForm({ ...form, count: e.target.value })} />
            </div>
          </div>
          <button type="submit" disabled={busy}>
            Issue codes
          </button>
          <ErrorText message={error} />
          <StatusText message={issued ? `Issued ${issued.codes.length} code(s) of ${formatCredits(issued.credits)} for ${issued.campaign}.` : null} />
        </form>
        {issued ? (
          <>
            <h2 id={ids.list}>Issued codes</h2>
            <ul aria-labelledby={ids.list} className="codes">
              {issued.codes.map((code) => (
                <li key={code}>
                  <code>{code}</code>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
    </>
  );
}
