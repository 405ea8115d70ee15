/**
 * An SQS emulator (fauxqs 2) for the local stack and the tests, plus the client to talk to it.
 *
 * fauxqs runs in this process, on a worker thread, for two reasons found the hard way:
 * - It is ESM-only (its package.json exports only the `import` condition) and this code runs as
 *   CommonJS under two different transforms (@swc/jest, tsx).
 * - Under tsx 4.23 with the `import` condition on (as `npm start` once ran: `node --conditions=import --import tsx`), tsx turns every CommonJS
 *   `require('./x.json')` into an ES module, and fastify (which fauxqs uses) requires ajv's JSON
 *   schemas that way: loading fauxqs on the main thread fails with "Unexpected token 'v' … is not
 *   valid JSON". A worker started with empty `execArgv` has neither tsx's hooks nor the extra
 *   condition, so fauxqs loads as plain Node ESM, the same way in every host.
 * The worker code is a string (no transform touches it) that imports fauxqs by absolute file URL.
 *
 * `startFauxqs()` always listens on 0.0.0.0 (its `host` option only names the host inside queue
 * URLs), so the worker builds the same app with fauxqs's exported `buildApp()` and listens on
 * 127.0.0.1 itself: nothing outside this machine reaches the emulator.
 *
 * Queue URLs look like `http://sqs.us-east-1.localhost:PORT/000000000000/name`, a host name that does
 * not resolve here: always use a client from `makeSqsClient(endpoint)` (with `endpoint` set, the SDK
 * sends every request to the endpoint and only reads the queue from the URL's path).
 *
 * A worker thread dies with the process, so nothing can be left behind. Needs Node >= 22.5 (fauxqs
 * imports `node:sqlite`): run under node_modules/.bin/node.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-clients';

export interface SqsEmulator {
  /** e.g. `http://127.0.0.1:41234` */
  readonly endpoint: string;
  readonly port: number;
  /** Milliseconds from the call to a listening server (worker start and fauxqs import included). */
  readonly startupMs: number;
  /** Resolves when the emulator's thread has ended, for whatever reason (after `stop()` too). */
  readonly exited: Promise<SqsEmulatorExit>;
  /** Closes the server (open connections and pending long polls included) and ends its thread. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface SqsEmulatorExit {
  readonly code: number;
  /** Set when the thread ended with an uncaught error. */
  readonly error?: Error;
}

export interface StartSqsEmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** How long to wait for the emulator to listen. @default 15_000 */
  readonly readyTimeoutMs?: number;
}

const DEFAULT_READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

type FromWorker = { type: 'ready'; port: number } | { type: 'failed'; message: string; stack?: string };

/**
 * Runs inside the worker (plain CommonJS, no transform). It ends by itself once the server is
 * closed: `close()` on the parent port leaves its event loop empty.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  let app;
  try {
    const fauxqs = await import(workerData.entryUrl);
    app = fauxqs.buildApp({ logger: false, defaultRegion: workerData.region });
    await app.listen({ port: workerData.port, host: workerData.host });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', message: String(error && error.message || error), stack: error && error.stack });
    if (app) await app.close().catch(() => {});
    parentPort.close();
    return;
  }
  parentPort.on('message', (message) => {
    if (message !== 'stop') return;
    app.close().catch(() => {}).finally(() => parentPort.close());
  });
  parentPort.postMessage({ type: 'ready', port: app.server.address().port });
})();
`;

/**
 * fauxqs's ES module entry as a file URL, found the way Node would from this file (walking up
 * through node_modules folders) but reading the `import` condition ourselves, since neither jest's
 * resolver nor `require.resolve` uses it.
 */
export function resolveFauxqsEntry(fromDir: string = __dirname): string {
  for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
    const packageDir = path.join(dir, 'node_modules', 'fauxqs');
    const manifestPath = path.join(packageDir, 'package.json');
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
        main?: string;
        exports?: { '.'?: { import?: { default?: string } | string } };
      };
      const condition = manifest.exports?.['.']?.import;
      const entry = (typeof condition === 'string' ? condition : condition?.default) ?? manifest.main ?? 'index.js';
      return pathToFileURL(path.join(packageDir, entry)).href;
    }
    if (path.dirname(dir) === dir) throw new Error(`fauxqs is not installed (no node_modules/fauxqs above ${fromDir})`);
  }
}

export async function startSqsEmulator(options: StartSqsEmulatorOptions = {}): Promise<SqsEmulator> {
  const startedAt = performance.now();
  const host = options.host ?? '127.0.0.1';
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // No tsx hooks, no --conditions: fauxqs loads as plain Node ESM. fauxqs imports node:sqlite,
    // which prints an ExperimentalWarning on Node 22.
    execArgv: ['--disable-warning=ExperimentalWarning'],
    workerData: { entryUrl: resolveFauxqsEntry(), port: options.port ?? 0, host, region: LOCAL_REGION },
  });

  let crash: Error | undefined;
  worker.once('error', (error) => (crash = error));
  const exited = new Promise<SqsEmulatorExit>((resolve) => {
    worker.once('exit', (code) => resolve(crash ? { code, error: crash } : { code }));
  });

  const stop = async (): Promise<void> => {
    worker.postMessage('stop');
    const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fauxqs did not start listening within ${readyTimeoutMs} ms`)), readyTimeoutMs);
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        outcome();
      };
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') settle(() => resolve(message.port));
        else settle(() => reject(new Error(`fauxqs failed to start: ${message.stack ?? message.message}`)));
      };
      worker.on('message', onMessage);
      void exited.then((exit) => settle(() => reject(exit.error ?? new Error(`fauxqs thread exited (code ${exit.code}) before listening`))));
    });
  } catch (error) {
    await stop();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    startupMs: Math.round(performance.now() - startedAt),
    exited,
    stop: () => (stopping ??= stop()),
  };
}

/** An SQS client for the emulator: fixed local credentials and region, `endpoint` set. */
export function makeSqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}
