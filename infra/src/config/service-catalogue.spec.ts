import { ENRICHER_STATE_CHANGELOG_TOPIC } from '@tickwire/resources';
import { CUSTOMER_TOPICS, TOPICS } from '@tickwire/contracts';
import { dailyBarHoldTopicSpec, DYNAMODB_TABLES, enricherChangelogTopicSpec, kafkaTopicSpecs } from '@tickwire/resources';
import { SERVICE_NAMES, SERVICES, serviceDeploymentNames } from './service-catalogue';
import { serviceKafkaAcls } from './service-kafka-acls';

describe('service catalogue', () => {
  it('lists each deployable app once, with the workspace port convention', () => {
    expect(SERVICES.map((s) => s.name)).toEqual([...SERVICE_NAMES]);
    expect(Object.fromEntries(SERVICES.map((s) => [s.name, s.port]))).toEqual({
      'consumer-gateway': 8080,
      'ingest-producer': 8081,
      enricher: 8082,
      'opensearch-indexer': 8083,
      'firehose-archiver': 8084,
    });
  });

  it('names only topics and tables that the shared definitions create', () => {
    const topics = new Set([...kafkaTopicSpecs(), enricherChangelogTopicSpec(), dailyBarHoldTopicSpec()].map((t) => t.name));
    const tables = new Set(DYNAMODB_TABLES.map((t) => t.tableName));
    for (const service of SERVICES) {
      for (const topic of [...service.consumes, ...service.produces]) expect(topics).toContain(topic);
      for (const table of service.tables) expect(tables).toContain(table.tableName);
      expect(Boolean(service.consumerGroup ?? service.restoreGroupPrefix)).toBe(service.consumes.length > 0);
      // A group per instance is `<consumerGroup>-<instance>`: only a PREFIXED ACL admits it.
      if (service.consumerGroupPerInstance) expect(service.consumerGroupPattern).toBe('PREFIXED');
    }
  });

  it('puts only the gateway on the internet (the stack names its load balancer <prefix>-api)', () => {
    expect(SERVICES.filter((s) => s.internetFacing).map((s) => s.name)).toEqual(['consumer-gateway']);
  });

  it('derives deployment names from environment and service', () => {
    expect(serviceDeploymentNames('prod', 'enricher')).toEqual({
      cluster: 'tickwire-prod',
      service: 'enricher',
      repository: 'tickwire/enricher',
      taskFamily: 'tickwire-prod-enricher',
      logGroup: '/tickwire/prod/enricher',
      namesParameter: '/tickwire/prod/deploy/enricher/names',
      imageTagParameter: '/tickwire/prod/deploy/enricher/image-tag',
      parameterKey: 'alias/tickwire-prod',
    });
  });
});

describe('serviceKafkaAcls', () => {
  const enricher = SERVICES.find((s) => s.name === 'enricher')!;
  const gateway = SERVICES.find((s) => s.name === 'consumer-gateway')!;

  it('lets the enricher read raw topics and its changelog, write enriched ones, its DLQs and changelog, and use its group and transactions', () => {
    const acls = serviceKafkaAcls(enricher);
    expect(acls.every((a) => a.principal === 'User:tickwire-enricher' && a.permission === 'ALLOW')).toBe(
      true,
    );
    const on = (op: string): string[] =>
      acls.filter((a) => a.resourceType === 'TOPIC' && a.operation === op).map((a) => a.resourceName);
    expect(on('READ').sort()).toEqual([TOPICS.barsDaily, TOPICS.quotes, TOPICS.trades, TOPICS.tradeCorrections, TOPICS.tradeCancels, TOPICS.tradingStatus, ENRICHER_STATE_CHANGELOG_TOPIC].sort());
    expect(on('WRITE')).toEqual(
      expect.arrayContaining([...CUSTOMER_TOPICS, 'market.trades.v1.dlq', 'market.trades.v1.late', 'market.trade-corrections.v1.dlq', 'market.trading-status.v1.dlq', ENRICHER_STATE_CHANGELOG_TOPIC]),
    );
    expect(on('WRITE')).not.toEqual(expect.arrayContaining(['market.trade-corrections.v1.late']));
    expect(on('WRITE')).not.toEqual(expect.arrayContaining(['market.trades.v1']));
    expect(acls).toContainEqual(
      expect.objectContaining({ resourceType: 'GROUP', resourceName: 'enricher', operation: 'READ' }),
    );
    expect(acls).toContainEqual(
      expect.objectContaining({
        resourceType: 'TRANSACTIONAL_ID',
        patternType: 'PREFIXED',
        resourceName: 'enricher',
        operation: 'WRITE',
      }),
    );
  });

  it('lets the gateway write only its dead letters, never ALL, and gives its instances their own groups', () => {
    const acls = serviceKafkaAcls(gateway);
    // market-feed-consumer dead-letters records it cannot parse; it never writes a customer topic.
    expect(acls.filter((a) => a.operation === 'WRITE').map((a) => a.resourceName)).toEqual(
      CUSTOMER_TOPICS.map((t) => `${t}.dlq`),
    );
    expect(acls.some((a) => a.operation === 'ALL')).toBe(false);
    expect(acls).toContainEqual(
      expect.objectContaining({
        resourceType: 'GROUP',
        resourceName: 'consumer-gateway',
        patternType: 'PREFIXED',
      }),
    );
    const indexer = SERVICES.find((s) => s.name === 'opensearch-indexer')!;
    expect(serviceKafkaAcls(indexer)).toContainEqual(
      expect.objectContaining({ resourceType: 'GROUP', resourceName: 'opensearch-indexer', patternType: 'LITERAL' }),
    );
  });

  it('lets the enricher restore its state with throwaway groups under its group prefix (enricher-restore-<id>)', () => {
    expect(serviceKafkaAcls(enricher)).toContainEqual(
      expect.objectContaining({ resourceType: 'GROUP', resourceName: 'enricher', patternType: 'PREFIXED', operation: 'READ' }),
    );
  });
});
