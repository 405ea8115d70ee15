import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The event every HTTP handler receives: API Gateway HTTP API v2, with the JWT authorizer's claims. */
export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/**
 * One route of the HTTP API. `auth: 'jwt'` routes sit behind the JWT authorizer (Cognito in AWS,
 * HS256 dev tokens locally); the handler then reads the verified claims from the event.
 */
export interface HttpRoute {
  readonly method: HttpMethod;
  /** API Gateway path template, e.g. `/v1/generations/{id}`. */
  readonly path: string;
  readonly auth: 'none' | 'jwt';
  /** Name of the Lambda function that serves it in AWS (one per handler file). */
  readonly functionName: string;
  readonly handler: HttpHandler;
}
