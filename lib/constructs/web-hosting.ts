/**
 * The billing web app (web/, built into web/dist) on one HTTPS origin: a private S3 bucket read only
 * by CloudFront (origin access control), security headers on every answer, and `/v1/*` passed to the
 * HTTP API uncached, so that the app calls its API same-origin (no CORS, no second hostname in the CSP).
 *
 * Two steps, because of what names what: the sign-in client's callback URL names this distribution
 * and the app's /config.json names that client. The constructor builds the bucket and the
 * distribution; `publish(config)` uploads the app and its config once the client exists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { SPA_REWRITE_CODE, contentSecurityPolicy } from './web-security';

/** What the app reads from /config.json at start (web/): its sign-in and its payment provider. */
export interface WebAppConfig {
  readonly auth: { readonly mode: 'cognito'; readonly domain: string; readonly clientId: string; readonly scopes: readonly string[] };
  readonly payments: { readonly mode: 'stripe'; readonly publishableKey: string | null };
}

export const WEB_DIST_DIR = path.join(__dirname, '..', '..', 'web', 'dist');

export interface WebHostingProps {
  /** The HTTP API's base URL (`https://<id>.execute-api.<region>.amazonaws.com`), served under /v1/*. */
  readonly apiEndpoint: string;
  /** The sign-in pages' origin, allowed in the CSP's connect-src and form-action. */
  readonly signInOrigin: string;
  /** The origin generation outputs are served from (presigned S3 URLs), allowed as a media source. @default none */
  readonly outputsOrigin?: string;
  /** The built app. @default web/dist */
  readonly siteDirectory?: string;
  /** The buckets' fate with the stack (dev: DESTROY, emptied first; otherwise RETAIN). */
  readonly removalPolicy: RemovalPolicy;
  /** Days the access logs are kept. */
  readonly logRetentionDays: number;
  /** The site's own host name and its us-east-1 certificate. @default the *.cloudfront.net name */
  readonly customDomain?: { readonly domainName: string; readonly certificate: acm.ICertificate };
}

