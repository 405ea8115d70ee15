/**
 * Runs the official DynamoDB Local engine (a Java process) for the local stack and the tests.
 *
 * `startDynamoDbLocal()` resolves once the engine answers ListTables; `stop()` ends it and waits for
 * the process to exit. A child still running when Node exits is killed from a process 'exit' hook, so
 * neither `npm start` nor jest leaves a java process behind (SIGKILL of Node itself is the one case
 * nothing can catch).
 *
 * Startup measured on this 2-core machine (java 17): ~1.5 s to the first ListTables answer by default,
 * ~1.1 s with `fastStart` (C1 only + serial GC). fastStart roughly halves throughput: tests only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface StartDynamoDbLocalOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** JVM flags that start faster and run slower: for tests, never for benchmarks. @default false */
  readonly fastStart?: boolean;
  /** How long to wait for ListTables to answer. @default 30_000 */
  readonly readyTimeoutMs?: number;
}

export interface DynamoDbLocal {
  /** e.g. `http://127.0.0.1:43121` */
  readonly endpoint: string;
  readonly port: number;
  /** Milliseconds from spawn to the first ListTables answer. */
  readonly startupMs: number;
  /** Resolves when the engine process has exited, for whatever reason (after `stop()` too). */
  readonly exited: Promise<EngineExit>;
  /** Stops the engine and waits for the process to exit. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface EngineExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when java could not be spawned at all. */
  readonly error?: Error;
}

interface FetchScript {
  ensureDynamoDbLocalJar(): Promise<string>;
}

const DEFAULT_READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const POLL_INTERVAL_MS = 100;
const OUTPUT_TAIL_CHARS = 4_000;
/** An automatically chosen port can be taken between probing and binding: try a fresh one. */
const PORT_ATTEMPTS = 3;

const running = new Set<ChildProcess>();

function killAllOnExit(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** The fetch script is plain ESM; its path is not a literal so TypeScript does not try to type it. */
async function ensureJar(): Promise<string> {
  const scriptPath = path.resolve(__dirname, '../../scripts/fetch-dynamodb-local.mjs');
  const script = (await import(scriptPath)) as FetchScript;
  return script.ensureDynamoDbLocalJar();
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function appendTail(tail: string, chunk: Buffer): string {
  const next = tail + chunk.toString('utf8');
  return next.length > OUTPUT_TAIL_CHARS ? next.slice(-OUTPUT_TAIL_CHARS) : next;
}

export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const jarDir = await ensureJar();
  const requestedPort = options.port ?? 0;
  for (let attempt = 1; ; attempt++) {
    const port = requestedPort === 0 ? await findFreePort() : requestedPort;
    try {
      return await launch(jarDir, port, options);
    } catch (error) {
      const portTaken = error instanceof EngineExitedError && /Address already in use|BindException/.test(error.output);
      if (requestedPort !== 0 || !portTaken || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

class EngineExitedError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'EngineExitedError';
  }
}

async function launch(jarDir: string, port: number, options: StartDynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const jvmFlags = options.fastStart ? ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'] : [];
  const args = [
    ...jvmFlags,
    `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    'DynamoDBLocal.jar',
    '-inMemory',
    '-sharedDb',
    '-port',
    String(port),
  ];
  const startedAt = performance.now();
  const child = spawn('java', args, { cwd: jarDir, stdio: ['ignore', 'pipe', 'pipe'] });
  if (running.size === 0) process.on('exit', killAllOnExit);
  running.add(child);

  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = appendTail(output, chunk)));
  child.stderr?.on('data', (chunk: Buffer) => (output = appendTail(output, chunk)));

  const exit = new Promise<EngineExit>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  void exit.then(() => {
    running.delete(child);
    if (running.size === 0) process.off('exit', killAllOnExit);
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exit;
      clearTimeout(timer);
    }
    await exit;
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  try {
    await waitUntilReady(endpoint, readyTimeoutMs, exit, () => output);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    endpoint,
    port,
    startupMs: Math.round(performance.now() - startedAt),
    exited: exit,
    stop,
  };
}

async function waitUntilReady(
  endpoint: string,
  timeoutMs: number,
  exit: Promise<EngineExit>,
  output: () => string,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  let exited: EngineExit | undefined;
  void exit.then((result) => (exited = result));
  const deadline = performance.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) {
        const how = exited.error ? `could not start: ${exited.error.message}` : `exited (code ${exited.code}, signal ${exited.signal})`;
        throw new EngineExitedError(`DynamoDB Local ${how} before answering on ${endpoint}. java output:\n${output()}`, output());
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        // not listening yet
      }
      if (performance.now() > deadline) {
        throw new Error(`DynamoDB Local did not answer ListTables on ${endpoint} within ${timeoutMs} ms. java output:\n${output()}`);
      }
      await sleep(POLL_INTERVAL_MS);
    }
  } finally {
    client.destroy();
  }
}
