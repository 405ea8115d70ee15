/**
 * A secret an operator fills in by hand (keys issued in a provider's console), created with a
 * placeholder: CloudFormation generates a value on create only (`generateSecretString`: the template
 * plus a `placeholderNonce`), so what an operator puts in later survives every deploy. Encrypted with
 * Secrets Manager's AWS-managed key. Rotation is the provider's, not a rotation Lambda's (`rotatedBy`
 * says how, for cdk-nag's AwsSolutions-SMG4).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

export interface OperatorSecretProps {
  readonly secretName: string;
  readonly description: string;
  /** The JSON the secret holds until an operator sets it (a nonce key is added). */
  readonly placeholderTemplate: string;
  readonly rotatedBy: string;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** The generated nonce's key in a placeholder: not a key of the secret, ignored when it is read. */
const PLACEHOLDER_NONCE_KEY = 'placeholderNonce';

export function operatorSecret(scope: Construct, id: string, props: OperatorSecretProps): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    secretName: props.secretName,
    description: props.description,
    generateSecretString: { secretStringTemplate: props.placeholderTemplate, generateStringKey: PLACEHOLDER_NONCE_KEY },
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: props.rotatedBy });
  return secret;
}
