import type { KafkaClient } from '../client/kafka-client-factory';
import type { StructuredLogger } from '../client/structured-logger';
import type { KafkaMetricsSink } from '../kafka-metrics-sink';

/** One partition's lag as the broker sees it. Offsets are decimal strings (Kafka offsets are int64). */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** The next offset the group (or the consumer) would read: committed offset, or the log start when none. */
  readonly position: string;
  /** The partition's high watermark (next offset to be appended). */
  readonly end: string;
  /** Records from `position` to `end` (0 or more). */
  readonly lagRecords: number;
}

export interface ConsumerLagMonitorOptions {
  /** The consumer group whose committed offsets are measured (the label `group` of the gauge). */
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly metrics: KafkaMetricsSink;
  readonly logger: StructuredLogger;
  /** Time between samples in ms (default 15000, a Prometheus scrape interval). */
  readonly intervalMs?: number;
  /**
   * For a consumer that never commits (the gateway fans records out from in-memory positions): its
   * next offset per `topic:partition` owned now. Partitions it does not own are not reported. Default:
   * the group's committed offsets from the broker (OffsetFetch).
   */
  readonly positions?: () => ReadonlyMap<string, string>;
}

/**
 * Consumer lag computed from the broker's offsets on a timer, so a stalled consumer shows its lag
 * growing instead of the last value a batch reported (issue 16): every `intervalMs` it asks the
 * broker for each topic's end offsets (ListOffsets) and the group's committed offsets (OffsetFetch),
 * and reports `end - committed` per partition through {@link KafkaMetricsSink.consumerGroupLag}
 * (`tickwire_consumer_group_lag_records{group,topic,partition}`). Committed offsets are what counts for
 * an operator: records below them are safely handled (for the archiver: in S3), records above them
 * would be handled again after a restart. A partition without a committed offset lags from its log
 * start. Samples are independent of the consumer's own fetches, so it works while the consumer is
 * paused, rebalancing or stuck in a handler.
 *
 * Failures to reach the broker are logged (once per failure streak) and the gauge keeps its last
 * value; the next sample tries again.
 */
export class ConsumerLagMonitor {
  private timer: NodeJS.Timeout | undefined;
  private admin: ReturnType<KafkaClient['admin']> | undefined;
  private connected = false;
  private failing = false;
  private sampling: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kafka: KafkaClient,
    private readonly options: ConsumerLagMonitorOptions,
  ) {}

  /** Starts sampling every `intervalMs` (the first sample right away). Idempotent. */
  start(): void {
    if (this.timer !== undefined) return;
    const tick = () => {
      this.sampling = this.sample().catch(() => undefined);
    };
    this.timer = setInterval(tick, this.options.intervalMs ?? 15_000);
    this.timer.unref();
    tick();
  }

  /** Stops sampling, waits for a sample in flight and disconnects its admin client. Idempotent. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.sampling;
    if (this.connected) await this.admin?.disconnect().catch(() => undefined);
    this.connected = false;
  }

  /**
   * One sample: reads the offsets, reports every partition's lag to the metrics sink and returns them
   * (by topic in `topics` order, then by partition).
   *
   * @throws the admin client's error when the broker cannot be asked (after logging it)
   */
  async sample(): Promise<PartitionLag[]> {
    const { groupId, topics, metrics, logger, positions } = this.options;
    try {
      this.admin ??= this.kafka.admin();
      if (!this.connected) {
        await this.admin.connect();
        this.connected = true;
      }
      const owned = positions?.();
      const committed = new Map<string, string>();
      if (owned === undefined) {
        for (const { topic, partitions } of await this.admin.fetchOffsets({ groupId, topics: [...topics] }))
          for (const { partition, offset } of partitions) committed.set(`${topic}:${partition}`, offset);
      }
      const lags: PartitionLag[] = [];
      for (const topic of topics) {
        const partitions = await this.admin.fetchTopicOffsets(topic);
        partitions.sort((a, b) => a.partition - b.partition);
        for (const { partition, low, high } of partitions) {
          const key = `${topic}:${partition}`;
          if (owned !== undefined && !owned.has(key)) continue;
          const at = owned?.get(key) ?? committed.get(key) ?? '-1';
          const position = BigInt(at) < 0n ? low : at;
          const lag = BigInt(high) - BigInt(position);
          const lagRecords = Number(lag > 0n ? lag : 0n);
          metrics.consumerGroupLag?.(groupId, topic, partition, lagRecords);
          lags.push({ topic, partition, position, end: high, lagRecords });
        }
      }
      this.failing = false;
      return lags;
    } catch (error) {
      this.connected = false;
      if (!this.failing)
        logger.warn({ groupId, err: String(error) }, 'Consumer lag unavailable; sampling again');
      this.failing = true;
      throw error;
    }
  }
}
