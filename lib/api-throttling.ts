/**
 * The HTTP API's request limits, one token bucket per route (API Gateway route settings), so that
 * a client hammering one route, or anonymous traffic, only ever exhausts that route's bucket:
 *
 * | class | routes | rate/s, burst (defaults) | why |
 * |---|---|---|---|
 * | webhook | `POST /v1/webhooks/stripe` | 100, 200 | Stripe's deliveries are bursty after an outage (it retries for 3 days); a 429 there delays credits. The highest limit of all, its own bucket, and reserved Lambda concurrency (`webhookReservedConcurrency`). Badly signed requests cost one HMAC and are refused; flooding it needs per-IP rules (see below). |
 * | anonymous | other routes without a token (`GET /v1/pricing`, `GET /v1/openapi.json`) | 20, 40 | Read once per app session and cacheable; low, so a scraper cannot cost much, and apart from everything signed-in. |
 * | read | signed-in `GET`s | 100, 200 | The app polls the balance while a payment or job is pending (every 2 s per open page). |
 * | write | signed-in `POST`/`PUT`/`DELETE` | 50, 100 | Generations, top-ups, plan changes: each is a DynamoDB transaction and may call Stripe; the per-plan concurrent-job limits bound each account further. |
 * | admin | `/v1/admin/…` | 5, 10 | A few operators issuing coupons. |
 *
 * All routes together stay under API Gateway's account-level default per Region (10,000 rps, burst
 * 5,000), which the stage config checks route by route. What route limits cannot do: tell two
 * clients of the same route apart. HTTP APIs have no usage plans and AWS WAF cannot be attached to
 * them; per-client (per-IP) limits need CloudFront with a WAF rate-based rule in front, which is
 * left for when the app gets its own domain. Per-account protection inside the service: plan
 * concurrency limits on generations, the coupon attempt limit.
 */
import type { RouteSpec } from '../lambdas/handlers/http/routes';
import type { StageConfig } from './stage-config';

export type ThrottleClass = keyof StageConfig['apiThrottle'];

export function throttleClassOf(route: Pick<RouteSpec, 'method' | 'path' | 'auth' | 'functionName'>): ThrottleClass {
  if (route.functionName === 'stripe-webhook') return 'webhook';
  if (route.auth === 'none') return 'anonymous';
  if (route.path.startsWith('/v1/admin/')) return 'admin';
  return route.method === 'GET' ? 'read' : 'write';
}

/** `GET /v1/balance`: API Gateway's route key, which route settings are keyed by. */
export function routeKeyOf(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export interface RouteLimits {
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly detailedMetricsEnabled: true;
}

/** The stage's route settings: every route its class's limits, with route-level metrics (p99 per route on the dashboard). */
export function routeSettingsOf(routes: ReadonlyArray<Pick<RouteSpec, 'method' | 'path' | 'auth' | 'functionName'>>, limits: StageConfig['apiThrottle']): Record<string, RouteLimits> {
  const settings: Record<string, RouteLimits> = {};
  for (const route of routes) {
    const { rateLimit, burstLimit } = limits[throttleClassOf(route)];
    settings[routeKeyOf(route)] = { throttlingRateLimit: rateLimit, throttlingBurstLimit: burstLimit, detailedMetricsEnabled: true };
  }
  return settings;
}
