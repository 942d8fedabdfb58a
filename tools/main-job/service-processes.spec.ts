import { SERVICE_NAMES, SERVICE_PORTS, servicePort } from './service-processes';

describe('servicePort', () => {
  it('uses the README ports by default, one distinct port per service', () => {
    expect(servicePort('consumer-gateway', {})).toBe(8080);
    expect(new Set(SERVICE_NAMES.map((n) => servicePort(n, {}))).size).toBe(SERVICE_NAMES.length);
  });

  it('shifts every port by TICKWIRE_SERVICE_PORT_OFFSET', () => {
    const env = { TICKWIRE_SERVICE_PORT_OFFSET: '1000' };
    for (const name of SERVICE_NAMES) expect(servicePort(name, env)).toBe(SERVICE_PORTS[name] + 1000);
  });

  it('rejects an offset that is not an integer or leaves the port range', () => {
    expect(() => servicePort('enricher', { TICKWIRE_SERVICE_PORT_OFFSET: 'x' })).toThrow(/TICKWIRE_SERVICE_PORT_OFFSET/);
    expect(() => servicePort('enricher', { TICKWIRE_SERVICE_PORT_OFFSET: '60000' })).toThrow(RangeError);
  });
});
