/**
 * The post-deploy smoke test (README, Deploy: Smoke test after deploy). The logic is in ./smoke/:
 * cli.ts (arguments, target, report), checks.ts (the HTTP checks, no AWS), aws.ts (stack outputs,
 * the test user's Cognito token).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSmokeCli } from './smoke/cli';

/** `context.stages.<stage>.region` from cdk.json, when set. */
function stageRegion(stage: string): string | undefined {
  try {
    const cdk = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: { stages?: Record<string, { region?: unknown }> } };
    const region = cdk.context?.stages?.[stage]?.region;
    return typeof region === 'string' ? region : undefined;
  } catch {
    return undefined;
  }
}

runSmokeCli(process.argv.slice(2), { out: (line) => console.log(line), env: process.env, stageRegion }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('Smoke test crashed:', error);
    process.exit(2);
  },
);
