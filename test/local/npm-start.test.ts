/**
 * The local stack as a newcomer starts it: `npm start` (node --import ./lib/tooling/resolve-esm-only.mjs --import tsx
 * bin/local.ts), on a free port, answers the API; Ctrl-C stops it and everything it started. Jest
 * loads the code differently (ts-jest, CommonJS), so a module that only breaks under tsx (one did:
 * aws-xray-sdk-core's JSON resources) is caught here and nowhere else. The dev tokens it prints work as
 * they say: the owner's and the member's (a real member of acct_dev) read the same wallet, the admin's
 * its own.
 */
import { spawn } from 'node:child_process';
import { freePort, groupAlive } from '../support/processes';

const STARTUP_LIMIT_MS = 90_000;

test(
  'npm start serves the API on PORT and Ctrl-C leaves nothing running',
  async () => {
    const port = await freePort();
    const child = spawn('npm', ['start'], { env: { ...process.env, PORT: String(port), DYNAMODB_LOCAL_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(code === null ? String(signal) : String(code))));
    try {
      const started = Date.now();
      let status = 0;
      while (Date.now() - started < STARTUP_LIMIT_MS && child.exitCode === null && status !== 200) {
        status = await fetch(`http://127.0.0.1:${port}/v1/pricing`).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      if (status !== 200) throw new Error(`npm start did not answer GET /v1/pricing (exit ${child.exitCode}):\n${output.slice(-3000)}`);

      // The help is printed once the server listens: read the three dev tokens from it.
      while (!output.includes('Ctrl-C stops everything.') && Date.now() - started < STARTUP_LIMIT_MS) await new Promise((r) => setTimeout(r, 100));
      const printed = (label: string) => new RegExp(`^${label} token \\([^\\n]*\\):\\n\\s+(\\S+)$`, 'm').exec(output)?.[1];
      const balance = async (token: string | undefined) => {
        const response = await fetch(`http://127.0.0.1:${port}/v1/balance`, { headers: { authorization: `Bearer ${token}` } });
        return { status: response.status, body: (await response.json()) as { accountId?: string; available?: number } };
      };
      expect(output).toContain('Dev users (acct_dev-member is a member of acct_dev (PRO))');
      const owner = await balance(printed('Owner'));
      const member = await balance(printed('Member'));
      const admin = await balance(printed('Admin'));
      expect(owner).toEqual({ status: 200, body: expect.objectContaining({ accountId: 'acct_dev', available: 6_100 }) });
      expect(member).toEqual(owner);
      expect(admin).toEqual({ status: 200, body: expect.objectContaining({ accountId: 'dev-admin' }) });

      // Ctrl-C: the terminal signals the whole group; npm itself ends by the signal, bin/local.ts with 0.
      process.kill(-child.pid!, 'SIGINT');
      expect(['0', 'SIGINT']).toContain(await exited);
      const deadline = Date.now() + 10_000;
      while (groupAlive(child.pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(groupAlive(child.pid!)).toBe(false);
    } finally {
      if (groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL');
    }
  },
  STARTUP_LIMIT_MS + 30_000,
);
