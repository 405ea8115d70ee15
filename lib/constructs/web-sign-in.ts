/**
 * The web app's sign-in on the stage's user pool: a public app client (authorization code + PKCE,
 * done by the app in the browser) whose only redirect is the site, and the managed-login domain
 * that hosts the sign-in pages, styled with Cognito's default branding.
 *
 * Lives in the service stack, not with the pool: the client names the distribution (callback URL)
 * and the API's authorizer names the client (audience); both are in that stack, so no cycle.
 */
import { Duration, Fn, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export const WEB_SCOPES = ['openid', 'email', 'profile'] as const;

export interface WebSignInProps {
  readonly userPool: cognito.IUserPool;
  /** `https://<site>`: the only callback and sign-out URL (with a trailing slash, as the app sends it). */
  readonly siteUrl: string;
  /**
   * The pool's existing sign-in domain (`https://…`), for an imported pool that already has one (a
   * pool holds at most one prefix domain). Without it a Cognito prefix domain is created.
   */
  readonly existingDomainUrl?: string;
  /** Start of the created prefix domain; a suffix from the stack's id makes it unique in the region. */
  readonly domainPrefix: string;
}

export class WebSignIn extends Construct {
  readonly client: cognito.UserPoolClient;
  readonly domain?: cognito.UserPoolDomain;
  readonly branding: cognito.CfnManagedLoginBranding;
  /** `https://<prefix>.auth.<region>.amazoncognito.com` (or the existing domain's URL). */
  readonly domainUrl: string;

  constructor(scope: Construct, id: string, props: WebSignInProps) {
    super(scope, id);
    const redirect = `${props.siteUrl}/`;
    this.client = new cognito.UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      generateSecret: false,
      // Only refresh tokens through the SDK: every sign-in goes through the managed-login pages.
      authFlows: { userSrp: false, userPassword: false, adminUserPassword: false, custom: false, user: false },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [redirect],
        logoutUrls: [redirect],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });

    if (props.existingDomainUrl) {
      this.domainUrl = props.existingDomainUrl;
    } else {
      // Prefix domains are unique per region across all accounts: the first block of the stack's UUID
      // (arn:…:stack/<name>/<uuid>) keeps two deployments of one stage apart without exposing the account id.
      const stackSuffix = Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Stack.of(this).stackId))));
      this.domain = new cognito.UserPoolDomain(this, 'Domain', {
        userPool: props.userPool,
        cognitoDomain: { domainPrefix: `${props.domainPrefix}-${stackSuffix}` },
        managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
      });
      this.domainUrl = this.domain.baseUrl();
    }

    // Managed login shows a client's pages only once the client has a branding style: Cognito's own.
    this.branding = new cognito.CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: props.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    if (this.domain) this.branding.node.addDependency(this.domain);
  }
}
