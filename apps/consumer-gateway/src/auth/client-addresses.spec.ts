import { loadServiceConfig, ServiceConfigError } from '@tickwire/service-kit';
import { gatewayEnvSchema } from '../config/gateway-config';
import { clientAddress, trustedProxyList } from './client-addresses';

describe('clientAddress', () => {
  const behindLoadBalancer = trustedProxyList(['10.40.0.0/16']);
  const none = trustedProxyList([]);

  it('takes the address the trusted load balancer appended, not what the client claimed before it', () => {
    // A client may send its own X-Forwarded-For; the load balancer appends the address it saw.
    expect(clientAddress('10.40.252.7', '1.2.3.4, 203.0.113.9', behindLoadBalancer)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:10.40.253.1', ['198.51.100.2'], behindLoadBalancer)).toBe('198.51.100.2');
  });

  it('walks past every trusted hop, and stops at the first untrusted one', () => {
    expect(clientAddress('10.40.252.7', '198.51.100.2, 10.40.1.5', behindLoadBalancer)).toBe('198.51.100.2');
    expect(clientAddress('10.40.252.7', 'not-an-address, 10.40.1.5', behindLoadBalancer)).toBe('not-an-address');
  });

  it('believes no header from a peer that is not a trusted proxy, nor when no proxy is trusted', () => {
    expect(clientAddress('203.0.113.9', '1.2.3.4', behindLoadBalancer)).toBe('203.0.113.9');
    expect(clientAddress('10.40.252.7', '1.2.3.4', none)).toBe('10.40.252.7');
  });

  it('keeps the trusted peer when there is no header, and says unknown without a peer', () => {
    expect(clientAddress('10.40.252.7', undefined, behindLoadBalancer)).toBe('10.40.252.7');
    expect(clientAddress(undefined, '1.2.3.4', behindLoadBalancer)).toBe('unknown');
  });

  it('trusts IPv6 ranges too', () => {
    expect(clientAddress('fd00::5', '2001:db8::1', trustedProxyList(['fd00::/8']))).toBe('2001:db8::1');
  });
});

describe('TRUSTED_PROXIES', () => {
  it('defaults to none and parses a CIDR list', () => {
    expect(loadServiceConfig('consumer-gateway', gatewayEnvSchema, {}).TRUSTED_PROXIES).toEqual([]);
    expect(
      loadServiceConfig('consumer-gateway', gatewayEnvSchema, { TRUSTED_PROXIES: '10.40.0.0/16, fd00::/8' }).TRUSTED_PROXIES,
    ).toEqual(['10.40.0.0/16', 'fd00::/8']);
  });

  it.each(['10.40.0.0', '10.40.0.0/33', 'proxy.internal/16'])('refuses %s', (value) => {
    expect(() => loadServiceConfig('consumer-gateway', gatewayEnvSchema, { TRUSTED_PROXIES: value })).toThrow(
      ServiceConfigError,
    );
  });
});
