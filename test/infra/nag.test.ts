import { PRE_TOKEN_FUNCTION, allFunctionSpecs } from '../../lib/function-catalog';
import { Validations } from 'aws-cdk-lib';
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { constructIdOf } from '../../lib/service-functions';
import { DEV_CONFIG, PROD_CONFIG, buildApp } from './build-app';

/** The service stack's functions and the stateful stack's Cognito trigger: each a ServiceFunction with the same acknowledgements. */
const SERVICE_FUNCTIONS = [...allFunctionSpecs(), PRE_TOKEN_FUNCTION];

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

function acknowledgementsIn(app: App): Acknowledgement[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason }))),
  );
}

describe.each([
  ['dev (creates its user pool)', DEV_CONFIG],
  ['prod (imports the user pool, customer-managed key)', PROD_CONFIG],
])('cdk-nag AwsSolutions on %s', (_stage, config) => {
  const { app } = buildApp(config);

  it('reports no unacknowledged finding, errors or warnings', () => {
    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only these rules, each with a reason that explains itself', () => {
    const acknowledgements = acknowledgementsIn(app).filter((a) => a.id.startsWith('AwsSolutions-'));

    const rules = new Set(acknowledgements.map((a) => a.id.replace(/\[.*$/, '')));
    const expected = ['AwsSolutions-L1', 'AwsSolutions-APIG4', 'AwsSolutions-SMG4', 'AwsSolutions-SQS3', 'AwsSolutions-IAM5'];
    // The web app's distribution (no geo restriction, no WAF, the default certificate) and its access-log bucket.
    expected.push('AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4', 'AwsSolutions-S1');
    if (config.userPool.mode === 'create') expected.push('AwsSolutions-COG2', 'AwsSolutions-COG8');
    expect([...rules].sort()).toEqual(expected.sort());
    for (const a of acknowledgements) {
      expect(a.reason.length).toBeGreaterThan(80);
      expect(a.reason).not.toMatch(/TODO|TBD|not needed|suppress/i);
    }
  });

  it('acknowledges no wildcard except each scheduler invoking its own function, X-Ray on each function role, the outputs objects and the web deploy role\'s S3 grants', () => {
    const all = acknowledgementsIn(app).filter((a) => a.id.startsWith('AwsSolutions-IAM5'));
    const xray = all.filter((a) => a.id === 'AwsSolutions-IAM5[Resource::*]');
    const webDeploy = all.filter((a) => a.path.endsWith('/Web/DeployRole'));
    const outputs = all.filter((a) => a.id.endsWith('/outputs/*]'));
    const wildcards = all.filter((a) => a.id !== 'AwsSolutions-IAM5[Resource::*]' && !webDeploy.includes(a) && !outputs.includes(a));

    // One per role of a function with outputs access, on `<bucket>/outputs/*` only (the keys are made per job).
    const outputFunctions = allFunctionSpecs().filter((s) => s.access.outputs !== undefined);
    expect(outputs).toHaveLength(outputFunctions.length);
    for (const a of outputs) {
      expect(a.id).toBe(`AwsSolutions-IAM5[Resource::BananaFlowCredits-${config.stageName}-Stateful:OutputsBucketArn/outputs/*]`);
      expect(a.path.split('/').slice(-1)[0]).toBe('Role');
    }
    expect(outputs.map((a) => a.path.split('/').slice(-2)[0]).sort()).toEqual(outputFunctions.map((s) => constructIdOf(s.name)).sort());

    // One per function role (the statement itself is checked to be X-Ray's only: test/infra/service-stack.test.ts).
    expect(xray.map((a) => a.path.split('/').slice(-1)[0])).toEqual(xray.map(() => 'Role'));
    expect(xray).toHaveLength(SERVICE_FUNCTIONS.length);
    expect(wildcards.map((w) => w.id.replace(/[0-9A-F]{8}\.Arn/, 'ID.Arn')).sort()).toEqual([
      'AwsSolutions-IAM5[Resource::<BillingSchedulesRunBillingJobFunctionID.Arn>:*]',
      'AwsSolutions-IAM5[Resource::<SchedulesRunJobFunctionID.Arn>:*]',
    ]);
    // BucketDeployment's grants: S3 actions on the CDK assets bucket and the site bucket, no other resource.
    const assetsBucket = config.account ? `cdk-hnb659fds-assets-${config.account}-${config.region}` : 'cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>';
    expect(webDeploy.map((w) => w.id.replace(/[0-9A-F]{8}\.Arn/, 'ID.Arn')).sort()).toEqual([
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Resource::<WebSiteID.Arn>/*]',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${assetsBucket}/*]`,
    ]);
  });

  it('acknowledges the runtime of no function but the service functions and the web deploy copy function', () => {
    const runtimes = acknowledgementsIn(app).filter((a) => a.id === 'AwsSolutions-L1');

    expect(runtimes).toHaveLength(SERVICE_FUNCTIONS.length + 1);
    expect(runtimes.filter((a) => a.path.split('/')[1]?.startsWith('Custom::CDKBucketDeployment'))).toHaveLength(1);
  });

  it('acknowledges no authorization gap but the three public routes', () => {
    const open = acknowledgementsIn(app).filter((a) => a.id === 'AwsSolutions-APIG4');

    expect(open.map((a) => a.path.split('/').slice(-1)[0]).sort()).toEqual(['GET--v1--openapi.json', 'GET--v1--pricing', 'POST--v1--webhooks--stripe']);
  });
});
