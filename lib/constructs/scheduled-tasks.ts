/**
 * The scheduled jobs: one function, invoked by one EventBridge Scheduler schedule per job with the
 * input `{ "job": name }`. Two kinds of failure, two queues:
 * - the scheduler cannot deliver (throttled, function missing): it retries, then the schedules DLQ;
 * - the job throws: Lambda retries the (asynchronous) run, then sends it to the failed-runs queue.
 */
import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../function-catalog';
import type { ScheduledJobSpec } from '../scheduled-jobs';
import { JOB_RUN_RETRY_ATTEMPTS, SCHEDULE_RETRY_ATTEMPTS } from '../scheduled-jobs';
import type { FunctionDefaults } from '../service-functions';
import { constructIdOf, createServiceFunction } from '../service-functions';
import type { ServiceFunction } from './service-function';

export interface ScheduledTasksProps {
  readonly function: FunctionSpec;
  readonly jobs: readonly ScheduledJobSpec[];
  readonly functionDefaults: FunctionDefaults;
  readonly deliveryDeadLetterQueue: sqs.IQueue;
  readonly failedRunsQueue: sqs.IQueue;
  /** @default Duration.minutes(10) (reconcile scans the whole table) */
  readonly timeout?: Duration;
  /** Schedules start enabled. @default true */
  readonly enabled?: boolean;
}

export class ScheduledTasks extends Construct {
  readonly runner: ServiceFunction;
  readonly group: scheduler.ScheduleGroup;
  /** By job name. */
  readonly schedules: Readonly<Record<string, scheduler.Schedule>>;

  constructor(scope: Construct, id: string, props: ScheduledTasksProps) {
    super(scope, id);
    this.runner = createServiceFunction(this, props.function, props.functionDefaults, {
      timeout: props.timeout ?? Duration.minutes(10),
      asyncInvoke: { retryAttempts: JOB_RUN_RETRY_ATTEMPTS, maxEventAge: Duration.hours(1), onFailure: new SqsDestination(props.failedRunsQueue) },
    });
    this.group = new scheduler.ScheduleGroup(this, 'Group', {});
    // One role for all schedules: may invoke this function and send to the delivery DLQ, nothing else.
    const role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account, 'aws:SourceArn': this.group.scheduleGroupArn } },
      }),
      description: 'EventBridge Scheduler: invokes the scheduled-jobs function',
    });
    const functionLogicalId: string = Stack.of(this).resolve((this.runner.function.node.defaultChild as lambda.CfnFunction).logicalId);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
      reason: 'Added by Function.grantInvoke: the function ARN qualified by any version or alias of this one function (the scheduler invokes $LATEST); no other function.',
    });

    const schedules: Record<string, scheduler.Schedule> = {};
    for (const job of props.jobs) {
      schedules[job.name] = new scheduler.Schedule(this, constructIdOf(job.name), {
        scheduleGroup: this.group,
        description: job.description,
        schedule: scheduler.ScheduleExpression.expression(job.expression, TimeZone.ETC_UTC),
        enabled: props.enabled ?? true,
        target: new LambdaInvoke(this.runner.function, {
          role,
          input: scheduler.ScheduleTargetInput.fromObject({ job: job.name }),
          retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
          maxEventAge: Duration.seconds(job.maxEventAgeSeconds),
          deadLetterQueue: props.deliveryDeadLetterQueue,
        }),
      });
    }
    this.schedules = schedules;
  }
}
