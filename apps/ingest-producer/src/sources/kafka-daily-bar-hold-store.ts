import { type KafkaClient, provisionKafka, readLatestByKey, type RecordProducer } from '@tickwire/kafka';
import type { DailyBarHoldStore, HeldDailyBar } from '@tickwire/market-sources';
import { dailyBarHoldTopicSpec } from '@tickwire/resources';
import type { Logger } from 'pino';

/** Options of {@link KafkaDailyBarHoldStore}. */
export interface KafkaDailyBarHoldStoreOptions {
  /** The compacted topic, DAILY_BAR_HOLD_TOPIC with TOPIC_PREFIX. */
  readonly topic: string;
  /** Prefix of the throwaway consumer groups that read the topic back (never committed). */
  readonly groupIdPrefix: string;
  readonly logger: Logger;
  /** Give up reading the topic back after this long, ms. Default 30,000. */
  readonly loadTimeoutMs?: number;
}

const keyOf = (symbol: string, tradingDate: string) => `${symbol}|${tradingDate}`;

/**
 * {@link DailyBarHoldStore} on a log-compacted Kafka topic (DAILY_BAR_HOLD_TOPIC): record key
 * `<symbol>|<tradingDate>`, value JSON {@link HeldDailyBar}, a tombstone when the bar is released. Writes
 * go through the service's idempotent producer one after the other (so a later save or tombstone of a key
 * is never overtaken by an earlier one); a failed write is logged and the next one still goes (the hold keeps
 * working from memory; only a restart before the next update of that bar would miss it). Released bars are
 * forgotten when they are handed to the publisher, so a crash in the milliseconds between the two loses the
 * bar like any record received then (Alpaca has no replay); a bar released and not yet forgotten when the
 * process dies is published again after the restart, with the same event id.
 */
export class KafkaDailyBarHoldStore implements DailyBarHoldStore {
  private writes: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly producer: RecordProducer,
    private readonly options: KafkaDailyBarHoldStoreOptions,
  ) {}

  /** Writes not yet acknowledged by the broker. */
  get pendingWrites(): number {
    return this.pending;
  }

  /**
   * Creates the topic when missing (compacted, one partition, the broker's replication defaults), then
   * reads it to its end.
   *
   * @returns the bars held when the previous run stopped
   * @throws the admin client's error when the topic can be neither found nor created; a
   *   CompactedTopicReadTimeoutError when it cannot be read to its end in time
   */
  async load(): Promise<readonly HeldDailyBar[]> {
    await this.ensureTopic();
    const latest = await readLatestByKey(this.kafka, {
      topic: this.options.topic,
      groupIdPrefix: this.options.groupIdPrefix,
      timeoutMs: this.options.loadTimeoutMs ?? 30_000,
    });
    const bars: HeldDailyBar[] = [];
    for (const [key, { value }] of latest) {
      try {
        bars.push(JSON.parse(value.toString('utf8')) as HeldDailyBar);
      } catch (error) {
        this.options.logger.error({ err: error, key, topic: this.options.topic }, 'Unreadable held daily bar skipped');
      }
    }
    this.options.logger.info({ held: bars.length, topic: this.options.topic }, 'Daily bars held by the previous run restored');
    return bars;
  }

  save(bar: HeldDailyBar): void {
    this.write(keyOf(bar.symbol, bar.tradingDate), JSON.stringify(bar));
  }

  forget(symbol: string, tradingDate: string): void {
    this.write(keyOf(symbol, tradingDate), null);
  }

  /** Resolves when every write so far has been acknowledged or has failed (call before the producer disconnects). */
  flush(): Promise<void> {
    return this.writes;
  }

  private write(key: string, value: string | null): void {
    this.pending += 1;
    this.writes = this.writes.then(async () => {
      try {
        await this.producer.sendBatch([{ topic: this.options.topic, key, value }]);
      } catch (error) {
        this.options.logger.error({ err: error, key, topic: this.options.topic }, 'Saving a held daily bar failed');
      } finally {
        this.pending -= 1;
      }
    });
  }

  private async ensureTopic(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await provisionKafka(admin, [{ ...dailyBarHoldTopicSpec(), name: this.options.topic }], []);
    } finally {
      await admin.disconnect();
    }
  }
}
