import { safeParseEvent, type TopicName } from '@tickwire/contracts';
import {
  buildBadInputCorpus,
  CORPUS_OVERSIZED_BYTES,
  DEFAULT_CORPUS_TOPICS,
  expectedBadInputCounts,
  sinkTopicOf,
} from './bad-input-corpus';

/** Error classes the contract parser decides; the others need the enricher's state or reference data. */
const PARSER_CLASSES = new Set([
  'MalformedJson',
  'EmptyValue',
  'SchemaViolation',
  'ClockSkew',
  'OversizedRecord',
]);

describe('bad-input corpus', () => {
  const ingestTime = Date.UTC(2026, 10, 21, 21, 0, 0);
  const corpus = buildBadInputCorpus({ runId: 'R1', ingestTime });
  const parse = (record: { topic: keyof typeof DEFAULT_CORPUS_TOPICS; value: string | Buffer | null }) =>
    safeParseEvent(DEFAULT_CORPUS_TOPICS[record.topic] as TopicName, record.value);

  it('gives each parser-level entry exactly the error class the contract parser reports', () => {
    const parserEntries = corpus.entries.filter((e) => PARSER_CLASSES.has(e.expected.errorClass));
    const actual = parserEntries.map((e) => {
      const result = parse(e);
      return [e.name, result.success ? 'valid' : result.errorClass];
    });
    expect(actual).toEqual(parserEntries.map((e) => [e.name, e.expected.errorClass]));
    expect(parserEntries.length).toBeGreaterThan(30);
  });

  it('keeps duplicate, out-of-order and unknown-symbol entries contract-valid (the enricher decides them)', () => {
    const stateful = corpus.entries.filter((e) => !PARSER_CLASSES.has(e.expected.errorClass));
    expect(stateful.map((e) => [e.name, parse(e).success])).toEqual(stateful.map((e) => [e.name, true]));
    expect(stateful.map((e) => e.expected.errorClass).sort()).toEqual([
      'DuplicateEvent',
      'DuplicateEvent',
      'LateEvent',
      'UnknownSymbol',
      'UnknownSymbol',
      'UnknownSymbol',
    ]);
    const late = corpus.entries.find((e) => e.name === 'trade-out-of-order');
    expect([late?.expected.sink, late && sinkTopicOf(late)]).toEqual(['late', 'market.trades.v1.late']);
  });

  it('has valid good records, duplicates that repeat their originals byte for byte, and unique names', () => {
    expect(corpus.good.map((g) => [g.name, parse(g).success])).toEqual(
      corpus.good.map((g) => [g.name, true]),
    );
    const original = corpus.good.find((g) => g.name === 'trade-good-first');
    expect(corpus.entries.find((e) => e.name === 'trade-exact-duplicate')?.value).toBe(original?.value);
    const names = corpus.records.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('is unique per run and keeps every record below the broker limit of 1 MiB', () => {
    const other = buildBadInputCorpus({ ingestTime });
    expect(other.symbols.known).not.toBe(corpus.symbols.known);
    expect(corpus.symbols).toEqual({ known: 'BKR1', unknown: 'BUR1' });
    const values = new Set(corpus.records.map((r) => r.value?.toString()));
    expect(
      other.records.filter((r) => r.value !== null && values.has(r.value.toString())).map((r) => r.name),
    ).toEqual([]);
    const largest = Math.max(
      ...corpus.records.map((r) => (r.value === null ? 0 : Buffer.byteLength(r.value))),
    );
    expect(largest).toBeGreaterThan(CORPUS_OVERSIZED_BYTES);
    expect(largest).toBeLessThan(1_000_000);
    expect(() => buildBadInputCorpus({ runId: 'bad id' })).toThrow(RangeError);
  });

  it('counts the expected arrivals per sink topic and error class', () => {
    const counts = expectedBadInputCounts(corpus);
    const perTopic = (topic: string, sink: 'dlq' | 'late') =>
      corpus.entries.filter((e) => DEFAULT_CORPUS_TOPICS[e.topic] === topic && e.expected.sink === sink)
        .length;
    expect(counts.dlq).toEqual({
      'market.trades.v1.dlq': perTopic('market.trades.v1', 'dlq'),
      'market.quotes.v1.dlq': perTopic('market.quotes.v1', 'dlq'),
      'market.bars.daily.v1.dlq': perTopic('market.bars.daily.v1', 'dlq'),
    });
    expect(counts.late).toEqual({ 'market.trades.v1.late': 1 });
    expect(Object.values(counts.dlqByErrorClass).reduce((a, b) => a + b, 0)).toBe(counts.total - 1);
    expect(counts.enriched).toBe(3);
    const custom = expectedBadInputCounts(corpus, { trades: 't', quotes: 'q', barsDaily: 'd' });
    expect(Object.keys(custom.dlq).sort()).toEqual(['d.dlq', 'q.dlq', 't.dlq']);
  });
});
