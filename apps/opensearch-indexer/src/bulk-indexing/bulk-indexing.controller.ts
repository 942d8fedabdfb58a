import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@tickwire/contracts';
import { type BatchHandlingResult, type KafkaRecord, parseBatch } from '@tickwire/kafka';
import { OpenSearchBulkWriter } from './opensearch-bulk-writer';

/**
 * Customer streams in, one bulk request per fetched batch. Records that break their contract, and
 * documents OpenSearch rejects permanently, are returned as dead letters; a transient OpenSearch
 * failure throws, so the batch is not committed and Kafka redelivers it (creates are idempotent).
 */
@Controller()
export class BulkIndexingController {
  constructor(private readonly writer: OpenSearchBulkWriter) {}

  @EventPattern(TOPICS.enriched, { batch: true })
  onEnriched(@Payload() records: KafkaRecord[]): Promise<BatchHandlingResult> {
    return this.indexBatch(records);
  }

  @EventPattern(TOPICS.bars1m, { batch: true })
  onBars(@Payload() records: KafkaRecord[]): Promise<BatchHandlingResult> {
    return this.indexBatch(records);
  }

  @EventPattern(TOPICS.alerts, { batch: true })
  onAlerts(@Payload() records: KafkaRecord[]): Promise<BatchHandlingResult> {
    return this.indexBatch(records);
  }

  private async indexBatch(records: KafkaRecord[]): Promise<BatchHandlingResult> {
    const { parsed, deadLetters } = parseBatch(records);
    const rejected = await this.writer.index(parsed);
    return { deadLetters: [...deadLetters, ...rejected] };
  }
}
