import { Module } from '@nestjs/common';
import { IngestRunService } from './ingest-run.service';
import { IngestStatusController } from './ingest-status.controller';

/** The ingest run (source -> Kafka) and its status endpoint. */
@Module({ controllers: [IngestStatusController], providers: [IngestRunService] })
export class IngestModule {}
