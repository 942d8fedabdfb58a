import { CUSTOMER_TOPICS, GOLDEN_FIXTURES, TOPICS } from '@tickwire/contracts';
import {
  archiveObjectKey,
  customerReadOnlyAcls,
  dailyIndexName,
  DYNAMODB_TABLES,
  indexTemplates,
  kafkaTopicSpecs,
  OPENSEARCH_INDEXER_ROLE,
  OPENSEARCH_READER_ROLE,
  openSearchSecurityRoles,
  SYMBOL_STATE_TABLE,
} from './index';

describe('kafkaTopicSpecs', () => {
  it('creates each stream with a DLQ, and late topics for trades and quotes only', () => {
    const names = kafkaTopicSpecs().map((t) => t.name);
    expect(names).toContain('market.trades.v1.dlq');
    expect(names).toContain('market.enriched.v1.dlq');
    expect(names).toContain('market.trades.v1.late');
    expect(names).toContain('market.quotes.v1.late');
    expect(names).not.toContain('market.enriched.v1.late');
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => !n.includes('.v1.'))).toEqual(Object.values(TOPICS));
  });

  it('applies partitions to streams, one partition to DLQs, and the replication settings everywhere', () => {
    const specs = kafkaTopicSpecs({ partitions: 6, replicationFactor: 3, minInsyncReplicas: 2 });
    expect(specs.find((t) => t.name === TOPICS.trades)?.partitions).toBe(6);
    expect(specs.find((t) => t.name === 'market.trades.v1.dlq')?.partitions).toBe(1);
    expect(specs.every((t) => t.replicationFactor === 3 && t.configs['min.insync.replicas'] === '2')).toBe(
      true,
    );
  });

  it('rejects impossible settings', () => {
    expect(() => kafkaTopicSpecs({ partitions: 0 })).toThrow(/partitions/);
    expect(() => kafkaTopicSpecs({ replicationFactor: 1, minInsyncReplicas: 2 })).toThrow(
      /minInsyncReplicas/,
    );
  });
});

describe('customerReadOnlyAcls', () => {
  it('allows only READ/DESCRIBE on customer topics and READ on customer- groups', () => {
    const acls = customerReadOnlyAcls('acme');
    expect(acls.every((a) => a.principal === 'User:acme' && a.permission === 'ALLOW')).toBe(true);
    expect(acls.some((a) => a.operation === 'WRITE' || a.operation === 'ALL')).toBe(false);
    const topics = new Set(acls.filter((a) => a.resourceType === 'TOPIC').map((a) => a.resourceName));
    expect([...topics].sort()).toEqual([...CUSTOMER_TOPICS].sort());
    expect(acls.find((a) => a.resourceType === 'GROUP')).toMatchObject({
      patternType: 'PREFIXED',
      resourceName: 'customer-',
    });
  });
});

describe('DynamoDB tables', () => {
  it('keys symbol-state by symbol and names every table once', () => {
    expect(SYMBOL_STATE_TABLE.partitionKey).toEqual({ name: 'symbol', type: 'S' });
    const names = DYNAMODB_TABLES.map((t) => t.tableName);
    expect(new Set(names).size).toBe(names.length);
    expect(DYNAMODB_TABLES.every((t) => t.billingMode === 'PAY_PER_REQUEST' && t.pointInTimeRecovery)).toBe(
      true,
    );
  });
});

describe('OpenSearch indices', () => {
  it('names daily indices by the UTC date of the event time', () => {
    // 2012-06-21T23:59:59.999-04:00 is already 2012-06-22 in UTC.
    expect(dailyIndexName('bars-1m', Date.UTC(2012, 5, 22, 3, 59, 59, 999))).toBe(
      'market-bars-1m-2012.06.22',
    );
    expect(dailyIndexName('enriched', 1340285400000)).toBe('market-enriched-2012.06.21');
    expect(() => dailyIndexName('alerts', Number.NaN)).toThrow(RangeError);
  });

  it('maps bar fields with explicit types', () => {
    const bars = indexTemplates().find((t) => t.name === 'tickwire-bars-1m');
    expect(bars?.body.index_patterns).toEqual(['market-bars-1m-*']);
    const p = bars!.body.template.mappings.properties;
    expect(p['symbol']?.type).toBe('keyword');
    expect(p['startTime']).toEqual({ type: 'date', format: 'epoch_millis' });
    for (const f of ['open', 'high', 'low', 'close', 'vwap']) expect(p[f]?.type).toBe('double');
    for (const f of ['volume', 'tradeCount']) expect(p[f]?.type).toBe('long');
  });
});

describe('openSearchSecurityRoles', () => {
  it('covers exactly the indices the templates create; only the indexer writes, nobody deletes or administers security', () => {
    const patterns = indexTemplates()
      .flatMap((t) => t.body.index_patterns)
      .sort();
    const [indexer, reader] = openSearchSecurityRoles();
    expect([indexer!.name, reader!.name]).toEqual([OPENSEARCH_INDEXER_ROLE, OPENSEARCH_READER_ROLE]);
    for (const role of [indexer!, reader!]) {
      expect(role.body.index_permissions.flatMap((p) => p.index_patterns).sort()).toEqual(patterns);
      const all = [
        ...role.body.cluster_permissions,
        ...role.body.index_permissions.flatMap((p) => p.allowed_actions),
      ];
      expect(all.filter((a) => /delete|security|all_access|\*/.test(a))).toEqual([]);
    }
    expect(indexer!.body.index_permissions[0]!.allowed_actions).toEqual(['crud', 'create_index']);
    expect(reader!.body.index_permissions[0]!.allowed_actions).toEqual(['read']);
  });
});

describe('archiveObjectKey', () => {
  it('partitions by event-time hour in UTC and names objects by topic, partition and start offset', () => {
    const key = archiveObjectKey({
      prefix: 'raw',
      topic: 'market.trades.v1',
      partition: 2,
      startOffset: 1234n,
      eventTime: Date.UTC(2012, 5, 21, 13, 30, 0, 275),
    });
    expect(key).toBe(
      'raw/market.trades.v1/year=2012/month=06/day=21/hour=13/market.trades.v1+2+00000000000000001234.json.gz',
    );
  });

  it('rejects negative offsets and non-finite times', () => {
    const ref = { prefix: 'raw', topic: 't', partition: 0, startOffset: 0, eventTime: 0 };
    expect(() => archiveObjectKey({ ...ref, startOffset: -1 })).toThrow(RangeError);
    expect(() => archiveObjectKey({ ...ref, eventTime: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });
});

describe('index templates agree with the contracts', () => {
  it('map every top-level field of the golden enriched, bar and alert events', () => {
    const streams = {
      'market.enriched.v1': 'tickwire-enriched',
      'market.bar.1m.v1': 'tickwire-bars-1m',
      'market.alert.v1': 'tickwire-alerts',
    } as const;
    for (const [schema, template] of Object.entries(streams)) {
      const mapped = indexTemplates().find((t) => t.name === template)!.body.template.mappings.properties;
      const fixtures = (GOLDEN_FIXTURES as Record<string, readonly { event: { payload: object } }[]>)[
        schema
      ]!;
      expect(fixtures.length).toBeGreaterThan(0);
      for (const { event } of fixtures) {
        for (const field of Object.keys(event.payload))
          expect([schema, field, field in mapped]).toEqual([schema, field, true]);
      }
    }
  });
});
