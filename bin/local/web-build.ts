/**
 * `npm start` builds the web app (web/) before serving it, so a fresh clone needs no extra command.
 * Vite runs in its own Node process: under this process's tsx loader its native bundler fails to load.
 * A build takes about a second, and is skipped when web/dist is newer than every source file (so
 * stacks started side by side, as the browser tests do, never empty a dist another one serves). A
 * failed build is reported and the API still starts (the site then answers 503 saying how to build it).
 * Always a production build: under jest (NODE_ENV=test) Vite would bundle React's development build.
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
export const WEB_DIST_DIR = join(ROOT, 'web', 'dist');

/** Builds web/ into web/dist; resolves with a short description for the start-up banner. */
export async function buildWebApp(): Promise<string> {
  const started = performance.now();
  if (isUpToDate()) return 'up to date';
  try {
    const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    await promisify(execFile)(process.execPath, [vite, 'build', '--config', join(ROOT, 'web', 'vite.config.mts'), '--logLevel', 'error'], { cwd: ROOT, timeout: 120_000, env: { ...process.env, NODE_ENV: 'production' } });
    return `built in ${Math.round(performance.now() - started)} ms`;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    console.error(`[local] building the web app failed; the API still runs:\n${stderr || String(error)}`);
    return 'NOT built (see the error above)';
  }
}

/** The newest modification time under `path` (a file or a directory tree), in ms. */
function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtimeMs(join(path, name))), stat.mtimeMs);
}

function isUpToDate(): boolean {
  try {
    const built = statSync(join(WEB_DIST_DIR, 'index.html')).mtimeMs;
    const sources = ['src', 'index.html', 'vite.config.mts'].map((p) => newestMtimeMs(join(ROOT, 'web', p)));
    return built > Math.max(...sources, newestMtimeMs(join(ROOT, 'package-lock.json')));
  } catch {
    return false;
  }
}
