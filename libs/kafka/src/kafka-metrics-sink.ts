/**
 * The metrics port of libs/kafka. service-kit's MetricsService implements it with Prometheus
 * counters and histograms; libs/kafka stays free of any metrics library. Topic labels are Kafka
 * topic names (bounded); `reason` is an error class name (bounded by the code base).
 */
export interface KafkaMetricsSink {
  /** `count` records of `topic` were handled (or dead-lettered) and their offsets committed. */
  recordsConsumed(topic: string, count: number): void;
  /** One record of `topic` was written to `<topic>.dlq` because of `reason`. */
  recordDeadLettered(topic: string, reason: string): void;
  /** A handler took `durationSeconds` for one batch (or one record) of `topic`. */
  handlerDuration(topic: string, durationSeconds: number): void;
  /**
   * After a batch: records of `topic`/`partition` behind the partition's high watermark
   * (`highWatermark - (last handled offset + 1)`), the consumer lag as the broker last reported it.
   */
  consumerLag(topic: string, partition: number, lagRecords: number): void;
  /**
   * From the broker on a timer (ConsumerLagMonitor): records of `topic`/`partition` from `group`'s
   * committed offset (or a non-committing consumer's position) to the high watermark. Optional: sinks
   * that do not export it may omit it.
   */
  consumerGroupLag?(group: string, topic: string, partition: number, lagRecords: number): void;
}

/** A sink that records nothing, for tools and tests that do not observe metrics. */
export const NOOP_KAFKA_METRICS: KafkaMetricsSink = {
  recordsConsumed: () => undefined,
  recordDeadLettered: () => undefined,
  handlerDuration: () => undefined,
  consumerLag: () => undefined,
};
