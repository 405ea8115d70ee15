/**
 * The whole service for one stage: the stateful stack (data) and the service stack (code) that
 * uses it, plus the cdk-nag AwsSolutions checks every synth runs.
 */
import { Validations } from 'aws-cdk-lib';
import type { App, Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ServiceStack } from './service-stack';
import { SERVICE_NAME } from './service-functions';
import type { StageConfig } from './stage-config';
import { isDevStage } from './stage-config';
import { StatefulStack } from './stateful-stack';

export interface CreditsStacks {
  readonly stateful: StatefulStack;
  readonly service: ServiceStack;
}

export function stackNamePrefix(config: StageConfig): string {
  return `BananaFlowCredits-${config.stageName}`;
}

export function createCreditsStacks(app: App, config: StageConfig): CreditsStacks {
  const env: Environment = { account: config.account, region: config.region };
  const tags = { service: SERVICE_NAME, stage: config.stageName };
  const prefix = stackNamePrefix(config);
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    tags,
    config,
    description: `Banana Flow Credits (${config.stageName}): table, queues, outputs bucket, Stripe and provider secrets${config.userPool.mode === 'create' ? ', user pool' : ''}`,
    terminationProtection: !isDevStage(config),
  });
  const service = new ServiceStack(app, `${prefix}-Service`, {
    env,
    tags,
    config,
    description: `Banana Flow Credits (${config.stageName}): API, functions, schedules, alarms, billing web app`,
    table: stateful.table,
    jobsQueue: stateful.jobsQueue,
    jobsDeadLetterQueue: stateful.jobsDeadLetterQueue,
    scheduleDeliveryDeadLetterQueue: stateful.scheduleDeliveryDeadLetterQueue,
    scheduleFailedRunsQueue: stateful.scheduleFailedRunsQueue,
    stripeSecret: stateful.stripeSecret,
    providerSecret: stateful.providerSecret,
    outputsBucket: stateful.outputsBucketExports,
    userPool: stateful.userPool,
    signInTrigger: stateful.teamClaims.function.function,
  });
  // Implied by the references, but the outputs bucket is imported by export name (Fn::ImportValue), which CDK does not count.
  service.addDependency(stateful, 'imports the outputs bucket by its export names');
  return { stateful, service };
}

/** Runs the AwsSolutions pack at synth: any unacknowledged finding fails the synth. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
