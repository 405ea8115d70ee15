/**
 * The model providers' API keys of one stage, in Secrets Manager: a JSON object with geminiApiKey,
 * openaiApiKey and modelarkApiKey, each optional (lambdas/shared/config.ts ProviderKeysSchema). Created
 * with none of them (`{}` and a generated nonce, see below): until an operator puts a provider's key in (README, Models and providers), jobs of that
 * provider's models fail as ours, are refunded and page (provider_fault_ours). Encrypted with Secrets
 * Manager's AWS-managed key, as the Stripe secret. The functions that call the providers (the jobs
 * worker, the cancel route) get read access and its ARN (PROVIDER_SECRET_ARN).
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ProviderKeysSchema } from '../../lambdas/shared/config';
import { operatorSecret } from './operator-secret';

/** The keys the functions read from the secret. */
export const PROVIDER_SECRET_KEYS: readonly string[] = Object.keys(ProviderKeysSchema.shape);

/** What the secret holds until an operator sets it (plus the generated nonce): no key for any provider, a valid value since every key is optional. */
const PROVIDER_SECRET_PLACEHOLDER = '{}';

export interface ProviderSecretProps {
  readonly secretName: string;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class ProviderSecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ProviderSecretProps) {
    super(scope, id);
    this.secret = operatorSecret(this, 'Secret', {
      secretName: props.secretName,
      description: `Model providers' API keys (JSON: ${PROVIDER_SECRET_KEYS.join(', ')}; each optional); set by an operator, read by the jobs worker and the cancel route at first use and again after a TTL`,
      placeholderTemplate: PROVIDER_SECRET_PLACEHOLDER,
      rotatedBy:
        "The providers' API keys (Google AI, OpenAI, BytePlus ModelArk) are issued and revoked in each provider's console, not by a rotation Lambda; the operator puts a new key here, then revokes the old one once the functions' cache has expired.",
      ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
    });
  }
}
