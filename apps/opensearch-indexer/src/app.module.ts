import { Module } from '@nestjs/common';
import { BulkIndexingModule } from './bulk-indexing/bulk-indexing.module';

/** opensearch-indexer's features; config, logging, health, metrics and clients come from service-kit. */
@Module({ imports: [BulkIndexingModule] })
export class AppModule {}
