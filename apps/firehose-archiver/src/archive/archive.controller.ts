import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@tickwire/contracts';
import { type BatchHandlingResult, type KafkaRecord, parseBatch } from '@tickwire/kafka';
import { S3ArchiveWriter } from './s3-archive-writer';

/**
 * Raw topics in, one or a few S3 objects per fetched batch. Records that break their contract are
 * dead-lettered (they would poison the archive's schema); an S3 failure throws, so the batch is not
 * committed and is redelivered (object keys are deterministic, so a redelivery overwrites).
 */
@Controller()
export class ArchiveController {
  constructor(private readonly writer: S3ArchiveWriter) {}

  @EventPattern(TOPICS.trades, { batch: true })
  onTrades(@Payload() records: KafkaRecord[]): Promise<BatchHandlingResult> {
    return this.archiveBatch(records);
  }

  @EventPattern(TOPICS.quotes, { batch: true })
  onQuotes(@Payload() records: KafkaRecord[]): Promise<BatchHandlingResult> {
    return this.archiveBatch(records);
  }

  @EventPattern(TOPICS.barsDaily, { batch: true })
  onDailyBars(@Payload() records: KafkaRecord[]): Promise<BatchHandlingResult> {
    return this.archiveBatch(records);
  }

  private async archiveBatch(records: KafkaRecord[]): Promise<BatchHandlingResult> {
    const { parsed, deadLetters } = parseBatch(records);
    await this.writer.write(parsed);
    return { deadLetters };
  }
}
