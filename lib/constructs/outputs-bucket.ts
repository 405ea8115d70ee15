/**
 * The generation outputs bucket (issue 14): the worker copies each provider output in under
 * `outputs/<accountId>/<jobId>/<index>.<ext>` (lambdas/domain/output-store.ts) and the routes that show
 * generations hand their owners presigned GET URLs. Nothing else reads or writes it.
 *
 * - Private: all public access blocked, ACLs disabled (bucket owner enforced), TLS 1.2+ only. A
 *   presigned URL is the only way a browser reads an object, and it carries the signing role's
 *   s3:GetObject on `outputs/*` (lib/grants.ts).
 * - Encryption: S3-managed keys (SSE-S3). The objects are users' generated images and videos, shown to
 *   them through presigned URLs: SSE-KMS would add a KMS Decrypt, its cost and its request quota to
 *   every view of every output (and kms:Decrypt to every signing role), and guard nothing a leaked
 *   presigned URL would not already expose. At rest they are encrypted all the same.
 * - Lifecycle: outputs expire after the stage's outputsRetentionDays; an incomplete multipart upload
 *   (a worker that died mid-copy) is aborted after a day, so its parts stop costing.
 * - No versioning: an output is written once under a key of its own and never changed; versions
 *   would only keep expired outputs around as noncurrent versions.
 * - No CORS: the URLs are used in <img>/<video> tags and as links, which need none. A web page that
 *   fetch()es an output would need a CORS rule for its origin here.
 * - Server access logs go to a log bucket of its own (the same pattern as the web app's site bucket):
 *   who fetched which output with which URL, kept as long as the stage keeps its logs. S3 writes them
 *   under a bucket policy, so that bucket too has ACLs disabled.
 * - Fate with the stack: as the table's (dev: destroyed, emptied first; other stages: retained).
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';

/** Every output lives under this prefix (lambdas/domain/output-store.ts outputPrefix): the grants and the expiry rule name it. */
export const OUTPUTS_PREFIX = 'outputs/';
/** A multipart upload left incomplete this long is aborted (its parts deleted). */
export const ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(1);

export interface OutputsBucketProps {
  /** Days an output is kept (lifecycle expiration of `outputs/`). */
  readonly retentionDays: number;
  /** Days the server access logs are kept. */
  readonly logRetentionDays: number;
  /** dev: DESTROY (and emptied on delete); otherwise RETAIN. */
  readonly removalPolicy: RemovalPolicy;
}

export class OutputsBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: OutputsBucketProps) {
    super(scope, id);
    // S3 delivers the access logs under a bucket policy (logging.s3.amazonaws.com, for this bucket
    // only) rather than the log-delivery ACL: the log bucket keeps ACLs disabled. The feature flag is
    // set for this construct's children alone, so no other bucket of the app changes.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;

    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(props.logRetentionDays) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: "This is the access-log bucket itself (the outputs bucket's server access logs land here); logging it again would only move the question to another bucket.",
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: ABORT_INCOMPLETE_UPLOADS_AFTER },
        { id: 'expire-outputs', prefix: OUTPUTS_PREFIX, expiration: Duration.days(props.retentionDays) },
      ],
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'outputs-bucket/',
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
  }
}
