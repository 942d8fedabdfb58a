import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { KafkaClient, RecordProducer } from '@tickwire/kafka';
import { DAILY_BAR_HOLD_TOPIC } from '@tickwire/resources';
import type { AlpacaSourceEvent } from '@tickwire/market-sources';
import { InjectServiceConfig, KAFKA_CLIENT, KAFKA_PRODUCER, MetricsService, ROOT_LOGGER } from '@tickwire/service-kit';
import type { Logger } from 'pino';
import type { IngestProducerConfig } from '../config/ingest-producer-env';
import { KafkaDailyBarHoldStore } from '../sources/kafka-daily-bar-hold-store';
import { createMarketSource } from '../sources/market-source-factory';
import { PrometheusIngestMetrics } from './ingest-metrics';
import { IngestPipeline } from './ingest-pipeline';
import { IngestProgress, type IngestStatus } from './ingest-status';

/** How often the run waits for the producer to connect, ms. */
const PRODUCER_POLL_MS = 50;

/**
 * The service's one ingest run: builds the configured source and an {@link IngestPipeline} on the
 * service's idempotent producer, starts it once the app is up, and drains it on shutdown.
 *
 * Start: at application bootstrap, without blocking it (health and metrics answer during the run). The
 * run waits for service-kit's producer to be connected first, since Nest gives no order between the
 * bootstrap hooks of different modules.
 * Shutdown (SIGTERM): `beforeApplicationShutdown` runs before service-kit disconnects the producer: the
 * source stops being read, the batch being filled is sent and in-flight batches are awaited; the
 * SHUTDOWN_TIMEOUT_MS watchdog (default 10 s) bounds it all.
 * After a finite source completes, the service stays up (status `completed`) until it is stopped.
 */
@Injectable()
export class IngestRunService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly progress: IngestProgress;
  private readonly pipeline: IngestPipeline;
  private readonly logger: Logger;
  private readonly dailyBarStore: KafkaDailyBarHoldStore | undefined;
  private run: Promise<void> | undefined;
  private shuttingDown = false;

  constructor(
    @InjectServiceConfig() private readonly config: IngestProducerConfig,
    @Inject(KAFKA_PRODUCER) private readonly producer: RecordProducer,
    metrics: MetricsService,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    @Inject(KAFKA_CLIENT) kafka: KafkaClient,
  ) {
    this.logger = rootLogger.child({ component: 'ingest' });
    // Alpaca's daily bars wait for their session's close in the source; this keeps them across a restart.
    this.dailyBarStore =
      config.SOURCE === 'alpaca' && config.ALPACA_CHANNELS.includes('dailyBars')
        ? new KafkaDailyBarHoldStore(kafka, producer, {
            topic: `${config.TOPIC_PREFIX}${DAILY_BAR_HOLD_TOPIC}`,
            groupIdPrefix: config.SERVICE_NAME,
            logger: rootLogger.child({ component: 'daily-bar-hold' }),
          })
        : undefined;
    const { source, description } = createMarketSource(config, {
      onAlpacaEvent: (event) => this.logAlpacaEvent(event),
      ...(this.dailyBarStore ? { dailyBarStore: this.dailyBarStore } : {}),
    });
    this.progress = new IngestProgress(description);
    this.pipeline = new IngestPipeline({
      source,
      sink: producer,
      progress: this.progress,
      metrics: new PrometheusIngestMetrics(metrics),
      serviceName: config.SERVICE_NAME,
      topicPrefix: config.TOPIC_PREFIX,
      batchSize: config.PUBLISH_BATCH_SIZE,
      maxBatchBytes: config.PUBLISH_BATCH_MAX_BYTES,
      lingerMs: config.PUBLISH_LINGER_MS,
      maxInFlight: config.PUBLISH_MAX_IN_FLIGHT,
      retryTimeoutMs: config.PUBLISH_RETRY_TIMEOUT_MS,
      onPublishRetry: (error, attempt, delayMs) =>
        this.logger.warn({ err: error, attempt, delayMs }, 'Publishing a batch failed; sending it again'),
      pacing: config.SOURCE === 'alpaca' ? null : config.REPLAY_SPEED,
    });
  }

  /** The run's status (body of `GET /v1/ingest/status`). */
  status(): IngestStatus {
    return this.progress.snapshot();
  }

  onApplicationBootstrap(): void {
    this.run = this.execute();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    this.logger.info('Stopping the source and draining in-flight batches');
    await this.pipeline.stop();
    await this.run;
    await this.dailyBarStore?.flush();
  }

  private async execute(): Promise<void> {
    while (!this.producer.isConnected) {
      if (this.shuttingDown) return;
      await new Promise((resolve) => setTimeout(resolve, PRODUCER_POLL_MS));
    }
    const status = this.progress.snapshot();
    this.logger.info(
      { source: status.source, dataset: status.dataset, speed: status.speed, batchSize: this.config.PUBLISH_BATCH_SIZE, topicPrefix: this.config.TOPIC_PREFIX },
      'Ingest started',
    );
    const began = performance.now();
    await this.pipeline.run();
    const seconds = (performance.now() - began) / 1000;
    const published = this.progress.publishedTotal;
    const deadLettered = this.progress.deadLetteredTotal;
    const summary = {
      ...this.progress.snapshot(),
      durationSeconds: Math.round(seconds * 1000) / 1000,
      recordsPerSecond: seconds > 0 ? Math.round((published + deadLettered) / seconds) : null,
    };
    if (summary.state === 'failed') this.logger.error(summary, 'Ingest failed');
    else if (summary.state === 'completed') this.logger.info(summary, 'Ingest completed; staying up until stopped');
    else this.logger.info(summary, 'Ingest stopped');
  }

  private logAlpacaEvent(event: AlpacaSourceEvent): void {
    if (event.type === 'server-error' || event.type === 'disconnected') this.logger.warn({ alpaca: event }, `Alpaca ${event.type}`);
    else this.logger.info({ alpaca: event }, `Alpaca ${event.type}`);
  }
}
