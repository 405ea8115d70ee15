#!/usr/bin/env node
/**
 * Bundles every Lambda handler the way the CDK app does (lib/constructs/service-function.ts:
 * esbuild, minified ESM for Node 22, `module` before `main`, the createRequire banner, the AWS SDK
 * bundled, external source maps) into a temporary directory, then measures each bundle:
 * - its size (the .mjs, without the source map) and the part of it that is Stripe and the AWS SDK;
 * - its cold import time: the median of N fresh Node processes that each `import()` the file once,
 *   timed inside the process (Node's own start-up excluded). The processes get no TABLE_NAME or
 *   other configuration: importing a handler must not need any. Measured with
 *   NODE_OPTIONS=--enable-source-maps as deployed, and without it (what the flag costs: Node reads
 *   and parses the source map when the module loads). Wall time is what a cold start pays; the
 *   process's CPU time for the same import is printed too, as it varies less on a busy machine.
 *
 * Usage: npm run bundles [-- --runs 5] [-- --json]
 * (runs under tsx to read the function catalog from lib/; needs Node 22, as `npm run` provides).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

// Raised by ~110 KiB when X-Ray tracing (Powertools Tracer and aws-xray-sdk-core) went into every bundle (issue 11).
const GOALS = { dynamoDbOnlyKb: 520, dynamoDbOnlyMs: 50, stripeKb: 800 };
const NODE_BUILTINS = ['child_process', 'crypto', 'fs', 'fs/promises', 'http', 'https', 'os', 'path', 'process', 'stream', 'util', 'zlib', 'events', 'async_hooks'];

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } } });
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');

const root = path.join(import.meta.dirname, '..');
if (Number(process.versions.node.split('.')[0]) < 22) throw new Error(`Measure under Node 22 (Lambda's runtime), not ${process.version}: run it with npm run bundles`);

// The catalog and the bundling options the CDK app uses: one source of truth.
const catalog = await import(pathToFileURL(path.join(root, 'lib', 'function-catalog.ts')).href);
const { lambdaBundleOptions } = await import(pathToFileURL(path.join(root, 'lib', 'tooling', 'lambda-bundle.ts')).href);
const specs = catalog.allFunctionSpecs();

const outDir = mkdtempSync(path.join(tmpdir(), 'bfc-bundles-'));
const results = [];
let builtinsMs;
try {
  // Reference: only the Node built-ins the bundles import (the SDK's HTTP stack, crypto, zlib...).
  const builtins = path.join(outDir, 'node-builtins.mjs');
  writeFileSync(builtins, `${NODE_BUILTINS.map((m, i) => `import * as b${i} from 'node:${m}';`).join(' ')} export const handler = () => [${NODE_BUILTINS.map((_m, i) => `b${i}`).join(', ')}];`);
  builtinsMs = median(Array.from({ length: runs }, () => measureImport(builtins, 'handler', false).wallMs));

  for (const spec of specs) {
    const outfile = path.join(outDir, `${spec.name}.mjs`);
    const built = await esbuild.build(lambdaBundleOptions(spec.entry, outfile));
    const bytes = statSync(outfile).size;
    const inputs = Object.values(built.metafile.outputs).find((o) => o.entryPoint)?.inputs ?? {};
    const share = (pattern) => Object.entries(inputs).filter(([file]) => pattern.test(file)).reduce((sum, [, i]) => sum + i.bytesInOutput, 0);
    const withMaps = [];
    const withoutMaps = [];
    for (let i = 0; i < runs; i += 1) {
      withMaps.push(measureImport(outfile, spec.exportName, true));
      withoutMaps.push(measureImport(outfile, spec.exportName, false));
    }
    results.push({
      name: spec.name,
      kind: spec.access.stripe ? 'stripe' : 'dynamodb',
      kb: bytes / 1024,
      stripeKb: share(/node_modules\/stripe\//) / 1024,
      awsSdkKb: share(/node_modules\/(@aws-sdk|@smithy|@aws-crypto|@aws)\//) / 1024,
      importMs: median(withMaps.map((m) => m.wallMs)),
      importCpuMs: median(withMaps.map((m) => m.cpuMs)),
      importNoMapsMs: median(withoutMaps.map((m) => m.wallMs)),
      importRunsMs: withMaps.map((m) => m.wallMs),
    });
  }
} finally {
  if (!args.keep) rmSync(outDir, { recursive: true, force: true });
  else console.error(`bundles kept in ${outDir}`);
}

if (args.json) {
  console.log(JSON.stringify({ node: process.version, runs, loadAverage: loadavg(), builtinsMs, results }, null, 2));
} else {
  const load = loadavg().map((l) => l.toFixed(1)).join(' / ');
  console.log(`Node ${process.version}, ${cpus().length} CPUs (load average ${load}), ${runs} fresh processes per bundle and setting, medians; sizes in KiB (1 KiB = 1024 bytes).\n`);
  console.log(`Reference: importing only the Node built-ins these bundles use takes ${builtinsMs.toFixed(0)} ms here (part of every figure below).\n`);
  console.log('| function | talks to Stripe | bundle KiB | of which Stripe | of which AWS SDK | cold import ms (as deployed: source maps on) | its CPU ms | import ms without source maps | goal |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of results) {
    const goal = r.kind === 'stripe' ? `≤ ${GOALS.stripeKb} KiB` : `≤ ${GOALS.dynamoDbOnlyKb} KiB, ≤ ${GOALS.dynamoDbOnlyMs} ms`;
    const met = r.kind === 'stripe' ? r.kb <= GOALS.stripeKb : r.kb <= GOALS.dynamoDbOnlyKb && r.importMs <= GOALS.dynamoDbOnlyMs;
    console.log(`| ${r.name} | ${r.kind === 'stripe' ? 'yes' : 'no'} | ${r.kb.toFixed(0)} | ${r.stripeKb.toFixed(0)} | ${r.awsSdkKb.toFixed(0)} | ${r.importMs.toFixed(0)} | ${r.importCpuMs.toFixed(0)} | ${r.importNoMapsMs.toFixed(0)} | ${goal}: ${met ? 'met' : '**missed**'} |`);
  }
}

/** One fresh process, no service configuration in its environment, times `import()` of the bundle (wall and CPU). */
function measureImport(file, exportName, sourceMaps) {
  const probe = [
    `const cpu = process.cpuUsage(); const t = performance.now();`,
    `const m = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    `const wallMs = performance.now() - t; const used = process.cpuUsage(cpu);`,
    `if (typeof m[${JSON.stringify(exportName)}] !== 'function') throw new Error('no export ${exportName}');`,
    `console.log(JSON.stringify({ wallMs, cpuMs: (used.user + used.system) / 1000 }));`,
  ].join(' ');
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    env: { PATH: process.env.PATH ?? '', ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}) },
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`importing ${file} failed (it must not need configuration):\n${child.stderr}`);
  return JSON.parse(child.stdout.trim());
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
