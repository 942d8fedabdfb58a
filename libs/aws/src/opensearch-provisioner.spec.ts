import type { Client } from '@opensearch-project/opensearch';
import { openSearchSecurityRoles } from '@tickwire/resources';
import { provisionOpenSearchSecurity } from './opensearch-provisioner';

describe('provisionOpenSearchSecurity', () => {
  it('puts every role, then each mapping with exactly the given backend roles', async () => {
    const requests: { method: string; path: string; body: unknown }[] = [];
    const client = {
      transport: {
        request: (params: { method: string; path: string; body: unknown }) => {
          requests.push(params);
          return Promise.resolve({ statusCode: 200, body: { status: 'OK' } });
        },
      },
    } as unknown as Client;
    const indexer = 'arn:aws:iam::123456789012:role/tickwire-prod-opensearch-indexer-task';
    const mapped = await provisionOpenSearchSecurity(client, openSearchSecurityRoles(), {
      tickwire_reader: [],
      tickwire_indexer: [indexer],
    });
    expect(mapped).toEqual(['tickwire_indexer', 'tickwire_reader']);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /_plugins/_security/api/roles/tickwire_indexer',
      'PUT /_plugins/_security/api/roles/tickwire_reader',
      'PUT /_plugins/_security/api/rolesmapping/tickwire_indexer',
      'PUT /_plugins/_security/api/rolesmapping/tickwire_reader',
    ]);
    expect(requests[2]!.body).toEqual({ backend_roles: [indexer] });
    expect(requests[3]!.body).toEqual({ backend_roles: [] });
  });

  it('stops at the first refusal (a caller without security rights gets 403)', async () => {
    const client = {
      transport: { request: () => Promise.reject(new Error('403 security_exception')) },
    } as unknown as Client;
    await expect(provisionOpenSearchSecurity(client, openSearchSecurityRoles(), {})).rejects.toThrow('403');
  });
});
