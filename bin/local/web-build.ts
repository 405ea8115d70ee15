/**
 * `npm start` builds the web app (web/) before serving it, so a fresh clone needs no extra command.
 * Vite runs in its own Node process: under this process's tsx loader its native bundler fails to load.
 * A build takes about a second. A failed build is reported and the API still starts (the site then
 * answers 503 saying how to build it).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
export const WEB_DIST_DIR = join(ROOT, 'web', 'dist');

/** Builds web/ into web/dist; resolves with a short description for the start-up banner. */
export async function buildWebApp(): Promise<string> {
  const started = performance.now();
  try {
    const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    await promisify(execFile)(process.execPath, [vite, 'build', '--config', join(ROOT, 'web', 'vite.config.mts'), '--logLevel', 'error'], { cwd: ROOT, timeout: 120_000 });
    return `built in ${Math.round(performance.now() - started)} ms`;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    console.error(`[local] building the web app failed; the API still runs:\n${stderr || String(error)}`);
    return 'NOT built (see the error above)';
  }
}