export class WebHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly spaRewrite: cloudfront.Function;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  /** `https://<distribution domain>`, no trailing slash. */
  readonly siteUrl: string;
  private readonly siteDirectory: string;
  private readonly removalPolicy: RemovalPolicy;
  private readonly logRetentionDays: number;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);
    // Checked first: a synth without the built app would otherwise deploy an empty site.
    this.siteDirectory = props.siteDirectory ?? WEB_DIST_DIR;
    if (!fs.existsSync(path.join(this.siteDirectory, 'index.html'))) {
      throw new Error(`The web app is not built: ${path.join(this.siteDirectory, 'index.html')} does not exist. Run \`npm run build:web\` before synth.`);
    }
    this.removalPolicy = props.removalPolicy;
    this.logRetentionDays = props.logRetentionDays;
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;

    // CloudFront's standard logs are delivered with an ACL, so this bucket (only) keeps ACLs enabled.
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(props.logRetentionDays) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself (the site bucket\'s server access logs and the distribution\'s logs land here); logging it again would only move the question to another bucket.',
    });

    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });

    this.spaRewrite = new cloudfront.Function(this, 'SpaRewrite', {
      comment: 'App routes (paths without a file extension) are served index.html',
      code: cloudfront.FunctionCode.fromInline(SPA_REWRITE_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });

    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Banana Flow Credits web app: HSTS, CSP, no framing, no sniffing',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.signInOrigin, props.outputsOrigin), override: true },
      },
    });

    // The execute-api host name: `https://<host>` split on '/' is ['https:', '', '<host>'].
    const apiDomain = Fn.select(2, Fn.split('/', props.apiEndpoint));
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Banana Flow Credits billing web app and its API (/v1/*)',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // No distribution-wide errorResponses: they would replace the API's own 403/404 JSON with index.html.
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        functionAssociations: [{ function: this.spaRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: new origins.HttpOrigin(apiDomain, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY, originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2] }),
          // HTTPS only, not a redirect: a redirected POST would become a GET, and its bearer token has already crossed in clear.
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          // Never cached; with caching disabled this policy forwards Authorization and the query string (not Host: API Gateway routes on its own).
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
        },
      },
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      // A minimum TLS version applies only with a certificate of our own (CloudFront ignores it for *.cloudfront.net).
      ...(props.customDomain
        ? { domainNames: [props.customDomain.domainName], certificate: props.customDomain.certificate, minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021, sslSupportMethod: cloudfront.SSLMethod.SNI }
        : {}),
    });
    this.siteUrl = `https://${props.customDomain?.domainName ?? this.distribution.distributionDomainName}`;

    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'The billing app is for Banana Flow customers wherever the app is sold: no country is to be refused at the edge, and the site holds no content licensed per country.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason: 'No WAF yet: a CLOUDFRONT-scope web ACL must live in us-east-1 (a stack of its own). The static files are cacheable and /v1/* is rate limited per route by the API stage (lib/api-throttling.ts) behind its JWT authorizer.',
    });
    if (!props.customDomain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: 'Served on its *.cloudfront.net name with CloudFront\'s default certificate, whose TLS policy CloudFront fixes (a minimum protocol version applies only with a certificate of our own: the stage config\'s webDomain); viewers are redirected to HTTPS and the API origin is TLS 1.2 only.',
      });
    }
  }

  /**
   * Uploads the built app and its /config.json. The hashed bundles under /assets are immutable;
   * everything else (index.html, config.json, icons) is revalidated on each load, so a deploy reaches
   * browsers at once without an invalidation (CloudFront keeps a `no-cache` object for the cache
   * policy's 1 s minimum TTL).
   */
  publish(config: WebAppConfig): void {
    const role = this.deploymentRole();
    const assetsDirectory = path.join(this.siteDirectory, 'assets');
    // prune: false everywhere: the two deployments share the bucket (pruning one would delete the
    // other's files), and an open tab of the previous version can still load its own hashed chunks.
    const assets = fs.existsSync(assetsDirectory)
      ? new s3deploy.BucketDeployment(this, 'DeployAssets', {
          sources: [s3deploy.Source.asset(assetsDirectory)],
          destinationBucket: this.bucket,
          destinationKeyPrefix: 'assets/',
          cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
          prune: false,
          role,
        })
      : undefined;
    const shell = new s3deploy.BucketDeployment(this, 'DeployShell', {
      sources: [s3deploy.Source.asset(this.siteDirectory, { exclude: ['assets', 'assets/**'] }), s3deploy.Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      cacheControl: [s3deploy.CacheControl.noCache()],
      prune: false,
      role,
    });
    // The new index.html names the new bundles: they must be there first.
    if (assets) shell.node.addDependency(assets);

    // BucketDeployment's copy function is a stack-level singleton (one per stack, whichever construct creates it).
    for (const handler of Stack.of(this).node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'BucketDeployment\'s copy function (aws-cdk-lib\'s own handler and AWS CLI layer): its Python runtime is pinned by aws-cdk-lib and moves with aws-cdk-lib upgrades; it runs only during a deploy.',
      });
    }
  }

  /**
   * The copy function's role, ours rather than BucketDeployment's default: its logs go to a log group
   * with the stage's retention (no AWS managed policy), and its grants can be acknowledged one by one.
   */
  private deploymentRole(): iam.Role {
    const role = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'BucketDeployment: copies the built web app from the CDK assets bucket into the site bucket',
    });
    const logGroup = new logs.LogGroup(this, 'DeployLogs', { retention: this.logRetentionDays, removalPolicy: this.removalPolicy });
    logGroup.grantWrite(role);
    const granted = [
      ['Action::s3:GetObject*', 'reads the uploaded app archive from the CDK assets bucket and the site bucket\'s objects'],
      ['Action::s3:GetBucket*', 'reads the two buckets\' locations and settings'],
      ['Action::s3:List*', 'lists the site bucket to sync it'],
      ['Action::s3:DeleteObject*', 'overwrites the site\'s files (prune is off, so it deletes none)'],
      ['Action::s3:Abort*', 'aborts its own interrupted multipart uploads'],
      [`Resource::arn:<AWS::Partition>:s3:::${this.assetsBucketName()}/*`, 'the CDK bootstrap assets bucket\'s objects (the archive\'s key is known only at publish time)'],
      [`Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*`, 'the site bucket\'s objects, which it writes'],
    ] as const;
    for (const [finding, what] of granted) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: `Granted by BucketDeployment (Bucket.grantRead/grantReadWrite) to the copy function that runs only during a deploy: ${what}. Scoped to the assets bucket and the site bucket; nothing else.`,
      });
    }
    return role;
  }

  /** The bootstrap assets bucket's name as cdk-nag prints it (account and region as pseudo parameters in an environment-agnostic stack). */
  private assetsBucketName(): string {
    const stack = Stack.of(this);
    const qualifier = (this.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') as string | undefined) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    return DefaultStackSynthesizer.DEFAULT_FILE_ASSETS_BUCKET_NAME.replace('${Qualifier}', qualifier)
      .replace('${AWS::AccountId}', Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account)
      .replace('${AWS::Region}', Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region);
  }
}

/** The /config.json the app reads; `publishableKey` is null when the stage names no Stripe publishable key. */
export function webAppConfig(props: { loginDomainUrl: string; clientId: string; scopes: readonly string[]; stripePublishableKey?: string | undefined }): WebAppConfig {
  return {
    auth: { mode: 'cognito', domain: props.loginDomainUrl, clientId: props.clientId, scopes: [...props.scopes] },
    payments: { mode: 'stripe', publishableKey: props.stripePublishableKey ?? null },
  };
}
