import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@tickwire/contracts';
import { type KafkaRecord, parseRecord } from '@tickwire/kafka';
import { LatestMarketState } from './latest-market-state';

/**
 * Raw trades and quotes in. Parses each record against its contract; a record that breaks it throws
 * EventContractError, which the Kafka transport dead-letters to `<topic>.dlq` before committing.
 */
@Controller()
export class EnrichmentController {
  constructor(private readonly state: LatestMarketState) {}

  @EventPattern(TOPICS.trades)
  onTrade(@Payload() record: KafkaRecord): void {
    this.state.applyTrade(parseRecord(TOPICS.trades, record));
  }

  @EventPattern(TOPICS.quotes)
  onQuote(@Payload() record: KafkaRecord): void {
    this.state.applyQuote(parseRecord(TOPICS.quotes, record));
  }
}
