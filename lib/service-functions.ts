/**
 * Builds a ServiceFunction from a FunctionSpec: the environment the code reads
 * (lambdas/shared/config.ts), the Stripe secret's ARN for Stripe functions, the providers' secret and
 * model names for the functions that call the providers, the outputs bucket's name for those that
 * read or write outputs, and the grants its access allows.
 */
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ServiceFunction } from './constructs/service-function';
import type { FunctionSpec } from './function-catalog';
import type { ServiceResources } from './grants';
import { grantFunctionAccess } from './grants';

/** Powertools' service name (a dimension of its metrics) and metrics namespace: the code's own. */
export { METRICS_NAMESPACE, SERVICE_NAME } from '../lambdas/shared/service-identity';

export interface FunctionDefaults {
  readonly resources: ServiceResources;
  /** Variables every function gets (table, queue, job timings, Powertools). */
  readonly environment: Readonly<Record<string, string>>;
  /** The stage's provider model names by catalog model id (PROVIDER_MODEL_NAMES, for the functions that call the providers). @default {} */
  readonly providerModelNames?: Readonly<Record<string, string>>;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

export interface FunctionOptions {
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default - none */
  readonly reservedConcurrentExecutions?: number;
  /** @default - Lambda's defaults */
  readonly asyncInvoke?: { readonly retryAttempts: number; readonly maxEventAge: Duration; readonly onFailure: lambda.IDestination };
}

/** `create-generation` → `CreateGeneration`. */
export function constructIdOf(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());
}

export function createServiceFunction(scope: Construct, spec: FunctionSpec, defaults: FunctionDefaults, options: FunctionOptions = {}): ServiceFunction {
  const fn = new ServiceFunction(scope, constructIdOf(spec.name), {
    entry: spec.entry,
    exportName: spec.exportName,
    description: `Banana Flow Credits: ${spec.name}`,
    environment: {
      ...defaults.environment,
      ...(spec.access.stripe ? { STRIPE_SECRET_ARN: defaults.resources.stripeSecret.secretArn } : {}),
      ...(spec.access.modelProviders ? { PROVIDER_SECRET_ARN: defaults.resources.providerSecret.secretArn, PROVIDER_MODEL_NAMES: JSON.stringify(defaults.providerModelNames ?? {}) } : {}),
      ...(spec.access.outputs ? { OUTPUTS_BUCKET: defaults.resources.outputsBucket.bucketName } : {}),
    },
    logRetention: defaults.logRetention,
    logRemovalPolicy: defaults.logRemovalPolicy,
    ...options,
  });
  grantFunctionAccess(fn.function, spec.access, defaults.resources);
  return fn;
}
