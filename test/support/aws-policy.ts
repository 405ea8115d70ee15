/**
 * Checks the AWS calls the service really makes against each function's IAM policy as SYNTHESIZED
 * into the CloudFormation templates (not a second hand-written list).
 *
 * - `PolicyBook` reads every function's role statements from the service template and resolves
 *   their resources (Fn::GetAtt, Ref, Fn::Join, Fn::ImportValue of the stateful stack's exports) into
 *   symbolic ARNs: `{table}`, `{table}/index/<name>`, `{jobsQueue}`, `{stripeSecret}`,
 *   `{outputsBucket}/outputs/*`, ...
 * - `CallChecker` wraps the DynamoDB document client, the SQS client the service sends with, the S3
 *   client of the outputs store and a Secrets Manager client; each call is attributed to the function
 *   running it (AsyncLocalStorage, set by `attribute`), turned into the IAM actions AWS authorizes it
 *   by (a TransactWriteItems by each item's action, an S3 multipart part by s3:PutObject), and
 *   checked. A presigned S3 URL is checked when it is signed: it carries the signer's permission, so
 *   a GET with it is refused exactly when the signing function may not s3:GetObject the key. A call
 *   the function's role would refuse is recorded as a violation naming the function, action and
 *   resource.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Template } from 'aws-cdk-lib/assertions';
import type { Statement } from '../infra/build-app';
import { actionsOf, functionsByName, resourcesOf, statementsOfFunction } from '../infra/build-app';

export interface ResourceNames {
  /** Stateful-stack logical ids → the symbolic name calls are described with. */
  readonly statefulLogicalIds: Readonly<Record<string, string>>;
}

type CfnValue = unknown;

/** The resolved statements of every function's role, by function name. */
export class PolicyBook {
  private readonly byFunction = new Map<string, Array<{ effect: string; actions: string[]; resources: string[] }>>();

  constructor(service: Template, stateful: Template, names: ResourceNames) {
    const outputs = (stateful.toJSON().Outputs ?? {}) as Record<string, { Value: CfnValue; Export?: { Name: string } }>;
    const exportsByName = new Map(Object.values(outputs).flatMap((o) => (o.Export ? [[o.Export.Name, o.Value] as const] : [])));
    const resolve = (value: CfnValue): string => {
      if (typeof value === 'string') return value;
      const v = value as Record<string, unknown>;
      if (v['Fn::ImportValue'] !== undefined) {
        const exported = exportsByName.get(String(v['Fn::ImportValue']));
        return exported === undefined ? `<unknown export ${String(v['Fn::ImportValue'])}>` : resolve(exported);
      }
      if (v['Fn::GetAtt'] !== undefined) {
        const [id, attr] = v['Fn::GetAtt'] as [string, string];
        return names.statefulLogicalIds[id] ?? `<${id}.${attr}>`;
      }
      if (v.Ref !== undefined) return names.statefulLogicalIds[String(v.Ref)] ?? `<${String(v.Ref)}>`;
      if (v['Fn::Join'] !== undefined) {
        const [separator, parts] = v['Fn::Join'] as [string, CfnValue[]];
        return parts.map(resolve).join(separator);
      }
      return `<${JSON.stringify(value)}>`;
    };
    for (const [name, fn] of functionsByName(service)) {
      const statements = statementsOfFunction(service, fn.logicalId).map((s: Statement) => ({ effect: s.Effect, actions: actionsOf(s), resources: resourcesOf(s).map(resolve) }));
      this.byFunction.set(name, statements);
    }
  }

  functions(): string[] {
    return [...this.byFunction.keys()];
  }

  /** IAM's answer: an explicit Deny wins, else any Allow, else refused. */
  allows(functionName: string, action: string, resource: string): boolean {
    const statements = this.byFunction.get(functionName);
    if (!statements) throw new Error(`no function named ${functionName} in the template`);
    const matching = statements.filter((s) => s.actions.some((a) => glob(a, action)) && s.resources.some((r) => glob(r, resource)));
    return matching.length > 0 && matching.every((s) => s.effect === 'Allow');
  }
}

function glob(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(value);
}

export interface AuthorizedCall {
  readonly functionName: string;
  readonly command: string;
  readonly action: string;
  readonly resource: string;
}

type Sendable = { send: (...args: unknown[]) => Promise<unknown> };
type Command = { constructor: { name: string }; input: Record<string, unknown> };

