import { Module } from '@nestjs/common';
import { IngestModule } from './ingest/ingest.module';

/** ingest-producer's features; config, logging, health, metrics and the Kafka producer come from service-kit. */
@Module({ imports: [IngestModule] })
export class AppModule {}
