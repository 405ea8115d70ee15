/**
 * A Cognito user pool and app client for stages that do not import the app's pool (dev). Users are
 * created by an administrator; tokens carry `sub`, and `account_id` (the team wallet) when the
 * stateful stack's pre-token-generation trigger finds an active team link; without one the API
 * uses `sub` (README, Deploy). Its app client also allows ADMIN_USER_PASSWORD_AUTH,
 * for the post-deploy smoke test's test user (README, Smoke test after deploy).
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface DevUserPoolProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class DevUserPool extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: DevUserPoolProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Essentials: the V2_0 pre-token-generation trigger (account_id in the access token too) needs it or Plus.
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    this.client = this.userPool.addClient('AppClient', {
      // adminUserPassword: the post-deploy smoke test signs its test user in with AdminInitiateAuth,
      // an IAM-authorized call (cognito-idp:AdminInitiateAuth), never from a browser. Dev only: an
      // imported pool's clients are the app's and get nothing of the kind.
      authFlows: { userSrp: true, adminUserPassword: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason: 'Developer-only pool for the dev stage, users created by an administrator; TOTP MFA is offered (optional). Real stages import the app\'s user pool, which owns its MFA policy.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason: 'Developer-only pool with a handful of administrator-created users: the Plus feature plan (threat protection, billed per active user) buys nothing here. Real stages import the app\'s user pool.',
    });
  }
}
