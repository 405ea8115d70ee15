/**
 * Builds the CDK app for assertions without bundling any function (the bundling-stacks context),
 * from a stage config written here: a dev stage that creates its user pool and a prod-like stage
 * that imports one.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CreditsStacks } from '../../lib/credits-app';
import { createCreditsStacks } from '../../lib/credits-app';
import type { StageConfig, StageConfigInput } from '../../lib/stage-config';
import { parseStageConfig } from '../../lib/stage-config';

export const DEV_CONFIG: StageConfigInput = {
  stageName: 'dev',
  appOrigins: ['http://localhost:5173'],
  userPool: { mode: 'create' },
  stripeSecretName: 'banana-flow-credits/dev/stripe',
  alarmEmails: { page: 'dev-pages@banana-flow.app', ticket: 'dev-tickets@banana-flow.app' },
  generationProvider: 'simulated',
  logRetentionDays: 14,
};

export const PROD_CONFIG: StageConfigInput = {
  stageName: 'prod',
  account: '123456789012',
  region: 'eu-west-1',
  appOrigins: ['https://app.bananaflow.example'],
  userPool: { mode: 'import', userPoolId: 'eu-west-1_AbCdEf123', appClientIds: ['4example5client6id7abcdef'] },
  stripeSecretName: 'banana-flow-credits/prod/stripe',
  alarmEmails: { page: 'oncall@banana-flow.app', ticket: 'credits-team@banana-flow.app' },
  jobsMaxReceiveCount: 4,
  logRetentionDays: 90,
  tableEncryption: 'customer-managed',
  jobTimings: { leaseSeconds: 90, requeueAfterSeconds: 150, maxAgeSeconds: 1800 },
};

export interface BuiltApp {
  readonly app: App;
  readonly config: StageConfig;
  readonly stacks: CreditsStacks;
  readonly stateful: Template;
  readonly service: Template;
}

export function buildApp(input: StageConfigInput = DEV_CONFIG): BuiltApp {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const config = parseStageConfig(input);
  const stacks = createCreditsStacks(app, config);
  return { app, config, stacks, stateful: Template.fromStack(stacks.stateful), service: Template.fromStack(stacks.service) };
}

type CfnResource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

/** The service's functions by name (their description is `Banana Flow Credits: <name>`). */
export function functionsByName(template: Template): Map<string, { logicalId: string; resource: CfnResource }> {
  const found = template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>;
  const byName = new Map<string, { logicalId: string; resource: CfnResource }>();
  for (const [logicalId, resource] of Object.entries(found)) {
    const description = String(resource.Properties?.Description ?? '');
    const match = /^Banana Flow Credits: (.+)$/.exec(description);
    if (match?.[1]) byName.set(match[1], { logicalId, resource });
  }
  return byName;
}

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The statements of every policy attached to the role the function runs as. */
export function statementsOfFunction(template: Template, functionLogicalId: string): Statement[] {
  const fn = template.toJSON().Resources[functionLogicalId] as CfnResource;
  const roleRef = (fn.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, CfnResource>;
  return Object.values(policies)
    .filter((p) => (p.Properties?.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleRef))
    .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** The logical id of the stateful stack's output a service-stack Fn::ImportValue names (export name `<stack>:<output>`). */
export function importedExport(value: unknown): string | undefined {
  const name = (value as { 'Fn::ImportValue'?: unknown })?.['Fn::ImportValue'];
  return typeof name === 'string' ? name : undefined;
}