/** What IAM authorizes a DynamoDB command by: one (action, resource) per authorization it needs. */
export function dynamoDbAuthorizations(command: Command, tableOf: (tableName: string) => string): Array<{ action: string; resource: string }> {
  const name = command.constructor.name.replace(/Command$/, '');
  const input = command.input;
  const onTable = (action: string, tableName: unknown, indexName?: unknown) => ({ action: `dynamodb:${action}`, resource: `${tableOf(String(tableName))}${indexName ? `/index/${String(indexName)}` : ''}` });
  switch (name) {
    case 'Get':
    case 'GetItem':
      return [onTable('GetItem', input.TableName)];
    case 'Put':
    case 'PutItem':
      return [onTable('PutItem', input.TableName)];
    case 'Update':
    case 'UpdateItem':
      return [onTable('UpdateItem', input.TableName)];
    case 'Delete':
    case 'DeleteItem':
      return [onTable('DeleteItem', input.TableName)];
    case 'Query':
      return [onTable('Query', input.TableName, input.IndexName)];
    case 'Scan':
      return [onTable('Scan', input.TableName, input.IndexName)];
    case 'BatchGet':
    case 'BatchGetItem':
      return Object.keys(input.RequestItems as object).map((t) => onTable('BatchGetItem', t));
    case 'BatchWrite':
    case 'BatchWriteItem':
      return Object.keys(input.RequestItems as object).map((t) => onTable('BatchWriteItem', t));
    case 'TransactWrite':
    case 'TransactWriteItems': {
      const actionOf: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };
      return (input.TransactItems as Array<Record<string, { TableName: string }>>).map((item) => {
        const [kind, body] = Object.entries(item)[0]!;
        return onTable(actionOf[kind] ?? kind, body.TableName);
      });
    }
    case 'TransactGet':
    case 'TransactGetItems':
      return (input.TransactItems as Array<{ Get: { TableName: string } }>).map((item) => onTable('GetItem', item.Get.TableName));
    default:
      return [{ action: `dynamodb:${name}`, resource: `<unmapped ${command.constructor.name}>` }];
  }
}

export function sqsAuthorizations(command: Command, queueOf: (queueUrl: string) => string): Array<{ action: string; resource: string }> {
  const name = command.constructor.name.replace(/Command$/, '');
  const action = name === 'SendMessageBatch' ? 'SendMessage' : name;
  return [{ action: `sqs:${action}`, resource: queueOf(String(command.input.QueueUrl)) }];
}

/**
 * What IAM authorizes an S3 command by, for the object-level commands the outputs store may use
 * (`<bucket>/<key>`); a bucket-level command (a listing) by the bucket itself. Multipart uploads are
 * authorized as s3:PutObject (create, each part, complete) except their abort and parts listing.
 */
export function s3Authorizations(commandName: string, input: Record<string, unknown>, bucketOf: (bucket: string) => string): Array<{ action: string; resource: string }> {
  const name = commandName.replace(/Command$/, '');
  const bucket = bucketOf(String(input.Bucket));
  const onObject = (action: string) => ({ action: `s3:${action}`, resource: `${bucket}/${String(input.Key)}` });
  switch (name) {
    case 'PutObject':
    case 'CreateMultipartUpload':
    case 'UploadPart':
    case 'CompleteMultipartUpload':
      return [onObject('PutObject')];
    case 'CopyObject': {
      const source = String(input.CopySource);
      const slash = source.indexOf('/');
      return [onObject('PutObject'), { action: 's3:GetObject', resource: `${bucketOf(decodeURIComponent(source.slice(0, slash)))}/${decodeURIComponent(source.slice(slash + 1))}` }];
    }
    case 'GetObject':
    case 'HeadObject':
      return [onObject('GetObject')];
    case 'AbortMultipartUpload':
      return [onObject('AbortMultipartUpload')];
    case 'ListParts':
      return [onObject('ListMultipartUploadParts')];
    case 'DeleteObject':
      return [onObject('DeleteObject')];
    case 'DeleteObjects':
      return ((input.Delete as { Objects?: Array<{ Key: string }> } | undefined)?.Objects ?? []).map((o) => ({ action: 's3:DeleteObject', resource: `${bucket}/${o.Key}` }));
    case 'ListObjects':
    case 'ListObjectsV2':
      return [{ action: 's3:ListBucket', resource: bucket }];
    case 'HeadBucket':
      return [{ action: 's3:ListBucket', resource: bucket }];
    default:
      return [{ action: `s3:${name}`, resource: `<unmapped ${commandName}>` }];
  }
}

