import { buildEvent, ENRICHED_V1_FIXTURES, TOPICS, type EnrichedV1Event } from '@tickwire/contracts';
import type { BenchKafka } from './kafka-backlog';

/** Milliseconds between two sends of the feeder. */
const TICK_MS = 10;
const MAX_EVENTS_PER_SEND = 1_000;

/**
 * Writes valid `market.enriched.v1` events at a fixed rate straight to the topic the consumer gateway
 * reads, round-robin over `symbols`, each with `eventTime` = the moment it is sent (epoch ms): the
 * gateway's frames carry eventTime, so a subscriber's latency is its receive time minus eventTime,
 * the gateway hop alone (Kafka in, fan-out, WebSocket out) without the enricher's pace in front.
 * Events are the contracts' golden enriched trade re-keyed per symbol (validated once per symbol with
 * buildEvent), with fresh ids.
 */
export class EnrichedFeeder {
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;
  private sending = false;
  /** The first send that failed (the feeder keeps trying; the step reports it). */
  error: Error | undefined;

  private constructor(
    private readonly producer: ReturnType<BenchKafka['producer']>,
    private readonly templates: readonly EnrichedV1Event[],
    private readonly rate: number,
  ) {}

  /**
   * Connects an idempotent producer and starts sending `rate` events per second.
   *
   * @throws Error when the contracts ship no enriched fixture or a re-keyed event is invalid.
   */
  static async start(kafka: BenchKafka, symbols: readonly string[], rate: number): Promise<EnrichedFeeder> {
    const fixture = ENRICHED_V1_FIXTURES[0]?.event;
    if (!fixture) throw new Error('@tickwire/contracts ships no enriched fixture');
    const now = Date.now();
    const templates = symbols.map((symbol) => {
      const { schema: _schema, id: _id, ...input } = structuredClone(fixture);
      void _schema;
      void _id;
      const payload = {
        ...input.payload,
        symbol,
        ...('trade' in input.payload && input.payload.trade
          ? { trade: { ...input.payload.trade, symbol } }
          : {}),
      };
      return buildEvent('market.enriched.v1', {
        ...input,
        eventTime: now,
        eventTimeNs: `${now}000000`,
        ingestTime: now,
        source: 'synthetic',
        payload,
      } as never);
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const feeder = new EnrichedFeeder(producer, templates, rate);
    const started = Date.now();
    feeder.timer = setInterval(() => void feeder.tick(started), TICK_MS);
    return feeder;
  }

  private async tick(started: number): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      // Catch up to the schedule: a late tick sends more (the rate holds on average).
      const due = Math.floor(((Date.now() - started) / 1_000) * this.rate);
      // At most 1,000 events (~0.9 MB) per request: a partition's record batch must stay under the
      // broker's message.max.bytes (1 MiB) however late the tick is.
      const count = Math.min(due - this.sent, MAX_EVENTS_PER_SEND);
      if (count <= 0) return;
      const now = Date.now();
      const messages = Array.from({ length: count }, (_, k) => {
        const n = this.sent + k;
        const template = this.templates[n % this.templates.length] as EnrichedV1Event;
        const id = (n + 1).toString(16).padStart(32, '0');
        const event = {
          ...template,
          id,
          eventTime: now,
          eventTimeNs: `${now}000000`,
          ingestTime: now,
          payload: { ...template.payload, sourceEventId: id },
        };
        return { key: template.payload.symbol, value: JSON.stringify(event) };
      });
      this.sent += count;
      await this.producer.send({ topic: TOPICS.enriched, acks: -1, messages });
    } catch (error) {
      this.error ??= error instanceof Error ? error : new Error(String(error));
    } finally {
      this.sending = false;
    }
  }

  /** Events sent so far. */
  get eventsSent(): number {
    return this.sent;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.sending) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.producer.disconnect();
  }
}
