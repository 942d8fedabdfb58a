import { Module } from '@nestjs/common';
import { EnrichmentController } from './enrichment.controller';
import { LatestMarketState } from './latest-market-state';

@Module({
  controllers: [EnrichmentController],
  providers: [{ provide: LatestMarketState, useFactory: () => new LatestMarketState() }],
})
export class EnrichmentModule {}
