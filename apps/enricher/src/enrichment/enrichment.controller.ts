import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@tickwire/contracts';
import {
  KAFKA_TASKS_ASSIGNED,
  type KafkaConsumerContext,
  type KafkaRecord,
  type TasksAssigned,
} from '@tickwire/kafka';
import { EnrichmentPipeline } from './enrichment-pipeline.service';

/**
 * Raw trades, quotes, daily bars, trade corrections, trade cancels and trading statuses in, one fetched batch (of one partition) at a time; the pipeline
 * parses, enriches and produces it in one Kafka transaction with the batch's offsets. Dead letters
 * are written inside that transaction, so the transport gets none back.
 */
@Controller()
export class EnrichmentController {
  constructor(private readonly pipeline: EnrichmentPipeline) {}

  /** After every group join: the state of the owned tasks is restored at once, not at the first batch. */
  @EventPattern(KAFKA_TASKS_ASSIGNED)
  onTasksAssigned(@Payload() event: TasksAssigned): Promise<void> {
    return this.pipeline.tasksAssigned(event);
  }

  @EventPattern(TOPICS.trades, { batch: true })
  onTrades(@Payload() records: KafkaRecord[], @Ctx() context: KafkaConsumerContext): Promise<void> {
    return this.pipeline.handleBatch(records, context);
  }

  @EventPattern(TOPICS.quotes, { batch: true })
  onQuotes(@Payload() records: KafkaRecord[], @Ctx() context: KafkaConsumerContext): Promise<void> {
    return this.pipeline.handleBatch(records, context);
  }

  @EventPattern(TOPICS.barsDaily, { batch: true })
  onDailyBars(@Payload() records: KafkaRecord[], @Ctx() context: KafkaConsumerContext): Promise<void> {
    return this.pipeline.handleBatch(records, context);
  }

  @EventPattern(TOPICS.tradeCorrections, { batch: true })
  onTradeCorrections(@Payload() records: KafkaRecord[], @Ctx() context: KafkaConsumerContext): Promise<void> {
    return this.pipeline.handleBatch(records, context);
  }

  @EventPattern(TOPICS.tradeCancels, { batch: true })
  onTradeCancels(@Payload() records: KafkaRecord[], @Ctx() context: KafkaConsumerContext): Promise<void> {
    return this.pipeline.handleBatch(records, context);
  }

  @EventPattern(TOPICS.tradingStatus, { batch: true })
  onTradingStatus(@Payload() records: KafkaRecord[], @Ctx() context: KafkaConsumerContext): Promise<void> {
    return this.pipeline.handleBatch(records, context);
  }
}
