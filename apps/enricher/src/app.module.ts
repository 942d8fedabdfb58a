import { Module } from '@nestjs/common';
import { EnrichmentModule } from './enrichment/enrichment.module';

/** enricher's features; config, logging, health, metrics and Kafka/DynamoDB clients come from service-kit. */
@Module({ imports: [EnrichmentModule] })
export class AppModule {}
