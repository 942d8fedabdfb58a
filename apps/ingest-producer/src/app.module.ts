import { Module } from '@nestjs/common';
import { PublishingModule } from './publishing/publishing.module';

/** ingest-producer's features; config, logging, health, metrics and the Kafka producer come from service-kit. */
@Module({ imports: [PublishingModule] })
export class AppModule {}
