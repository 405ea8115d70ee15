import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'web/dist/', '.cache/', 'coverage/', 'bench/results*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', Buffer: 'readonly', __dirname: 'readonly', module: 'writable', require: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // The domain holds the money rules: no AWS SDK, no environment, no wall clock.
    files: ['lambdas/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@aws-sdk/*', 'stripe', '../adapters/*', '../handlers/*', '../use-cases/*'] }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Pass a Clock in.' }, { object: 'process', property: 'env', message: 'Read config in lambdas/shared/config.ts.' }],
    },
  },
  {
    // Use cases and the leaf utilities they share never reach up into the composition roots or the handlers.
    files: ['lambdas/use-cases/**/*.ts', 'lambdas/shared/**/*.ts', 'lambdas/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/composition/*', '**/handlers/*'], message: 'Composition roots (lambdas/composition) and handlers sit above use cases, adapters and lambdas/shared.' }] }],
    },
  },
  {
    // The commit plan is data about a transaction, unit-tested without DynamoDB: no SDK in it.
    files: ['lambdas/adapters/dynamodb/commit-plan.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/composition/*', '**/handlers/*'], message: 'Composition roots (lambdas/composition) and handlers sit above use cases, adapters and lambdas/shared.' }, { group: ['@aws-sdk/*'], message: 'The commit plan is pure: credit-store.ts translates it for the SDK.' }] }],
    },
  },
  {
    // The web app runs in the browser and talks to the API only through its generated client.
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', location: 'readonly', history: 'readonly', sessionStorage: 'readonly', crypto: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', HTMLElement: 'readonly', KeyboardEvent: 'readonly', Intl: 'readonly' } },
    rules: {
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.name='fetch'] > Literal[value=/^\\/v1\\//]", message: 'Call the API through the typed client (web/src/api/client.ts).' }],
    },
  },
  {
    files: ['bin/**/*.ts', 'scripts/**', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
