/**
 * One Lambda function of the service with the house defaults: Node 22 on arm64, bundled by the
 * local esbuild (no Docker) as minified ESM with source maps, its own log group with a retention,
 * and its own role that may write only to that log group (no AWS managed policy). Everything else
 * it may do is granted explicitly by the caller.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** ESM bundles have no `require`; some CommonJS dependencies call it. */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * Packages the bundles replace: the SDK's default credential chain by the environment provider
 * (Lambda puts the role's credentials there; see lambdas/shared/env-credentials.ts).
 */
export const LAMBDA_BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': path.join(__dirname, '..', '..', 'lambdas', 'shared', 'env-credentials.ts'),
};

export const SERVICE_RUNTIME = lambda.Runtime.NODEJS_22_X;

export interface ServiceFunctionProps {
  /** Absolute path of the entry file. */
  readonly entry: string;
  /** The exported handler. @default 'handler' */
  readonly exportName?: string;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** Environment variables, on top of NODE_OPTIONS (source maps). @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the log group when the function is removed. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Async invocations only (EventBridge Scheduler): Lambda's retries and failure destination. @default - Lambda's defaults, no destination */
  readonly asyncInvoke?: { readonly retryAttempts: number; readonly maxEventAge: Duration; readonly onFailure: lambda.IDestination };
  /** Concurrent executions kept for this function alone (and its ceiling). @default - none: the account's unreserved pool */
  readonly reservedConcurrentExecutions?: number;
  /** @default - a description naming the entry */
  readonly description?: string;
}

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${id}: writes its own log group; other access granted per use case`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: props.exportName ?? 'handler',
      runtime: SERVICE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      description: props.description ?? `Banana Flow Credits: ${id}`,
      role: this.role,
      logGroup: this.logGroup,
      // X-Ray: the invocation's segment, with the SDK and HTTPS calls the code captures (lambdas/shared/tracing.ts).
      tracing: lambda.Tracing.ACTIVE,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
      ...(props.asyncInvoke ? { retryAttempts: props.asyncInvoke.retryAttempts, maxEventAge: props.asyncInvoke.maxEventAge, onFailure: props.asyncInvoke.onFailure } : {}),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        esbuildArgs: { '--alias': Object.entries(LAMBDA_BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The tested SDK version, in one file: no dependence on the runtime's copy.
        bundleAwsSDK: true,
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
    });
    // The role's own policy must be in place before the function runs.
    this.function.node.addDependency(this.role);

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Added by active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords, which X-Ray does not scope to resources. No other statement of this role has a wildcard (test/infra/service-stack.test.ts).',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is pinned on purpose: the code, its tests and the local stack run on Node 22 (the node@22 dev dependency), and nodejs22.x is supported by Lambda until 2027. Moving to nodejs24.x is its own tested change.',
    });
  }
}
