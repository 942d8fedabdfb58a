import type { SourceDescription } from '../sources/market-source-factory';

/** Lifecycle of an ingest run. */
export type IngestState = 'starting' | 'running' | 'completed' | 'failed';

/**
 * Body of `GET /v1/ingest/status`. Times are epoch ms UTC. Counts are records acknowledged by Kafka
 * (`acks: all`), per actual topic name.
 */
export interface IngestStatus {
  /** SOURCE: `replay`, `alpaca` or `synthetic`. */
  source: SourceDescription['source'];
  /** REPLAY_DATASET (`lobster`, `daily`, `all`) for a replay, else null. */
  dataset: SourceDescription['dataset'];
  /** Pacing (`realtime`, `x<N>`, `max`); null for the live Alpaca source. */
  speed: string | null;
  /**
   * `starting` until the producer is connected; `running` while records flow; `completed` once a finite
   * source is exhausted and every record is acknowledged; `failed` when the source or Kafka failed.
   */
  state: IngestState;
  /** When the run began reading, or null while starting. */
  startedAt: number | null;
  /** When the run completed or failed, else null. */
  completedAt: number | null;
  /** Records acknowledged per topic, e.g. `{ "market.trades.v1": 58087 }`. */
  published: Record<string, number>;
  /** Dead letters acknowledged per DLQ topic, e.g. `{ "market.bars.daily.v1.dlq": 328 }`. */
  deadLettered: Record<string, number>;
  /** Source records refused (by the source or by the contract); each becomes one dead letter. */
  rejected: number;
  /** What failed, when `state` is `failed`. */
  error?: string;
}

/**
 * Mutable run progress behind the status endpoint. Single writer (the pipeline); readers get copies.
 */
export class IngestProgress {
  private state: IngestState = 'starting';
  private startedAt: number | null = null;
  private completedAt: number | null = null;
  private readonly published = new Map<string, number>();
  private readonly deadLettered = new Map<string, number>();
  private rejected = 0;
  private error: string | undefined;

  constructor(
    private readonly description: SourceDescription,
    private readonly clock: () => number = Date.now,
  ) {}

  get currentState(): IngestState {
    return this.state;
  }

  /** Records acknowledged on all main topics. */
  get publishedTotal(): number {
    return sum(this.published);
  }

  /** Dead letters acknowledged on all DLQ topics. */
  get deadLetteredTotal(): number {
    return sum(this.deadLettered);
  }

  markRunning(): void {
    this.state = 'running';
    this.startedAt = this.clock();
  }

  markCompleted(): void {
    this.state = 'completed';
    this.completedAt = this.clock();
  }

  markFailed(error: unknown): void {
    this.state = 'failed';
    this.completedAt = this.clock();
    this.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }

  countRejected(): void {
    this.rejected += 1;
  }

  countPublished(topic: string, count: number): void {
    this.published.set(topic, (this.published.get(topic) ?? 0) + count);
  }

  countDeadLettered(dlqTopic: string, count: number): void {
    this.deadLettered.set(dlqTopic, (this.deadLettered.get(dlqTopic) ?? 0) + count);
  }

  /** A snapshot for the status endpoint. */
  snapshot(): IngestStatus {
    return {
      source: this.description.source,
      dataset: this.description.dataset,
      speed: this.description.speed,
      state: this.state,
      startedAt: this.startedAt,
      completedAt: this.completedAt,
      published: Object.fromEntries(this.published),
      deadLettered: Object.fromEntries(this.deadLettered),
      rejected: this.rejected,
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
  }
}

function sum(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}
