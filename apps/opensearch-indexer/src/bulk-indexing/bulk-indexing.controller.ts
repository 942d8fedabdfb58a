import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@tickwire/contracts';
import type { BatchHandlingResult, KafkaRecord } from '@tickwire/kafka';
import { BulkIndexingService } from './bulk-indexing.service';

/**
 * Customer streams in (read_committed, as the enricher writes them in transactions), one call per
 * fetched batch of one partition. The transport commits the batch's offsets only after this resolves
 * and the returned dead letters were written; a thrown error (OpenSearch unavailable after retries)
 * leaves the batch uncommitted, to be redelivered.
 */
@Controller()
export class BulkIndexingController {
  constructor(private readonly indexing: BulkIndexingService) {}

  @EventPattern(TOPICS.enriched, { batch: true })
  onEnriched(@Payload() records: KafkaRecord[]): Promise<BatchHandlingResult> {
    return this.indexing.indexRecords(records);
  }

  @EventPattern(TOPICS.bars1m, { batch: true })
  onBars(@Payload() records: KafkaRecord[]): Promise<BatchHandlingResult> {
    return this.indexing.indexRecords(records);
  }

  @EventPattern(TOPICS.alerts, { batch: true })
  onAlerts(@Payload() records: KafkaRecord[]): Promise<BatchHandlingResult> {
    return this.indexing.indexRecords(records);
  }
}
