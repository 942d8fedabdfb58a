import { Module } from '@nestjs/common';
import { EnrichmentController } from './enrichment.controller';
import { EnrichmentPipeline } from './enrichment-pipeline.service';

@Module({
  controllers: [EnrichmentController],
  providers: [EnrichmentPipeline],
})
export class EnrichmentModule {}
