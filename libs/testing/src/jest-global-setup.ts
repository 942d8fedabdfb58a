import { ensureLocalStack, TEST_RUN_ID_ENV } from './local-stack';

/**
 * Jest `globalSetup` for projects with integration tests (`*.int-spec.ts`):
 *
 *     // jest.config.cjs
 *     globalSetup: '<rootDir>/../../libs/testing/src/jest-global-setup.ts',
 *
 * Brings the local stack up and provisions it when needed (see `ensureLocalStack`), then exports the
 * apps' connection variables (KAFKA_BROKERS, OPENSEARCH_URL, DYNAMODB_ENDPOINT, S3_ENDPOINT, AWS_REGION,
 * ARCHIVE_BUCKET) and the run id into process.env, which Jest's workers inherit. Variables already set
 * are kept, so a developer can point tests at another stack.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const stack = await ensureLocalStack();
  process.env[TEST_RUN_ID_ENV] ??= stack.runId;
  for (const [name, value] of Object.entries(stack.env)) process.env[name] ??= value;
  if (process.env['TICKWIRE_STACK_VERBOSE']) {
    console.log(`\nlocal stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
