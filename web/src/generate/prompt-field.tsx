/** The prompt: a labelled, required textarea with its length against the limit shown under it. */
import { useId } from 'react';
import { formatNumber } from '../format';
import { MAX_PROMPT_CHARACTERS } from './params';

export function PromptField({ value, onChange }: { value: string; onChange(value: string): void }) {
  const ids = { field: useId(), hint: useId() };
  const empty = value.trim() === '';
  return (
    <div className="prompt">
      <label htmlFor={ids.field}>Prompt</label>
      <textarea
        id={ids.field}
        value={value}
        rows={3}
        required
        maxLength={MAX_PROMPT_CHARACTERS}
        placeholder="A banana surfing a wave at sunset"
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={ids.hint}
      />
      <p id={ids.hint} className="muted small">
        {empty ? `Describe what to generate (up to ${formatNumber(MAX_PROMPT_CHARACTERS)} characters).` : `${formatNumber(value.length)} of ${formatNumber(MAX_PROMPT_CHARACTERS)} characters`}
      </p>
    </div>
  );
}
