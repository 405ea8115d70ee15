import { SignJWT } from 'jose';
import { createLocalGateway, signDevToken, type GatewayRequest } from '../../bin/local/gateway';
import type { HttpEvent, HttpRoute } from '../../lambdas/shared/http-route';

const SECRET = 'test-secret';
const T0 = new Date('2030-01-01T00:00:00Z');

/** A fake route that records every event it receives and answers with a fixed JSON body. */
function recordingRoute(method: HttpRoute['method'], path: string, auth: HttpRoute['auth'] = 'jwt') {
  const events: HttpEvent[] = [];
  const route: HttpRoute = {
    method,
    path,
    auth,
    functionName: `fn-${method}-${path}`,
    handler: async (event) => {
      events.push(event);
      return { statusCode: 200, headers: { 'content-type': 'application/json', 'x-count': 1 }, body: JSON.stringify({ ok: path }) };
    },
  };
  return { route, events };
}

function setup(extraRoutes: HttpRoute[] = []) {
  let now = T0;
  const getGeneration = recordingRoute('GET', '/v1/generations/{id}');
  const quoteGeneration = recordingRoute('GET', '/v1/generations/quote');
  const createGeneration = recordingRoute('POST', '/v1/generations');
  const pricing = recordingRoute('GET', '/v1/pricing', 'none');
  const logged: unknown[] = [];
  const gateway = createLocalGateway({
    routes: [getGeneration.route, quoteGeneration.route, createGeneration.route, pricing.route, ...extraRoutes],
    jwtSecret: SECRET,
    now: () => now,
    logError: (_message, error) => logged.push(error),
  });
  return {
    gateway,
    getGeneration,
    quoteGeneration,
    createGeneration,
    pricing,
    logged,
    advanceSeconds: (s: number) => (now = new Date(now.getTime() + s * 1000)),
    token: (claims: Partial<Parameters<typeof signDevToken>[1]> = {}) => signDevToken(SECRET, { sub: 'user-1', now, ...claims }),
  };
}

async function call(gateway: ReturnType<typeof createLocalGateway>, request: Partial<GatewayRequest> & { token?: string }) {
  const { token, ...rest } = request;
  const response = await gateway({
    method: 'GET',
    path: '/',
    ...rest,
    headers: { ...(token && { Authorization: `Bearer ${token}` }), ...rest.headers },
  });
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}

describe('local gateway routing', () => {
  it('matches a path template and passes URL-decoded path parameters', async () => {
    const t = setup();

    const response = await call(t.gateway, { path: '/v1/generations/gen%2F1%20a?x=1', token: await t.token() });

    expect(response.statusCode).toBe(200);
    expect(t.getGeneration.events).toHaveLength(1);
    const event = t.getGeneration.events[0]!;
    expect(event.pathParameters).toEqual({ id: 'gen/1 a' });
    expect(event.rawPath).toBe('/v1/generations/gen%2F1%20a');
    expect(event.routeKey).toBe('GET /v1/generations/{id}');
    expect(event.requestContext.routeKey).toBe('GET /v1/generations/{id}');
  });

  it('prefers a literal segment over a parameter', async () => {
    const t = setup();

    await call(t.gateway, { path: '/v1/generations/quote', token: await t.token() });

    expect(t.quoteGeneration.events).toHaveLength(1);
    expect(t.getGeneration.events).toHaveLength(0);
  });

  it('answers 404 route_not_found for an unknown path', async () => {
    const t = setup();

    const response = await call(t.gateway, { path: '/v1/nope', token: await t.token() });

    expect(response.statusCode).toBe(404);
    expect(response.json).toEqual({ error: { code: 'route_not_found', message: expect.any(String) } });
  });

  it('answers 405 method_not_allowed for a known path with another method', async () => {
    const t = setup();

    const response = await call(t.gateway, { method: 'DELETE', path: '/v1/generations', token: await t.token() });

    expect(response.statusCode).toBe(405);
    expect(response.json).toEqual({ error: { code: 'method_not_allowed', message: expect.any(String) } });
    expect(response.headers.allow).toBe('POST');
    expect(t.createGeneration.events).toHaveLength(0);
  });

  it('serves auth "none" routes without a token and without an authorizer', async () => {
    const t = setup();

    const response = await call(t.gateway, { path: '/v1/pricing' });

    expect(response.statusCode).toBe(200);
    expect(t.pricing.events[0]!.requestContext.authorizer).toBeUndefined();
  });
});