/** Secrets Manager commands are authorized by their own action on the secret they name. */
export function secretsManagerAuthorizations(command: Command, secretOf: (secretId: string) => string): Array<{ action: string; resource: string }> {
  const name = command.constructor.name.replace(/Command$/, '');
  return [{ action: `secretsmanager:${name}`, resource: secretOf(String(command.input.SecretId)) }];
}

export interface CheckedResources {
  readonly tableOf: (tableName: string) => string;
  readonly queueOf: (queueUrl: string) => string;
  /** The symbolic ARN of a bucket by its name, e.g. `{outputsBucket}`. @default `<bucket NAME>` */
  readonly bucketOf?: (bucketName: string) => string;
  /** The symbolic ARN of a secret by the id a call names it with, e.g. `{providerSecret}`. @default `<secret ID>` */
  readonly secretOf?: (secretId: string) => string;
}

export class CallChecker {
  private readonly current = new AsyncLocalStorage<string>();
  readonly calls: AuthorizedCall[] = [];
  readonly violations: string[] = [];
  /** Invocations seen per function (a function may make no AWS call at all: pricing). */
  readonly invocations = new Map<string, number>();
  /** Calls made outside any function (test fixtures, local-only routes): not checked. */
  unattributed = 0;

  constructor(
    private readonly policies: PolicyBook,
    private readonly resources: CheckedResources,
    /** Functions that exist only locally (e.g. `/_local/card`): their calls are not checked. */
    private readonly localOnly: ReadonlySet<string> = new Set(),
  ) {}

  /** Runs `work` as an invocation of `functionName`. */
  attribute<T>(functionName: string, work: () => Promise<T>): Promise<T> {
    this.invocations.set(functionName, (this.invocations.get(functionName) ?? 0) + 1);
    return this.current.run(functionName, work);
  }

  wrapDynamoDb(db: DynamoDBDocumentClient): DynamoDBDocumentClient {
    return this.wrap(db, (command) => dynamoDbAuthorizations(command, this.resources.tableOf));
  }

  wrapSqs(sqs: SQSClient): SQSClient {
    return this.wrap(sqs, (command) => sqsAuthorizations(command, this.resources.queueOf));
  }

  /**
   * The S3 client with a check in front of every command it runs, sent or presigned (getSignedUrl runs
   * a copy of the client's middleware stack without sending). The client itself is left as it was:
   * the wrapper answers `middlewareStack` with a copy that has the check.
   */
  wrapS3(s3: S3Client): S3Client {
    const bucketOf = this.resources.bucketOf ?? ((name: string) => `<bucket ${name}>`);
    const stack = s3.middlewareStack.clone();
    stack.add(
      (next, context) => async (args) => {
        const commandName = context.commandName ?? 'UnknownCommand';
        this.check(commandName, s3Authorizations(commandName, args.input as Record<string, unknown>, bucketOf));
        return next(args);
      },
      { step: 'initialize', name: 'iamPolicyCheck', priority: 'high' },
    );
    return new Proxy(s3, { get: (target, prop, receiver) => (prop === 'middlewareStack' ? stack : Reflect.get(target, prop, receiver)) });
  }

  wrapSecretsManager(client: SecretsManagerClient): SecretsManagerClient {
    const secretOf = this.resources.secretOf ?? ((id: string) => `<secret ${id}>`);
    return this.wrap(client, (command) => secretsManagerAuthorizations(command, secretOf));
  }

  /** Records the call's authorizations for the function running it, and each one its role refuses. */
  private check(commandName: string, authorizations: Array<{ action: string; resource: string }>): void {
    const functionName = this.current.getStore();
    if (functionName === undefined || this.localOnly.has(functionName)) {
      this.unattributed += 1;
      return;
    }
    for (const { action, resource } of authorizations) {
      this.calls.push({ functionName, command: commandName, action, resource });
      if (!this.policies.allows(functionName, action, resource)) this.violations.push(`${functionName}: ${action} on ${resource} (${commandName}) is refused by its role`);
    }
  }

  private wrap<C extends object>(client: C, authorizationsOf: (command: Command) => Array<{ action: string; resource: string }>): C {
    const send = (command: Command, ...rest: unknown[]) => {
      this.check(command.constructor.name, authorizationsOf(command));
      return (client as unknown as Sendable).send(command, ...rest);
    };
    return new Proxy(client, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
  }
}
