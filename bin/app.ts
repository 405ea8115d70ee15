#!/usr/bin/env node
/**
 * The CDK app: the stage config from the cdk.json context (`-c stage=<name>`), the stacks, and
 * cdk-nag. Nothing else lives here.
 */
import { App } from 'aws-cdk-lib';
import { addNagChecks, createCreditsStacks } from '../lib/credits-app';
import { readStageConfig } from '../lib/stage-config';

const app = new App();
createCreditsStacks(app, readStageConfig(app.node));
addNagChecks(app);
