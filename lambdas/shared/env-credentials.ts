/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias, see
 * LAMBDA_BUNDLE_ALIASES in lib/constructs/service-function.ts). Lambda hands every function its
 * role's credentials in the environment, so the rest of the SDK's default chain (SSO, ini files,
 * web identity, container and instance metadata, with their own STS/SSO clients) never runs there:
 * about 90 KiB of every bundle. Tests and the local stack keep the real default chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
