/**
 * The chosen model's options from GET /v1/pricing: aspect ratio (every model), resolution and clip
 * length (video models), and a seed where the model takes one. "Model default" sends nothing.
 */
import { useId } from 'react';
import type { ModelOptions, OptionChoices } from './params';
import { seedProblem } from './params';

interface Props {
  options: ModelOptions;
  choices: OptionChoices;
  onChange(choices: OptionChoices): void;
}

export function ModelOptionFields({ options, choices, onChange }: Props) {
  const ids = { aspect: useId(), resolution: useId(), duration: useId(), seed: useId(), seedError: useId() };
  const set = (patch: Partial<OptionChoices>) => onChange({ ...choices, ...patch });
  const seedError = seedProblem(choices.seed);
  return (
    <>
      <div>
        <label htmlFor={ids.aspect}>Aspect ratio</label>
        <select id={ids.aspect} value={choices.aspectRatio} onChange={(e) => set({ aspectRatio: e.target.value })}>
          <option value="">Model default</option>
          {options.aspectRatios.map((ratio) => (
            <option key={ratio} value={ratio}>
              {ratio}
            </option>
          ))}
        </select>
      </div>
      {options.resolutions ? (
        <div>
          <label htmlFor={ids.resolution}>Resolution</label>
          <select id={ids.resolution} value={choices.resolution} onChange={(e) => set({ resolution: e.target.value })}>
            <option value="">Model default</option>
            {options.resolutions.map((resolution) => (
              <option key={resolution} value={resolution}>
                {resolution}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {options.durationsSeconds ? (
        <div>
          <label htmlFor={ids.duration}>Duration</label>
          <select id={ids.duration} value={choices.durationSeconds} onChange={(e) => set({ durationSeconds: e.target.value })}>
            <option value="">Model default</option>
            {options.durationsSeconds.map((seconds) => (
              <option key={seconds} value={String(seconds)}>
                {seconds} seconds
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {options.seed ? (
        <div>
          <label htmlFor={ids.seed}>Seed (optional)</label>
          <input
            id={ids.seed}
            type="number"
            min={0}
            step={1}
            inputMode="numeric"
            value={choices.seed}
            onChange={(e) => set({ seed: e.target.value })}
            aria-invalid={seedError !== null}
            aria-describedby={seedError ? ids.seedError : undefined}
          />
          {seedError ? (
            <p id={ids.seedError} className="error small">
              {seedError}
            </p>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
