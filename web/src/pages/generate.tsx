/**
 * The generation node: a prompt, a model with its options, and a count; the cost and the buckets that
 * would pay it are shown before Generate (POST /v1/quotes). Below it, the recent generations: each is
 * followed until it succeeds (its images and videos shown), fails (refunded) or is cancelled.
 */
import { useEffect, useId, useState } from 'react';
import { messageOf, newIdempotencyKey, unwrap, type Schemas } from '../api/client';
import { useApp } from '../app-context';
import { ErrorText } from '../components/notice';
import { BUCKET_NAMES, formatCredits, formatNumber, MODEL_STATUS_WORDS } from '../format';
import { JobItem } from '../generate/job-item';
import { ModelOptionFields } from '../generate/model-options';
import { DEFAULT_CHOICES, fitChoices, paramsOf, promptReady, seedProblem, type OptionChoices, type Simulation } from '../generate/params';
import { PromptField } from '../generate/prompt-field';
import { useGenerations, type Generation } from '../generate/use-generations';
import { SIMULATIONS } from '../local-controls';

const MAX_COUNT = 16;

export function GeneratePage() {
  const { api, config, refreshBalance, balance } = useApp();
  const [models, setModels] = useState<Schemas['ModelPrice'][]>([]);
  const [model, setModel] = useState('');
  const [prompt, setPrompt] = useState('');
  const [choices, setChoices] = useState<OptionChoices>(DEFAULT_CHOICES);
  const [count, setCount] = useState('1');
  const [simulate, setSimulate] = useState<Simulation>('');
  const [quote, setQuote] = useState<Schemas['Quote'] | null>(null);
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const generations = useGenerations(api, refreshBalance);
  const ids = { model: useId(), count: useId(), simulate: useId(), heading: useId(), cost: useId() };
  const local = config.auth.mode === 'local';

  useEffect(() => {
    unwrap(api.GET('/v1/pricing'))
      .then((pricing) => {
        setModels(pricing.models);
        setModel((current) => current || pricing.models[0]?.id || '');
      })
      .catch((error: unknown) => setQuoteError(messageOf(error)));
  }, [api]);

  const options = models.find((m) => m.id === model)?.options;
  const countNumber = Number(count);
  const countValid = Number.isInteger(countNumber) && countNumber >= 1 && countNumber <= MAX_COUNT;
  const ready = promptReady(prompt) && seedProblem(choices.seed) === null;

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

  const changeModel = (id: string) => {
    setModel(id);
    setChoices((now) => fitChoices(now, models.find((m) => m.id === id)?.options));
  };

  const generate = async () => {
    if (!quote || !ready || submitting) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      const params = paramsOf(prompt, choices, options, local ? simulate : '');
      const accepted = await unwrap(api.POST('/v1/generations', { params: { header: { 'Idempotency-Key': newIdempotencyKey() } }, body: { model, count: countNumber, params } }));
      generations.add(accepted, params.prompt);
      void refreshBalance();
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
        <PromptField value={prompt} onChange={setPrompt} />
        <div className="fields">
          <div className="model-field">
            <label htmlFor={ids.model}>Model</label>
            <select id={ids.model} value={model} onChange={(e) => changeModel(e.target.value)}>
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          </div>
          {options ? <ModelOptionFields options={options} choices={choices} onChange={setChoices} /> : null}
          <div>
            <label htmlFor={ids.count}>Count</label>
            <input id={ids.count} type="number" min={1} max={MAX_COUNT} step={1} value={count} onChange={(e) => setCount(e.target.value)} aria-invalid={!countValid} />
          </div>
          {local ? (
            <div>
              <label htmlFor={ids.simulate}>Simulate</label>
              <select id={ids.simulate} value={simulate} onChange={(e) => setSimulate(e.target.value as Simulation)}>
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
        <button type="button" disabled={!quote || !quote.affordable || !ready || submitting} onClick={() => void generate()} aria-describedby={ids.cost}>
          Generate
        </button>
      </section>
      <section className="card" aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent generations</h2>
        <ErrorText message={generations.loadError} />
        {generations.jobs.length === 0 ? <p className="muted">Nothing generated yet.</p> : null}
        <p role="status" className="visually-hidden">
          {generations.lastChange ? announce(generations.lastChange, modelName(generations.lastChange.model)) : ''}
        </p>
        <ul aria-labelledby="recent-heading" className="jobs">
          {generations.jobs.map((job) => (
            <JobItem key={job.id} job={job} modelName={modelName(job.model)} onCancel={generations.cancel} onRefresh={generations.refresh} />
          ))}
        </ul>
      </section>
    </>
  );
}

/** What the live region says when a followed job changes. */
function announce(job: Generation, modelName: string): string {
  const refund = job.refund ? `, refunded ${formatCredits(job.refund.credits)}` : '';
  return `${modelName} × ${job.count}: ${MODEL_STATUS_WORDS[job.status]}${refund}.`;
}

/** The member's cap, not the balance, is what stops this generation. */
const overCap = (quote: Schemas['Quote']) => quote.memberCap !== null && quote.memberCap.spentCredits + quote.credits > quote.memberCap.capCredits;
