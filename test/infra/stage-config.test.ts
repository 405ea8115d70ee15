import { App } from 'aws-cdk-lib';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODELS } from '../../lambdas/domain/catalog';
import { readConfig } from '../../lambdas/shared/config';
import { WORKER_MEMORY_SIZE } from '../../lib/constructs/queue-workers';
import { isDevStage, parseStageConfig, providerSecretNameOf, readStageConfig } from '../../lib/stage-config';
import { DEV_CONFIG, PROD_CONFIG } from './build-app';

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };

describe('stage config', () => {
  it('fills the defaults', () => {
    const config = parseStageConfig({ stageName: 'dev', appOrigins: ['http://localhost:5173'], userPool: { mode: 'create' }, stripeSecretName: 's' });

    expect(config).toMatchObject({
      stageName: 'dev',
      jobsMaxReceiveCount: 5,
      logRetentionDays: 30,
      logLevel: 'INFO',
      tableEncryption: 'aws-managed',
      apiThrottle: { read: { rateLimit: 100, burstLimit: 200 }, write: { rateLimit: 50, burstLimit: 100 }, webhook: { rateLimit: 100, burstLimit: 200 } },
      webhookReservedConcurrency: 10,
      generationProvider: 'live',
      jobTimings: { leaseSeconds: 120, requeueAfterSeconds: 180, maxAgeSeconds: 3600 },
      workerMaxConcurrency: 10,
      workerMemoryMb: 2048,
      outputsRetentionDays: 90,
      providerModelNames: {},
      pollIntervalSeconds: 15,
    });
    expect(config.providerSecretName).toBeUndefined();
    expect(providerSecretNameOf(config)).toBe('banana-flow-credits/dev/model-providers');
    expect(providerSecretNameOf({ ...config, providerSecretName: 'bf/dev/keys' })).toBe('bf/dev/keys');
    expect(config.workerMemoryMb).toBe(WORKER_MEMORY_SIZE);
    expect(isDevStage(config)).toBe(true);
    expect(isDevStage(parseStageConfig(PROD_CONFIG))).toBe(false);
  });

  it.each([
    ['a malformed alarm email', { alarmEmails: { page: 'not-an-email', ticket: 'a@banana-flow.app' } }, 'alarmEmails.page'],
    ['a placeholder alarm domain', { alarmEmails: { page: 'oncall@banana-flow.app', ticket: 'alerts@example.com' } }, 'alarmEmails.ticket'],
    ['a .example alarm domain', { alarmEmails: { page: 'oncall@bananaflow.example', ticket: 'a@banana-flow.app' } }, 'alarmEmails.page'],
    ['a .test alarm domain', { alarmEmails: { page: 'x@alerts.test', ticket: 'a@banana-flow.app' } }, 'alarmEmails.page'],
    ['a requeue before the lease ends', { jobTimings: { leaseSeconds: 120, requeueAfterSeconds: 60, maxAgeSeconds: 3600 } }, 'jobTimings'],
    ['a max age shorter than a requeue and a lease', { jobTimings: { leaseSeconds: 120, requeueAfterSeconds: 180, maxAgeSeconds: 240 } }, 'jobTimings'],
    ['a burst below its rate', { apiThrottle: { ...parseStageConfig(DEV_CONFIG).apiThrottle, read: { rateLimit: 100, burstLimit: 50 } } }, 'apiThrottle'],
    ['an origin with a path', { appOrigins: ['https://app.example.com/'] }, 'appOrigins.0'],
    ['no origin', { appOrigins: [] }, 'appOrigins'],
    ['an imported pool without clients', { userPool: { mode: 'import', userPoolId: 'us-east-1_Abc123', appClientIds: [] } }, 'userPool.appClientIds'],
    ['a malformed user pool id', { userPool: { mode: 'import', userPoolId: 'AbC', appClientIds: ['abc'] } }, 'userPool.userPoolId'],
    ['a log retention CloudWatch does not offer', { logRetentionDays: 10 }, 'logRetentionDays'],
    ['a zero maxReceiveCount', { jobsMaxReceiveCount: 0 }, 'jobsMaxReceiveCount'],
    ['a max job age below the lease', { jobTimings: { leaseSeconds: 300, requeueAfterSeconds: 180, maxAgeSeconds: 120 } }, 'jobTimings'],
    ['an unknown setting', { tableName: 'x' }, 'tableName'],
    ['a worker below 1024 MB (it buffers videos of up to 200 MiB)', { workerMemoryMb: 512 }, 'workerMemoryMb'],
    ['a worker above Lambda\'s 10240 MB', { workerMemoryMb: 10_241 }, 'workerMemoryMb'],
    ['outputs kept less than a presigned URL may live (7 days)', { outputsRetentionDays: 3 }, 'outputsRetentionDays'],
    ['a fractional outputs retention', { outputsRetentionDays: 30.5 }, 'outputsRetentionDays'],
    ['a poll interval SQS cannot delay (over 900 s)', { pollIntervalSeconds: 901 }, 'pollIntervalSeconds'],
    ['a poll interval under 5 s (a running video would be polled in a tight loop)', { pollIntervalSeconds: 4 }, 'pollIntervalSeconds'],
    ['a provider model name for a model the catalog does not have', { providerModelNames: { 'nano-banana-3': 'gemini-9' } }, 'providerModelNames'],
    ['an empty provider model name', { providerModelNames: { 'veo-3.1': '' } }, 'providerModelNames'],
    ['a provider model name with spaces', { providerModelNames: { 'veo-3.1': 'veo 3.1' } }, 'providerModelNames'],
    ['a malformed providers\' secret name', { providerSecretName: 'has spaces' }, 'providerSecretName'],
    ['a Stripe secret key where the publishable key goes (it is served to browsers)', { stripePublishableKey: 'sk_live_51Habc' }, 'stripePublishableKey'],
    ['a restricted Stripe key as the publishable key', { stripePublishableKey: 'rk_test_51Habc' }, 'stripePublishableKey'],
    ['a publishable key of no mode', { stripePublishableKey: 'pk_51Habc' }, 'stripePublishableKey'],
    ['a web certificate outside us-east-1 (CloudFront cannot use it)', { webDomain: { domainName: 'billing.bananaflow.app', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' } }, 'webDomain.certificateArn'],
    ['a web domain that is a URL', { webDomain: { domainName: 'https://billing.bananaflow.app', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' } }, 'webDomain.domainName'],
    ['a sign-in domain over http', { userPool: { mode: 'import', userPoolId: 'us-east-1_Abc123', appClientIds: ['abc'], loginDomain: 'http://auth.bananaflow.app' } }, 'userPool.loginDomain'],
    ['a sign-in domain with a path', { userPool: { mode: 'import', userPoolId: 'us-east-1_Abc123', appClientIds: ['abc'], loginDomain: 'https://auth.bananaflow.app/login' } }, 'userPool.loginDomain'],
  ])('refuses %s, naming the setting', (_what, override, setting) => {
    expect(() => parseStageConfig({ ...DEV_CONFIG, ...override })).toThrow(new RegExp(`Invalid stage configuration: .*${setting.replace('.', '\\.')}`));
  });

  it.each([
    ['no account', { account: undefined }, 'account'],
    ['no region', { region: undefined }, 'region'],
    ['no one to alarm', { alarmEmails: undefined }, 'alarmEmails'],
    ['the simulated model', { generationProvider: 'simulated' }, 'generationProvider'],
    ['a user pool in another region', { region: 'us-east-1' }, 'userPool'],
  ])('refuses a non-dev stage with %s', (_what, override, setting) => {
    expect(() => parseStageConfig({ ...PROD_CONFIG, ...override })).toThrow(new RegExp(`Invalid stage configuration: .*${setting}`));
  });

  it('takes a Stripe publishable key, an imported pool\'s sign-in domain and a web domain, all optional', () => {
    expect(parseStageConfig(DEV_CONFIG).stripePublishableKey).toBeUndefined();
    expect(parseStageConfig({ ...DEV_CONFIG, stripePublishableKey: 'pk_test_51HabcDEF123' }).stripePublishableKey).toBe('pk_test_51HabcDEF123');
    expect(parseStageConfig({ ...PROD_CONFIG, stripePublishableKey: 'pk_live_51HabcDEF123' }).stripePublishableKey).toBe('pk_live_51HabcDEF123');
    const imported = { mode: 'import', userPoolId: 'eu-west-1_AbCdEf123', appClientIds: ['abc'], loginDomain: 'https://auth.bananaflow.app' } as const;
    expect(parseStageConfig({ ...PROD_CONFIG, userPool: imported }).userPool).toEqual(imported);
    const webDomain = { domainName: 'billing.bananaflow.app', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' };
    expect(parseStageConfig({ ...PROD_CONFIG, webDomain }).webDomain).toEqual(webDomain);
    expect(parseStageConfig(PROD_CONFIG).webDomain).toBeUndefined();
  });

  it("takes the providers' model names by catalog model id", () => {
    const names = { 'nano-banana-2': 'gemini-3.1-flash-image-preview', 'veo-3.1': 'veo-3.1-generate-001', 'seedance-2.0': 'dreamina-seedance-2-0-260128' };
    expect(parseStageConfig({ ...PROD_CONFIG, providerModelNames: names }).providerModelNames).toEqual(names);
    for (const model of MODELS) expect(parseStageConfig({ ...DEV_CONFIG, providerModelNames: { [model.id]: model.defaultProviderModel } }).providerModelNames).toEqual({ [model.id]: model.defaultProviderModel });
    // What the functions get is what their config accepts.
    const env = { TABLE_NAME: 'ledger', JOBS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', PROVIDER_MODEL_NAMES: JSON.stringify(names), POLL_INTERVAL_SECONDS: '900' };
    expect(readConfig(env)).toMatchObject({ PROVIDER_MODEL_NAMES: names, POLL_INTERVAL_SECONDS: 900 });
  });

  it('lets dev go without account, region or alarm emails, and run the simulated model', () => {
    const config = parseStageConfig({ ...DEV_CONFIG, alarmEmails: undefined });
    expect(config).toMatchObject({ stageName: 'dev', generationProvider: 'simulated' });
    expect(config.account).toBeUndefined();
  });

  it('reads the stage selected with -c stage=<name> from the context', () => {
    const app = new App({ context: { stage: 'prod', stages: { dev: DEV_CONFIG, prod: { ...PROD_CONFIG, stageName: undefined } } } });

    const config = readStageConfig(app.node);

    expect(config.stageName).toBe('prod');
    expect(config.userPool).toEqual(PROD_CONFIG.userPool);
  });

  it('names the known stages when the selected one is missing', () => {
    const app = new App({ context: { stage: 'qa', stages: { dev: DEV_CONFIG } } });

    expect(() => readStageConfig(app.node)).toThrow(/no "stages\.qa".*known: dev/);
  });

  it('refuses a run without a stage', () => {
    expect(() => readStageConfig(new App().node)).toThrow(/no stage selected/);
  });

  it('cdk.json selects a valid dev stage by default and keeps the CLI offline', () => {
    const app = new App({ context: cdkJson.context });

    const config = readStageConfig(app.node);

    expect(config.stageName).toBe('dev');
    expect(config.userPool.mode).toBe('create');
    expect(config.generationProvider).toBe('simulated');
    expect(cdkJson.context['cli-telemetry']).toBe(false);
    expect(cdkJson.app).toMatch(/^node_modules\/\.bin\/tsx .*bin\/app\.ts$/);
  });
});
