import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { type KafkaClient, RecordProducer } from '@tickwire/kafka';
import { KAFKA_CLIENT, MetricsService, OPENSEARCH_CLIENT, ROOT_LOGGER, SERVICE_CONFIG } from '@tickwire/service-kit';
import type { Logger } from 'pino';
import type { IndexerConfig } from '../config/indexer-env-schema';
import { BulkBatcher } from './bulk-batcher';
import { BulkIndexingService } from './bulk-indexing.service';
import { IndexTemplateInstaller } from './index-template-installer';
import { IndexerMetrics } from './indexer-metrics';
import {
  createIndexerKafkaConsumer,
  INDEXER_DLQ_PRODUCER,
  INDEXER_KAFKA_CONSUMER,
  IndexerConsumer,
} from './indexer-consumer';
import type { BulkItemOutcome } from './bulk-response';
import { type BulkOperation, DEFAULT_BULK_RETRY, OpenSearchBulkWriter } from './opensearch-bulk-writer';

/**
 * Start-up and shutdown of the indexing pipeline: installs missing index templates at bootstrap
 * (logged, not fatal: the service retries before its first bulk), and on SIGTERM cuts bulk retries
 * still pending after 5 s, so a batch stuck on an unavailable OpenSearch fails (uncommitted,
 * redelivered) instead of outliving the 10 s shutdown budget.
 */
@Injectable()
export class BulkIndexingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly abort = new AbortController();

  constructor(
    private readonly templates: IndexTemplateInstaller,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.templates.ensure();
    } catch (error) {
      this.logger.warn(
        { err: error },
        'Index templates could not be checked yet; retrying before the first bulk request',
      );
    }
  }

  beforeApplicationShutdown(): void {
    // A healthy in-flight bulk finishes and commits; only retries still waiting after 5 s are cut.
    setTimeout(() => this.abort.abort(new Error('opensearch-indexer is shutting down')), 5_000).unref();
  }
}

@Module({
  providers: [
    IndexerMetrics,
    {
      provide: INDEXER_KAFKA_CONSUMER,
      useFactory: (kafka: KafkaClient, config: IndexerConfig, logger: Logger, metrics: MetricsService) =>
        createIndexerKafkaConsumer(kafka, config, logger, metrics),
      inject: [KAFKA_CLIENT, SERVICE_CONFIG, ROOT_LOGGER, MetricsService],
    },
    {
      provide: INDEXER_DLQ_PRODUCER,
      useFactory: (kafka: KafkaClient) => new RecordProducer(kafka),
      inject: [KAFKA_CLIENT],
    },
    IndexerConsumer,
    {
      provide: IndexTemplateInstaller,
      useFactory: (client: Client) => new IndexTemplateInstaller(client),
      inject: [OPENSEARCH_CLIENT],
    },
    BulkIndexingLifecycle,
    {
      provide: BulkIndexingService,
      useFactory: (
        client: Client,
        config: IndexerConfig,
        metrics: IndexerMetrics,
        templates: IndexTemplateInstaller,
        lifecycle: BulkIndexingLifecycle,
      ) => {
        const writer = new OpenSearchBulkWriter(
          client,
          metrics,
          { ...DEFAULT_BULK_RETRY, retries: config.BULK_MAX_RETRIES },
          lifecycle.abort.signal,
          () => templates.ensure(),
        );
        const batcher = new BulkBatcher<BulkOperation, BulkItemOutcome>(
          {
            maxDocs: config.BULK_MAX_DOCS,
            maxBytes: config.BULK_MAX_BYTES,
            flushIntervalMs: config.BULK_FLUSH_INTERVAL_MS,
          },
          (operations) => writer.write(operations),
        );
        return new BulkIndexingService(batcher, metrics);
      },
      inject: [
        OPENSEARCH_CLIENT,
        SERVICE_CONFIG,
        IndexerMetrics,
        IndexTemplateInstaller,
        BulkIndexingLifecycle,
      ],
    },
  ],
})
export class BulkIndexingModule {}
