// Makes sure the DynamoDB Local engine (DynamoDBLocal.jar + DynamoDBLocal_lib/) sits in
// .cache/dynamodb-local/, fetching it once from the npm registry.
//
// The jar ships inside the npm package amplify-dynamodb-simulator (emulator/); installing that package
// would pull ~350 MB of unrelated dependencies, so we `npm pack` only its tarball (56 MB, integrity
// checked by npm) and extract package/emulator/*. Extraction goes to a temporary directory next to the
// cache that is renamed into place in one step, so an aborted or concurrent run never leaves half a jar.
//
//   node scripts/fetch-dynamodb-local.mjs        prints the directory that holds DynamoDBLocal.jar
//   import { ensureDynamoDbLocalJar } from ...   resolves to the same directory
//
// No top-level await: CommonJS callers (jest's globalSetup) load this file with require().
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheRoot = path.join(projectRoot, '.cache');
export const DYNAMODB_LOCAL_DIR = path.join(cacheRoot, 'dynamodb-local');

const FETCH_TIMEOUT_MS = 5 * 60_000;
const TEMP_PREFIX = '.dynamodb-local-';
/** Work folders older than this belong to runs that were killed, not to a concurrent fetch. */
const STALE_TEMP_MS = 60 * 60_000;
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** The cache counts as complete only if the jar and the native-library folder are both there. */
function isComplete(dir) {
  return existsSync(path.join(dir, 'DynamoDBLocal.jar')) && existsSync(path.join(dir, 'DynamoDBLocal_lib'));
}

/** Resolves to the directory holding DynamoDBLocal.jar, fetching it first if needed (no-op when cached). */
export async function ensureDynamoDbLocalJar() {
  if (isComplete(DYNAMODB_LOCAL_DIR)) return DYNAMODB_LOCAL_DIR;

  await mkdir(cacheRoot, { recursive: true });
  await removeStaleWorkDirs();
  // Same filesystem as the destination, so the final rename is atomic.
  const workDir = await mkdtemp(path.join(cacheRoot, TEMP_PREFIX));
  try {
    // 1. Download the package tarball only (no install, no scripts, no dependencies).
    await run('npm', ['pack', DYNAMODB_LOCAL_PACKAGE, '--pack-destination', workDir, '--loglevel=error'], {
      cwd: workDir,
      timeout: FETCH_TIMEOUT_MS,
      maxBuffer: MAX_OUTPUT_BYTES,
    });
    const tarball = (await readdir(workDir)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${DYNAMODB_LOCAL_PACKAGE} produced no tarball in ${workDir}`);

    // 2. Extract package/emulator/* only, into a folder that is not yet the cache.
    const staged = path.join(workDir, 'dynamodb-local');
    await mkdir(staged);
    await run('tar', ['-xzf', path.join(workDir, tarball), '-C', staged, '--strip-components=2', 'package/emulator'], {
      timeout: FETCH_TIMEOUT_MS,
      maxBuffer: MAX_OUTPUT_BYTES,
    });
    if (!isComplete(staged)) {
      throw new Error(`${DYNAMODB_LOCAL_PACKAGE} no longer carries emulator/DynamoDBLocal.jar and emulator/DynamoDBLocal_lib/`);
    }

    // 3. Move it into place in one step. A concurrent run may have won the race: keep its copy.
    try {
      await rename(staged, DYNAMODB_LOCAL_DIR);
    } catch (error) {
      if (!isComplete(DYNAMODB_LOCAL_DIR)) throw error;
    }
    return DYNAMODB_LOCAL_DIR;
  } catch (error) {
    throw new Error(`Could not fetch DynamoDB Local (${DYNAMODB_LOCAL_PACKAGE}): ${error.stderr || error.message}`, {
      cause: error,
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function removeStaleWorkDirs() {
  for (const name of await readdir(cacheRoot)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = path.join(cacheRoot, name);
    const { mtimeMs } = await stat(dir).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > STALE_TEMP_MS) await rm(dir, { recursive: true, force: true });
  }
}

function isRunAsScript() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isRunAsScript()) {
  ensureDynamoDbLocalJar().then(
    (dir) => console.log(dir),
    (error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
