/**
 * The user pool's pre-token-generation trigger (event version V2_0): writes `account_id` from the
 * user's active team link, so a signed-in member lands in their team's wallet
 * (lambdas/handlers/cognito/pre-token-generation.ts). Its role may only GetItem `USER#…` items of the
 * table (FunctionAccess `userTeamLinks`, lib/grants.ts).
 *
 * It lives in the stateful stack, with the pool it is attached to and the table it reads: attaching a
 * service-stack function to a stateful-stack pool would make each stack depend on the other. A created
 * pool gets the trigger attached here (V2_0 needs the Essentials or Plus feature plan, which the dev
 * pool sets). An imported pool is not this app's to change: the function gets the permission for
 * Cognito to invoke it from that pool, and its ARN is an output; attaching it is the one manual step
 * (docs/runbook.md, "Attach the team-claims trigger").
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PRE_TOKEN_FUNCTION_TIMEOUT_SECONDS } from '../../lambdas/handlers/cognito/pre-token-generation';
import type { FunctionSpec } from '../function-catalog';
import type { FunctionDefaults } from '../service-functions';
import { createServiceFunction } from '../service-functions';
import type { ServiceFunction } from './service-function';

export type TriggeredPool = { readonly created: cognito.UserPool } | { readonly importedUserPoolId: string };

export interface TeamClaimsTriggerProps {
  readonly spec: FunctionSpec;
  readonly functionDefaults: FunctionDefaults;
  readonly userPool: TriggeredPool;
}

export class TeamClaimsTrigger extends Construct {
  readonly function: ServiceFunction;
  /** The pool's ARN, as Cognito names it when it invokes the function. */
  readonly userPoolArn: string;

  constructor(scope: Construct, id: string, props: TeamClaimsTriggerProps) {
    super(scope, id);
    if (!props.spec.access.userTeamLinks || props.spec.access.table !== 'none') throw new Error(`${props.spec.name}: a token trigger reads team links only (access { table: 'none', userTeamLinks: true })`);
    this.function = createServiceFunction(this, props.spec, props.functionDefaults, {
      // Cognito gives a trigger 5 s, then fails the sign-in: the read's own deadline is shorter (the handler's).
      timeout: Duration.seconds(PRE_TOKEN_FUNCTION_TIMEOUT_SECONDS),
      memorySize: 512,
    });
    const fn = this.function.function;
    if ('created' in props.userPool) {
      props.userPool.created.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, fn, cognito.LambdaVersion.V2_0);
      this.userPoolArn = props.userPool.created.userPoolArn;
    } else {
      this.userPoolArn = Stack.of(this).formatArn({ service: 'cognito-idp', resource: 'userpool', resourceName: props.userPool.importedUserPoolId });
      // What addTrigger grants a created pool: Cognito may invoke the function, from this pool only.
      fn.addPermission('InvokedByUserPool', { principal: new iam.ServicePrincipal('cognito-idp.amazonaws.com'), sourceArn: this.userPoolArn, sourceAccount: Stack.of(this).account });
    }
  }
}
