/**
 * Sequence headers: Kafka record headers (UTF-8 strings) that let a consumer know, without waiting,
 * whether it has seen everything that came before a record, and drop a record it has already
 * forwarded. They are transport metadata beside the JSON envelope (which stays unchanged), and are
 * defined here once for every producer and consumer.
 *
 * Raw topics (ingest-producer):
 * - `tickwire-source-session`: the publishing session (one per ingest-producer process start, a random
 *   id). Sequences of different sessions are unrelated.
 * - `tickwire-symbol-seq`: per (session, symbol) a contiguous counter from 1 over every record the
 *   session publishes for that symbol, whatever the raw topic (trades, quotes, daily bars, corrections,
 *   cancels, trading statuses). A consumer that has seen `n - 1` of a symbol's session has seen every
 *   earlier record of that symbol from it: the enricher's event-time merge then takes record `n` at
 *   once instead of waiting for a quiet input (see @tickwire/kafka PartitionGroup `isComplete`).
 *
 * Customer topics (enricher outputs: enriched events, 1-minute bars, alerts, corrections, halts):
 * - `tickwire-feed-seq`: `<epoch>:<n>`, where `n` counts the symbol's outputs on that topic from 1
 *   and `epoch` names the symbol's enricher state incarnation. The counters live in the symbol's state
 *   (the changelog), so after an aborted transaction the restored state re-emits the same outputs with
 *   the same numbers. Per (topic, symbol) the numbers only grow within one epoch:
 *   a consumer that reads uncommitted data (the gateway's live path) forwards a record only if its `n`
 *   is above the last it forwarded for that topic and symbol in that epoch; a new epoch starts over.
 */
export const SEQUENCE_HEADERS = {
  sourceSession: 'tickwire-source-session',
  symbolSequence: 'tickwire-symbol-seq',
  feedSequence: 'tickwire-feed-seq',
} as const;

/** A raw record's position in its publishing session: see {@link SEQUENCE_HEADERS}. */
export interface SourceSequence {
  /** The ingest-producer session that published it. */
  readonly session: string;
  /** Per (session, symbol) contiguous counter from 1. */
  readonly sequence: number;
}

/** An enricher output's position in its symbol's feed: see {@link SEQUENCE_HEADERS}. */
export interface FeedSequence {
  /** The symbol's enricher state incarnation. */
  readonly epoch: string;
  /** Per (epoch, symbol, topic) counter from 1 over the symbol's outputs on the topic. */
  readonly sequence: number;
}

type HeaderValue = string | Buffer | (string | Buffer)[] | undefined;

function headerText(value: HeaderValue): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : typeof first === 'string' ? first : first.toString('utf8');
}

function positiveInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^[1-9][0-9]{0,15}$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** The headers of a raw record published as `sequence` of `session`. */
export function buildSourceSequenceHeaders({ session, sequence }: SourceSequence): Record<string, string> {
  return { [SEQUENCE_HEADERS.sourceSession]: session, [SEQUENCE_HEADERS.symbolSequence]: String(sequence) };
}

/**
 * The source sequence of a raw record from its headers, or undefined when they are absent or
 * malformed (a record from another producer: consumers then fall back to waiting).
 */
export function parseSourceSequence(
  headers: Readonly<Record<string, HeaderValue>> | undefined,
): SourceSequence | undefined {
  const session = headerText(headers?.[SEQUENCE_HEADERS.sourceSession]);
  const sequence = positiveInteger(headerText(headers?.[SEQUENCE_HEADERS.symbolSequence]));
  return session === undefined || session === '' || sequence === undefined ? undefined : { session, sequence };
}

/** The `tickwire-feed-seq` header of an enricher output. */
export function buildFeedSequenceHeaders({ epoch, sequence }: FeedSequence): Record<string, string> {
  return { [SEQUENCE_HEADERS.feedSequence]: `${epoch}:${sequence}` };
}

/** The feed sequence of an enricher output from its headers, or undefined when absent or malformed. */
export function parseFeedSequence(
  headers: Readonly<Record<string, HeaderValue>> | undefined,
): FeedSequence | undefined {
  const text = headerText(headers?.[SEQUENCE_HEADERS.feedSequence]);
  if (text === undefined) return undefined;
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const sequence = positiveInteger(text.slice(colon + 1));
  return sequence === undefined ? undefined : { epoch: text.slice(0, colon), sequence };
}
