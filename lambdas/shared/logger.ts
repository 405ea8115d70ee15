/**
 * Structured JSON logs (Powertools). Each request runs with a child logger that carries its request
 * id and account id, kept in AsyncLocalStorage so concurrent requests in one process (the local
 * stack, tests) never mix their keys. Nothing here logs headers, tokens or bodies.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from './service-identity';

const rootLogger = new Logger({ serviceName: SERVICE_NAME });
const requestLoggers = new AsyncLocalStorage<Logger>();

export function log(): Logger {
  return requestLoggers.getStore() ?? rootLogger;
}

export function runWithLogKeys<T>(keys: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const child = rootLogger.createChild();
  child.appendPersistentKeys(Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined)) as Record<string, string>);
  return requestLoggers.run(child, fn);
}
