// Workspace lint rules. The module-boundary rule is what keeps the architecture honest:
// domain, contract and util libraries stay plain TypeScript (no NestJS, Kafka client or AWS SDK),
// so their logic is unit-testable and portable; apps wire libraries to transports.
import nx from '@nx/eslint-plugin';

const IO_PACKAGES = [
  '@nestjs/*',
  'kafkajs',
  '@aws-sdk/*',
  '@opensearch-project/*',
  'cdktf',
  '@cdktf/*',
  'express',
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '**/cdktf.out', '**/coverage', '**/*.generated.*'] },
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            // type: what a project is; a project may only depend on the layers below it.
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:feature', 'type:data-access', 'type:domain', 'type:contracts', 'type:util', 'type:testing',
              ],
            },
            {
              sourceTag: 'type:infra',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:util'],
            },
            {
              sourceTag: 'type:tools',
              onlyDependOnLibsWithTags: [
                'type:feature', 'type:data-access', 'type:domain', 'type:contracts', 'type:util', 'type:testing',
              ],
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:contracts', 'type:util'],
            },
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:contracts', 'type:util'],
            },
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:contracts', 'type:util'],
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:util'],
              bannedExternalImports: IO_PACKAGES,
            },
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:util'],
              bannedExternalImports: IO_PACKAGES,
            },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: IO_PACKAGES,
            },
            // scope: who owns it; shared libraries may not reach into a service's scope.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    // The Kafka client stays behind libs/kafka, so it can be swapped (kafkajs is in maintenance mode).
    // Integration tests may use the raw client to check what really reached the broker.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/kafka/**', 'libs/testing/**', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'kafkajs', message: 'Use @tickwire/kafka: the Kafka client is kept behind that library.' }] },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/testing/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
