/**
 * `npm run smoke -- --stage <name>` (after a deploy) or `npm run smoke -- --local <baseUrl>` (against
 * `npm start`). Resolves the base URL and a token, runs the checks (./checks.ts), prints each step with
 * its status and timing, and returns the exit code: 0 when every step passed, 1 when one failed (named),
 * 2 on bad arguments or when the API or token could not be resolved.
 *
 * Options: --stage <name> | --local <baseUrl>; --region <region> (default: the stage's region in
 * cdk.json, else the SDK's); --timeout <seconds> for the generation (default 120).
 * Environment: SMOKE_TOKEN (use this token as is), SMOKE_USERNAME / SMOKE_PASSWORD (the test user,
 * else the secret banana-flow-credits/<stage>/smoke-user).
 */
import { parseArgs } from 'node:util';
import type { SmokeReport } from './checks';
import { runSmokeChecks } from './checks';

export interface Target {
  readonly baseUrl: string;
  readonly token: string;
  /** Where the token came from, for the log (never the token). */
  readonly tokenSource: string;
}

export interface CliDeps {
  readonly out: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly fetch?: typeof fetch;
  /** AWS mode: the stage's API and a token (./aws.ts); injected so tests need no AWS. */
  readonly resolveStage?: (stage: string, region: string | undefined, env: NodeJS.ProcessEnv) => Promise<Target>;
  /** The stage's region from cdk.json. */
  readonly stageRegion?: (stage: string) => string | undefined;
  readonly pollIntervalMs?: number;
}

export const USAGE = 'usage: npm run smoke -- --stage <name> [--region <region>] [--timeout <seconds>]\n       npm run smoke -- --local <baseUrl> [--timeout <seconds>]';

/** The local stack mints a dev token for the smoke user at /_local/token. */
export async function localTarget(baseUrl: string, env: NodeJS.ProcessEnv, doFetch: typeof fetch = fetch): Promise<Target> {
  const base = baseUrl.replace(/\/+$/, '');
  if (env.SMOKE_TOKEN) return { baseUrl: base, token: env.SMOKE_TOKEN, tokenSource: 'SMOKE_TOKEN' };
  const response = await doFetch(`${base}/_local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: 'smoke-user' }) });
  const body = (await response.json().catch(() => undefined)) as { token?: unknown } | undefined;
  if (response.status !== 200 || typeof body?.token !== 'string') throw new Error(`POST ${base}/_local/token answered ${response.status}: is this the local stack (npm start)?`);
  return { baseUrl: base, token: body.token, tokenSource: 'local dev token for sub smoke-user (/_local/token)' };
}

export async function awsTarget(stage: string, region: string | undefined, env: NodeJS.ProcessEnv): Promise<Target> {
  const aws = await import('./aws');
  const outputs = await aws.readStageOutputs(stage, region);
  const baseUrl = outputs.apiUrl.replace(/\/+$/, '');
  if (env.SMOKE_TOKEN) return { baseUrl, token: env.SMOKE_TOKEN, tokenSource: 'SMOKE_TOKEN' };
  const user = await aws.readTestUser(stage, region, env);
  const token = await aws.testUserToken(outputs, user, region);
  const from = env.SMOKE_USERNAME && env.SMOKE_PASSWORD ? 'SMOKE_USERNAME/SMOKE_PASSWORD' : `secret ${aws.smokeUserSecretName(stage)}`;
  return { baseUrl, token, tokenSource: `Cognito AdminInitiateAuth for the test user (${from})` };
}

export async function runSmokeCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const { out } = deps;
  let values: { stage?: string; local?: string; region?: string; timeout?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { stage: { type: 'string' }, local: { type: 'string' }, region: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    out(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (Boolean(values.stage) === Boolean(values.local)) {
    out(`pass exactly one of --stage <name> and --local <baseUrl>\n${USAGE}`);
    return 2;
  }
  const timeoutSeconds = values.timeout === undefined ? 120 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    out(`--timeout must be a positive number of seconds, not ${values.timeout}\n${USAGE}`);
    return 2;
  }

  const started = performance.now();
  let target: Target;
  try {
    if (values.local) {
      target = await localTarget(values.local, deps.env, deps.fetch);
    } else {
      const stage = values.stage as string;
      const region = values.region ?? deps.stageRegion?.(stage);
      target = await (deps.resolveStage ?? awsTarget)(stage, region, deps.env);
    }
  } catch (error) {
    out(`FAIL setup: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  out(`Smoke test of ${target.baseUrl} (${values.local ? 'local stack' : `stage ${values.stage}`}); token: ${target.tokenSource}; set up in ${Math.round(performance.now() - started)} ms`);

  const report: SmokeReport = await runSmokeChecks({
    baseUrl: target.baseUrl,
    token: target.token,
    generationTimeoutMs: timeoutSeconds * 1000,
    ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    log: out,
  });
  const total = Math.round(performance.now() - started);
  out(report.ok ? `Smoke test passed: ${report.steps.length} steps in ${total} ms` : `Smoke test FAILED at ${report.failedSteps.join(', ')} (${total} ms)`);
  return report.ok ? 0 : 1;
}
