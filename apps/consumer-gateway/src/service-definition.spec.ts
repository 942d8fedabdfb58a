import { loadServiceConfig } from '@tickwire/service-kit';
import { CONSUMER_GATEWAY } from './service-definition';

describe('consumer-gateway configuration', () => {
  const load = (env: NodeJS.ProcessEnv) => loadServiceConfig(CONSUMER_GATEWAY.name, CONSUMER_GATEWAY.envSchema, env);

  it('defaults to port 8080', () => {
    expect(load({})).toMatchObject({ HTTP_PORT: 8080, SERVICE_NAME: 'consumer-gateway' });
  });

  it('reads the live path uncommitted unless GATEWAY_READ_UNCOMMITTED is false', () => {
    expect(load({})).toMatchObject({ GATEWAY_READ_UNCOMMITTED: true });
    expect(load({ GATEWAY_READ_UNCOMMITTED: 'FALSE' })).toMatchObject({ GATEWAY_READ_UNCOMMITTED: false });
    expect(load({ GATEWAY_READ_UNCOMMITTED: '0' })).toMatchObject({ GATEWAY_READ_UNCOMMITTED: false });
    expect(() => load({ GATEWAY_READ_UNCOMMITTED: 'no' })).toThrow(/GATEWAY_READ_UNCOMMITTED must be true, false, 1 or 0/);
  });

  it('rejects a bad variable, naming it', () => {
    expect(() => load({ HTTP_PORT: '80a' })).toThrow('Invalid configuration for consumer-gateway: HTTP_PORT must be a port number');
    expect(() => load({ SERVICE_NAME: 'Gateway!' })).toThrow(/SERVICE_NAME must be lowercase letters/);
  });
});
