/**
 * Request limits per route and the dashboard, as synthesized: one client hammering a route (or the
 * anonymous ones, or the webhook) exhausts only that route's bucket; the webhook has headroom and
 * Lambda concurrency of its own.
 */
import { HTTP_ROUTES } from '../../lambdas/handlers/http/routes';
import { routeKeyOf, throttleClassOf } from '../../lib/api-throttling';
import { PROVIDER_FAULTS_OURS_METRIC, PROVIDER_ORPHANS_METRIC } from '../../lib/constructs/service-alarms';
import { parseStageConfig } from '../../lib/stage-config';
import { DEV_CONFIG, PROD_CONFIG, buildApp, functionsByName } from './build-app';

type Resource = { Properties: Record<string, unknown>; DependsOn?: string[] };

const dev = buildApp(DEV_CONFIG);
const stage = Object.values(dev.service.findResources('AWS::ApiGatewayV2::Stage'))[0] as Resource;
const routeSettings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit?: number; throttlingRateLimit?: number; throttlingBurstLimit: number; detailedMetricsEnabled: boolean }>;
const limits = parseStageConfig(DEV_CONFIG).apiThrottle;

describe('API throttling', () => {
  it('classes the routes: the webhook, anonymous, admin, reads, writes', () => {
    const classOf = (method: string, path: string) => throttleClassOf(HTTP_ROUTES.find((r) => r.method === method && r.path === path)!);
    expect(classOf('POST', '/v1/webhooks/stripe')).toBe('webhook');
    expect(classOf('GET', '/v1/pricing')).toBe('anonymous');
    expect(classOf('POST', '/v1/admin/coupons')).toBe('admin');
    expect(classOf('GET', '/v1/balance')).toBe('read');
    expect(classOf('POST', '/v1/generations')).toBe('write');
  });

  it.each(HTTP_ROUTES.map((r) => [routeKeyOf(r), r] as const))('gives %s limits of its own, with route metrics', (key, route) => {
    const expected = limits[throttleClassOf(route)];
    expect(routeSettings[key]).toEqual({ throttlingRateLimit: expected.rateLimit, throttlingBurstLimit: expected.burstLimit, detailedMetricsEnabled: true });
  });

  it('lists no route key the API does not have, and creates the stage after its routes', () => {
    const routes = dev.service.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>;
    const keys = Object.values(routes).map((r) => r.Properties.RouteKey);
    expect(Object.keys(routeSettings).sort()).toEqual([...keys].sort());
    for (const logicalId of Object.keys(routes)) expect(stage.DependsOn).toContain(logicalId);
  });

  it('keeps the webhook above every user route, and anonymous traffic below', () => {
    const others = Object.entries(limits).filter(([name]) => name !== 'webhook');
    for (const [, other] of others) expect(limits.webhook.rateLimit).toBeGreaterThanOrEqual(other.rateLimit);
    expect(limits.anonymous.rateLimit).toBeLessThan(limits.read.rateLimit);
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: limits.anonymous.rateLimit, ThrottlingBurstLimit: limits.anonymous.burstLimit, DetailedMetricsEnabled: true });
  });

  it('reserves concurrency for the Stripe webhook only', () => {
    const functions = functionsByName(dev.service);
    const reserved = [...functions].filter(([, f]) => f.resource.Properties?.ReservedConcurrentExecutions !== undefined).map(([name, f]) => [name, f.resource.Properties!.ReservedConcurrentExecutions]);
    expect(reserved).toEqual([['stripe-webhook', 10]]);
  });

  it("takes a stage's own limits", () => {
    const built = buildApp({ ...PROD_CONFIG, apiThrottle: { ...limits, read: { rateLimit: 300, burstLimit: 600 } }, webhookReservedConcurrency: 25 });
    const prodStage = Object.values(built.service.findResources('AWS::ApiGatewayV2::Stage'))[0] as Resource;
    expect((prodStage.Properties.RouteSettings as Record<string, unknown>)['GET /v1/balance']).toMatchObject({ throttlingRateLimit: 300, throttlingBurstLimit: 600 });
    expect(functionsByName(built.service).get('stripe-webhook')!.resource.Properties!.ReservedConcurrentExecutions).toBe(25);
  });
});

describe('dashboard', () => {
  const dashboards = Object.values(dev.service.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
  const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);

  it('has one dashboard per stage, named after it', () => {
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties.DashboardName).toBe('banana-flow-credits-dev');
  });

  it.each(['Debits/s', 'API answers', 'Refunds and the model provider', 'p99 latency per route', 'Jobs queue', 'Reconcile', 'Alarms'])('shows %s', (title) => {
    expect(body).toContain(title);
  });

  it('plots p99 for every route', () => {
    for (const route of HTTP_ROUTES) expect(body).toContain(`\\"label\\":\\"${route.method} ${route.path}\\"`);
    expect(body).toContain('GenerationsRefunded');
    expect(body).toContain(PROVIDER_FAULTS_OURS_METRIC);
    expect(body).toContain(PROVIDER_ORPHANS_METRIC);
    expect(body).toContain('ApproximateAgeOfOldestMessage');
  });
});
