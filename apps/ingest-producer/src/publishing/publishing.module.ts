import { Module } from '@nestjs/common';
import { KAFKA_PRODUCER, MetricsService } from '@tickwire/service-kit';
import { MarketEventPublisher, RECORD_SINK } from './market-event-publisher';

@Module({
  providers: [
    { provide: RECORD_SINK, useExisting: KAFKA_PRODUCER },
    {
      provide: MarketEventPublisher,
      useFactory: (sink, metrics: MetricsService) => new MarketEventPublisher(sink, metrics),
      inject: [RECORD_SINK, MetricsService],
    },
  ],
  exports: [MarketEventPublisher],
})
export class PublishingModule {}
