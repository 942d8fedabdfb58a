import { loadServiceConfig } from '@tickwire/service-kit';
import { CONSUMER_GATEWAY } from './service-definition';

describe('consumer-gateway configuration', () => {
  const load = (env: NodeJS.ProcessEnv) => loadServiceConfig(CONSUMER_GATEWAY.name, CONSUMER_GATEWAY.envSchema, env);

  it('defaults to port 8080', () => {
    expect(load({})).toMatchObject({ HTTP_PORT: 8080, SERVICE_NAME: 'consumer-gateway' });
  });

  it('rejects a bad variable, naming it', () => {
    expect(() => load({ HTTP_PORT: '80a' })).toThrow('Invalid configuration for consumer-gateway: HTTP_PORT must be a port number');
    expect(() => load({ SERVICE_NAME: 'Gateway!' })).toThrow(/SERVICE_NAME must be lowercase letters/);
  });
});
