/**
 * A stand-in for Secrets Manager's GetSecretValue (JSON 1.1 protocol) on a local port: answers every
 * request with `secretString` and records what was asked and how it was signed. Point the SDK at
 * `url` (a client's `endpoint`, or AWS_ENDPOINT_URL_SECRETS_MANAGER for a whole process).
 */
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerRequest {
  /** The X-Amz-Target header, e.g. `secretsmanager.GetSecretValue`. */
  readonly target: string;
  readonly secretId: unknown;
  /** The Authorization header as sent (SigV4). */
  readonly authorization: string;
}

export interface FakeSecretsManager {
  readonly url: string;
  readonly requests: SecretsManagerRequest[];
  close(): Promise<void>;
}

export async function startFakeSecretsManager(secret: { arn: string; secretString: () => string }): Promise<FakeSecretsManager> {
  const requests: SecretsManagerRequest[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { SecretId?: unknown };
      requests.push({ target: String(req.headers['x-amz-target']), secretId: body.SecretId, authorization: String(req.headers.authorization) });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: secret.arn, Name: secret.arn.split(':').at(-1), SecretString: secret.secretString() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
