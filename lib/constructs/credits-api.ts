/**
 * The HTTP API, built from the route table (lambdas/handlers/http/routes.ts): one function per
 * route, a Cognito JWT authorizer on every `jwt` route and none on the public ones (pricing, the
 * OpenAPI document, the Stripe webhook, which checks Stripe's signature itself), CORS for the app's origins, stage
 * limits per route (lib/api-throttling.ts), route-level metrics and JSON access logs.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Lazy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { HttpFunctionSpec } from '../function-catalog';
import type { FunctionDefaults } from '../service-functions';
import { constructIdOf, createServiceFunction } from '../service-functions';
import type { ServiceFunction } from './service-function';
import { routeSettingsOf } from '../api-throttling';
import { TIME_BUDGETS } from '../../lambdas/shared/time-budget';
import type { StageConfig } from '../stage-config';

/** Request and response headers the app's browser code uses. */
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'idempotency-key'];
export const CORS_EXPOSE_HEADERS = ['retry-after'];

/** One JSON line per request; never a header, token or body. */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  errorMessage: '$context.error.message',
  sub: '$context.authorizer.claims.sub',
};

export interface CreditsApiProps {
  readonly routes: readonly HttpFunctionSpec[];
  readonly functionDefaults: FunctionDefaults;
  /** The JWT issuer's user pool and the app clients accepted as audience. */
  readonly userPoolId: string;
  readonly appClientIds: readonly string[];
  /** Browser origins allowed by CORS. */
  readonly allowOrigins: readonly string[];
  /** Each route's limits by its class (lib/api-throttling.ts). */
  readonly throttle: StageConfig['apiThrottle'];
  /** Concurrency reserved for the Stripe webhook function. */
  readonly webhookReservedConcurrency: number;
  /** @default TIME_BUDGETS.httpFunctionTimeoutSeconds (API Gateway waits at most 30 s; lambdas/shared/time-budget.ts) */
  readonly functionTimeout?: Duration;
  /** Lambda's CPU share grows with memory: request latency, cold starts included, is what these functions are for. @default 1024 */
  readonly functionMemorySize?: number;
}

/** The issuer Cognito writes into its tokens: the region is the pool id's prefix. */
export function cognitoIssuer(scope: Construct, userPoolId: string): string {
  const region = Token.isUnresolved(userPoolId) ? Stack.of(scope).region : userPoolId.split('_')[0];
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

export class CreditsApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** By route function name. */
  readonly functions: Readonly<Record<string, ServiceFunction>>;
  /** The app clients whose tokens the JWT authorizer accepts (its audience). */
  private readonly audience: string[];

  constructor(scope: Construct, id: string, props: CreditsApiProps) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Banana Flow Credits',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [...props.allowOrigins],
        allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST, apigw.CorsHttpMethod.PUT, apigw.CorsHttpMethod.PATCH, apigw.CorsHttpMethod.DELETE, apigw.CorsHttpMethod.OPTIONS],
        allowHeaders: CORS_ALLOW_HEADERS,
        exposeHeaders: CORS_EXPOSE_HEADERS,
        allowCredentials: false,
        maxAge: Duration.hours(1),
      },
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.functionDefaults.logRetention,
      removalPolicy: props.functionDefaults.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Every route has limits of its own (below); a route added without them gets the lowest class's.
    const lowest = props.throttle.anonymous;
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: lowest.rateLimit, burstLimit: lowest.burstLimit },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    this.audience = [...props.appClientIds];
    // Read at synth, so that a client created after the API (the web app's, which names the site that
    // names this API) can still be added with acceptTokensFrom.
    const authorizer = new HttpJwtAuthorizer('CognitoJwt', cognitoIssuer(this, props.userPoolId), {
      jwtAudience: Lazy.list({ produce: () => [...this.audience] }),
      identitySource: ['$request.header.Authorization'],
    });

    const functions: Record<string, ServiceFunction> = {};
    for (const spec of props.routes) {
      const fn = createServiceFunction(this, spec, props.functionDefaults, {
        timeout: props.functionTimeout ?? Duration.seconds(TIME_BUDGETS.httpFunctionTimeoutSeconds),
        memorySize: props.functionMemorySize ?? 1024,
        ...(spec.name === 'stripe-webhook' ? { reservedConcurrentExecutions: props.webhookReservedConcurrency } : {}),
      });
      functions[spec.name] = fn;
      const [route] = this.api.addRoutes({
        path: spec.route.path,
        methods: [apigw.HttpMethod[spec.route.method]],
        integration: new HttpLambdaIntegration(`${constructIdOf(spec.name)}Integration`, fn.function),
        authorizer: spec.route.auth === 'jwt' ? authorizer : new apigw.HttpNoneAuthorizer(),
      });
      // Route settings name route keys: CloudFormation refuses them before the route exists.
      if (route) this.stage.node.addDependency(route);
      if (spec.route.auth === 'none' && route) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            spec.name === 'stripe-webhook'
              ? 'Stripe cannot send a Cognito token: the handler verifies the Stripe-Signature header on the raw body (stripe.webhooks.constructEvent, 300 s tolerance) and refuses anything else with 400.'
              : spec.name === 'get-openapi'
                ? 'Public by design: the API\'s OpenAPI document (docs/openapi.json) for client generators; no account data, read-only, throttled at the stage.'
                : 'Public by design: the model price list the app shows before sign-in; no account data, read-only, throttled at the stage.',
        });
      }
    }
    this.functions = functions;
    (this.stage.node.defaultChild as apigw.CfnStage).routeSettings = routeSettingsOf(
      props.routes.map((r) => r.route),
      props.throttle,
    );
  }

  /** Accepts the tokens this app client is issued (adds it to the authorizer's audience). */
  acceptTokensFrom(appClientId: string): void {
    this.audience.push(appClientId);
  }

  /** The API's base URL (the `$default` stage). */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
