/** (6) Each Lambda's bundle size and cold import time, measured by scripts/measure-bundles.mjs (esbuild as in the CDK app). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export async function measureBundles(): Promise<unknown> {
  const script = join(__dirname, '..', 'scripts', 'measure-bundles.mjs');
  try {
    const root = join(__dirname, '..');
    const args = ['--import', 'tsx', '--import', './lib/tooling/resolve-esm-only.mjs', script, '--json'];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 });
    return JSON.parse(stdout);
  } catch (error) {
    return { error: `could not measure bundles: ${(error as Error).message}` };
  }
}
