/** The local stack's HTTP server with only the given control routes (any other path is 404), on a free port. */
import type { AddressInfo } from 'node:net';
import { errorResponse } from '../../bin/local/gateway';
import type { ControlRoute } from '../../bin/local/http-server';
import { close, createLocalHttpServer, listen } from '../../bin/local/http-server';

export interface ControlServer {
  readonly base: string;
  close(): Promise<void>;
}

export async function startControlServer(controlRoutes: ControlRoute[]): Promise<ControlServer> {
  const server = createLocalHttpServer({ gateway: async (request) => errorResponse(404, 'route_not_found', `No route for ${request.method} ${request.path}`), controlRoutes });
  const address: AddressInfo = await listen(server, 0, '127.0.0.1');
  return { base: `http://127.0.0.1:${address.port}`, close: () => close(server) };
}
