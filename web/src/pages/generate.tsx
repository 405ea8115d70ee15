/**
 * The generation node: pick a model and a count; the cost and the buckets that would pay it are shown
 * before Generate (POST /v1/quotes); after it, each job's status is followed until it succeeds or
 * fails, and a failed one shows its refund once the credits are back.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { messageOf, newIdempotencyKey, unwrap, type Schemas } from '../api/client';
import { pollUntil, useApp } from '../app-context';
import { ErrorText } from '../components/notice';
import { BUCKET_NAMES, formatCredits, formatDayTime, formatNumber } from '../format';
import { SIMULATIONS } from '../local-controls';

const MAX_COUNT = 16;
const FOLLOW_TIMEOUT_MS = 15 * 60_000;

export function GeneratePage() {
  const { api, config, refreshBalance, balance } = useApp();
  const [models, setModels] = useState<Schemas['ModelPrice'][]>([]);
  const [model, setModel] = useState('');
  const [count, setCount] = useState('1');
  const [simulate, setSimulate] = useState<'' | 'fail' | 'timeout'>('');
  const [quote, setQuote] = useState<Schemas['Quote'] | null>(null);
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [jobs, setJobs] = useState<Schemas['Generation'][]>([]);
  const [submitting, setSubmitting] = useState(false);
  const ids = { model: useId(), count: useId(), simulate: useId(), heading: useId(), cost: useId() };
  const following = useRef(new Set<string>());

  useEffect(() => {
    void (async () => {
      try {
        const [pricing, recent] = await Promise.all([unwrap(api.GET('/v1/pricing')), unwrap(api.GET('/v1/generations', { params: { query: { limit: '10' } } }))]);
        setModels(pricing.models);
        setModel((current) => current || pricing.models[0]?.id || '');
        setJobs(recent.generations);
        recent.generations.filter((g) => !isSettled(g)).forEach((g) => void follow(g.id));
      } catch (error) {
        setQuoteError(messageOf(error));
      }
    })();
  }, [api]);

  const countNumber = Number(count);
  const countValid = Number.isInteger(countNumber) && countNumber >= 1 && countNumber <= MAX_COUNT;

  // The quote follows the choice and the balance (which buckets pay changes as credits move).
  useEffect(() => {
    if (!model || !countValid) {
      setQuote(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      unwrap(api.POST('/v1/quotes', { body: { model, count: countNumber } }))
        .then((q) => current && (setQuote(q), setQuoteError(null)))
        .catch((error: unknown) => current && (setQuote(null), setQuoteError(messageOf(error))));
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, model, countNumber, countValid, balance]);

  const follow = async (id: string) => {
    if (following.current.has(id)) return;
    following.current.add(id);
    await pollUntil(
      async () => {
        const job = await unwrap(api.GET('/v1/generations/{id}', { params: { path: { id } } })).catch(() => null);
        if (!job) return false;
        setJobs((all) => all.map((j) => (j.id === id ? job : j)));
        return isSettled(job);
      },
      { intervalMs: 800, timeoutMs: FOLLOW_TIMEOUT_MS },
    );
    following.current.delete(id);
    await refreshBalance();
  };

  const generate = async () => {
    if (!quote || submitting) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      const params = config.auth.mode === 'local' && simulate ? { simulate } : {};
      const accepted = await unwrap(api.POST('/v1/generations', { params: { header: { 'Idempotency-Key': newIdempotencyKey() } }, body: { model, count: countNumber, params } }));
      const now = new Date().toISOString();
      setJobs((all) => [{ ...accepted, createdAt: now, updatedAt: now }, ...all]);
      void refreshBalance();
      void follow(accepted.id);
    } catch (error) {
      setSubmitError(messageOf(error));
    } finally {
      setSubmitting(false);
    }
  };

  const modelName = (id: string) => models.find((m) => m.id === id)?.name ?? id;

  return (
    <>
      <h1>Generate</h1>
      <section className="card node" aria-labelledby={ids.heading}>
        <h2 id={ids.heading}>Generation node</h2>
        <div className="fields">
          <div>
            <label htmlFor={ids.model}>Model</label>
            <select id={ids.model} value={model} onChange={(e) => setModel(e.target.value)}>
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={ids.count}>Count</label>
            <input id={ids.count} type="number" min={1} max={MAX_COUNT} step={1} value={count} onChange={(e) => setCount(e.target.value)} aria-invalid={!countValid} />
          </div>
          {config.auth.mode === 'local' ? (
            <div>
              <label htmlFor={ids.simulate}>Simulate</label>
              <select id={ids.simulate} value={simulate} onChange={(e) => setSimulate(e.target.value as typeof simulate)}>
                {SIMULATIONS.map((s) => (
                  <option key={s.value} value={s.value}>
                    {s.label}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
        </div>
        <div id={ids.cost} className="cost" aria-live="polite">
          {!countValid ? <p className="error">Count is a whole number from 1 to {MAX_COUNT}.</p> : null}
          {quote ? (
            <>
              <p className="cost-line">Cost: {formatCredits(quote.credits)}</p>
              <p className="muted">{quote.affordable ? `Paid from: ${quote.charges.map((c) => `${BUCKET_NAMES[c.bucketType]} ${formatNumber(c.amount)}`).join(', ')}` : overCap(quote) ? 'Over your monthly cap' : 'Not enough credits'}</p>
              {quote.memberCap ? (
                <p className="muted">
                  Your monthly cap: {formatCredits(quote.memberCap.spentCredits)} of {formatCredits(quote.memberCap.capCredits)} spent
                </p>
              ) : null}
            </>
          ) : (
            <p className="cost-line muted">Cost: …</p>
          )}
        </div>
        <ErrorText message={quoteError ?? submitError} />
        <button type="button" disabled={!quote || !quote.affordable || submitting} onClick={() => void generate()} aria-describedby={ids.cost}>
          Generate
        </button>
      </section>
      <section className="card" aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent generations</h2>
        {jobs.length === 0 ? <p className="muted">Nothing generated yet.</p> : null}
        <ul aria-labelledby="recent-heading" className="jobs">
          {jobs.map((job) => (
            <li key={job.id} className={`job job-${job.status}`}>
              <span>
                {modelName(job.model)} × {job.count}
              </span>
              <span className="badge">{job.status}</span>
              <span className="muted small">
                {formatCredits(job.credits)} · {formatDayTime(job.createdAt)}
              </span>
              {job.status === 'failed' ? <span className="small">{job.error?.message ?? 'The model failed.'}</span> : null}
              {job.refund ? <span className="refund">Refunded {formatCredits(job.refund.credits)}</span> : null}
              {job.status === 'succeeded' && job.outputs ? <span className="muted small">{job.outputs.length} output(s) ready</span> : null}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

/** Done following: succeeded, or failed with its refund recorded (or failed with nothing to refund). */
function isSettled(job: Schemas['Generation']): boolean {
  return job.status === 'succeeded' || (job.status === 'failed' && job.refund !== undefined);
}

/** The member's cap, not the balance, is what stops this generation. */
const overCap = (quote: Schemas['Quote']) => quote.memberCap !== null && quote.memberCap.spentCredits + quote.credits > quote.memberCap.capCredits;
