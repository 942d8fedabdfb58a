import type { S3Client } from '@aws-sdk/client-s3';
import { type BeforeApplicationShutdown, Injectable, Module } from '@nestjs/common';
import type { DeferredCommitConsumer, KafkaClient } from '@tickwire/kafka';
import { KAFKA_CLIENT, MetricsService, ROOT_LOGGER, S3_CLIENT, SERVICE_CONFIG } from '@tickwire/service-kit';
import type { Logger } from 'pino';
import type { ArchiverConfig } from '../config/archiver-env-schema';
import {
  ARCHIVE_KAFKA_CONSUMER,
  ArchiveConsumer,
  consumerOffsetCommitter,
  createArchiveKafkaConsumer,
} from './archive-consumer';
import { ArchiveService } from './archive.service';
import { ArchiverMetrics } from './archiver-metrics';
import { DEFAULT_UPLOAD_RETRY, S3ArchiveStore } from './s3-archive-store';

/** Cuts pending upload retries short late in shutdown, so a dead S3 cannot outlive the 10 s budget. */
@Injectable()
export class UploadAbort implements BeforeApplicationShutdown {
  readonly controller = new AbortController();

  beforeApplicationShutdown(): void {
    // The final flush (ArchiveConsumer) gets most of the budget; past 6 s its retries stop and the
    // unflushed records stay uncommitted, to be redelivered.
    setTimeout(() => this.controller.abort(new Error('firehose-archiver is shutting down')), 6_000).unref();
  }
}

@Module({
  providers: [
    ArchiverMetrics,
    UploadAbort,
    {
      provide: ARCHIVE_KAFKA_CONSUMER,
      useFactory: (kafka: KafkaClient, config: ArchiverConfig, logger: Logger, metrics: MetricsService) =>
        createArchiveKafkaConsumer(kafka, config, logger, metrics),
      inject: [KAFKA_CLIENT, SERVICE_CONFIG, ROOT_LOGGER, MetricsService],
    },
    {
      provide: ArchiveService,
      useFactory: (
        s3: S3Client,
        consumer: DeferredCommitConsumer,
        config: ArchiverConfig,
        metrics: ArchiverMetrics,
        abort: UploadAbort,
      ) =>
        new ArchiveService(
          {
            sizeBytes: config.BUFFER_SIZE_MIB * 1024 * 1024,
            intervalMs: config.BUFFER_INTERVAL_SECONDS * 1_000,
          },
          { dataPrefix: config.ARCHIVE_PREFIX, errorPrefix: config.ARCHIVE_ERROR_PREFIX },
          new S3ArchiveStore(
            s3,
            config.ARCHIVE_BUCKET,
            { ...DEFAULT_UPLOAD_RETRY, retries: config.UPLOAD_MAX_RETRIES },
            abort.controller.signal,
          ),
          consumerOffsetCommitter(consumer),
          metrics,
          Date.now,
          config.KAFKA_TOPIC_PREFIX,
        ),
      inject: [S3_CLIENT, ARCHIVE_KAFKA_CONSUMER, SERVICE_CONFIG, ArchiverMetrics, UploadAbort],
    },
    ArchiveConsumer,
  ],
})
export class ArchiveModule {}
