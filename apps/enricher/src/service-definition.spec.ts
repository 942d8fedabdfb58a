import { loadServiceConfig } from '@tickwire/service-kit';
import { ENRICHER } from './service-definition';

describe('enricher configuration', () => {
  const load = (env: NodeJS.ProcessEnv) => loadServiceConfig(ENRICHER.name, ENRICHER.envSchema, env);

  it('defaults to the local stack on port 8082', () => {
    expect(load({})).toMatchObject({
      HTTP_PORT: 8082,
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      AWS_REGION: 'us-east-1',
    });
  });

  it('rejects a bad variable, naming it', () => {
    expect(() => load({ DYNAMODB_ENDPOINT: 'localhost:8000' })).toThrow(
      'Invalid configuration for enricher: DYNAMODB_ENDPOINT must be an http:// or https:// URL',
    );
    expect(() => load({ AWS_REGION: 'mars' })).toThrow(/AWS_REGION must be an AWS region/);
  });
});