describe('local gateway JWT authorizer', () => {
  it('rejects a request without a token', async () => {
    const t = setup();

    const response = await call(t.gateway, { path: '/v1/generations/g1' });

    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual({ error: { code: 'unauthorized', message: expect.stringMatching(/missing/i) } });
    expect(t.getGeneration.events).toHaveLength(0);
  });

  it('rejects a token signed with another secret', async () => {
    const t = setup();
    const forged = await signDevToken('another-secret', { sub: 'user-1', now: T0 });

    const response = await call(t.gateway, { path: '/v1/generations/g1', token: forged });

    expect(response.statusCode).toBe(401);
    expect(response.json.error).toEqual({ code: 'unauthorized', message: expect.stringMatching(/signature/i) });
    expect(t.getGeneration.events).toHaveLength(0);
  });

  it('rejects a token once the gateway clock passes its expiry', async () => {
    const t = setup();
    const token = await t.token({ expiresInSeconds: 60 });
    expect((await call(t.gateway, { path: '/v1/generations/g1', token })).statusCode).toBe(200);

    t.advanceSeconds(61);
    const response = await call(t.gateway, { path: '/v1/generations/g1', token });

    expect(response.statusCode).toBe(401);
    expect(response.json.error).toEqual({ code: 'unauthorized', message: expect.stringMatching(/expired/i) });
    expect(t.getGeneration.events).toHaveLength(1);
  });

  it('rejects a token signed with another algorithm, even with the right secret', async () => {
    const t = setup();
    const nowSeconds = Math.floor(T0.getTime() / 1000);
    const hs512 = await new SignJWT({ sub: 'user-1' })
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuedAt(nowSeconds)
      .setExpirationTime(nowSeconds + 600)
      .sign(new TextEncoder().encode(SECRET));
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'user-1', exp: nowSeconds + 600 })).toString('base64url')}.`;

    const responses = [
      await call(t.gateway, { path: '/v1/generations/g1', token: hs512 }),
      await call(t.gateway, { path: '/v1/generations/g1', token: unsigned }),
    ];

    expect(responses.map((r) => r.statusCode)).toEqual([401, 401]);
    expect(responses[0]!.json.error).toEqual({ code: 'unauthorized', message: expect.stringMatching(/algorithm/i) });
    expect(t.getGeneration.events).toHaveLength(0);
  });

  it('rejects a token without an expiry and a token that is not a JWT', async () => {
    const t = setup();
    const noExp = await new SignJWT({ sub: 'user-1' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));

    const responses = [
      await call(t.gateway, { path: '/v1/generations/g1', token: noExp }),
      await call(t.gateway, { path: '/v1/generations/g1', token: 'not-a-jwt' }),
    ];

    expect(responses.map((r) => r.statusCode)).toEqual([401, 401]);
    expect(t.getGeneration.events).toHaveLength(0);
  });

  it('hands the verified claims to the handler the way API Gateway does', async () => {
    const t = setup();
    const token = await t.token({ sub: 'user-7', account_id: 'acct_1', account_role: 'member', groups: ['admin', 'users'] });

    await call(t.gateway, { path: '/v1/generations/g1', token });

    const authorizer = t.getGeneration.events[0]!.requestContext.authorizer;
    expect(authorizer.jwt.scopes).toBeNull();
    expect(authorizer.jwt.claims).toEqual({
      sub: 'user-7',
      account_id: 'acct_1',
      account_role: 'member',
      'cognito:groups': '[admin users]',
      iat: String(T0.getTime() / 1000),
      exp: String(T0.getTime() / 1000 + 3600),
    });
  });
});

describe('local gateway event and response', () => {
  it('builds a payload format 2.0 event', async () => {
    const t = setup();

    await call(t.gateway, {
      method: 'POST',
      path: '/v1/generations?tag=a&tag=b&q=x%20y',
      token: await t.token(),
      headers: { 'Content-Type': 'application/json', 'X-Multi': 'one', 'x-multi': 'two', Cookie: 'a=1; b=2', 'User-Agent': 'jest' },
      body: '{"model":"nano"}',
    });

    const event = t.createGeneration.events[0]!;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/generations',
      rawPath: '/v1/generations',
      rawQueryString: 'tag=a&tag=b&q=x%20y',
      queryStringParameters: { tag: 'a,b', q: 'x y' },
      cookies: ['a=1', 'b=2'],
      body: '{"model":"nano"}',
      isBase64Encoded: false,
      requestContext: {
        stage: '$default',
        timeEpoch: T0.getTime(),
        time: '01/Jan/2030:00:00:00 +0000',
        http: { method: 'POST', path: '/v1/generations', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      },
    });
    expect(event.headers).toMatchObject({ 'content-type': 'application/json', 'x-multi': 'one,two' });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.pathParameters).toBeUndefined();
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('leaves queryStringParameters undefined when there is no query', async () => {
    const t = setup();

    await call(t.gateway, { path: '/v1/generations/g1', token: await t.token() });

    expect(t.getGeneration.events[0]!.queryStringParameters).toBeUndefined();
    expect(t.getGeneration.events[0]!.rawQueryString).toBe('');
  });

  it('returns the handler result with string headers', async () => {
    const t = setup();

    const response = await call(t.gateway, { path: '/v1/generations/g1', token: await t.token() });

    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'x-count': '1' });
    expect(response.json).toEqual({ ok: '/v1/generations/{id}' });
  });

  it('turns a handler crash into a 500 internal_error and logs it', async () => {
    const boom: HttpRoute = {
      method: 'POST',
      path: '/v1/boom',
      auth: 'none',
      functionName: 'boom',
      handler: async () => {
        throw new Error('kaput');
      },
    };
    const t = setup([boom]);

    const response = await call(t.gateway, { method: 'POST', path: '/v1/boom' });

    expect(response.statusCode).toBe(500);
    expect(response.json).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    expect(response.body).not.toContain('kaput');
    expect(t.logged).toEqual([expect.objectContaining({ message: 'kaput' })]);
  });
});
