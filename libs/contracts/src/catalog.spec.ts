import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALERT_V1_FIXTURES,
  ALERT_V1_INVALID_FIXTURES,
  BAR_1M_V1_FIXTURES,
  BAR_1M_V1_INVALID_FIXTURES,
  BAR_DAILY_V1_FIXTURES,
  BAR_DAILY_V1_INVALID_FIXTURES,
  BAR_SOURCE_1M_V1_FIXTURES,
  BAR_SOURCE_1M_V1_INVALID_FIXTURES,
  buildEvent,
  ENRICHED_V1_FIXTURES,
  ENRICHED_V1_INVALID_FIXTURES,
  EVENT_CATALOG,
  EventContractError,
  eventIdOf,
  GOLDEN_FIXTURES,
  INVALID_FIXTURES,
  eventKey,
  parseEvent,
  QUOTE_V1_FIXTURES,
  QUOTE_V1_INVALID_FIXTURES,
  safeParseEvent,
  safeParseEventValue,
  SCHEMA_NAMES,
  serializeEvent,
  TOPIC_SCHEMAS,
  TOPICS,
  TRADE_V1_FIXTURES,
  TRADE_V1_INVALID_FIXTURES,
  TRADE_CANCEL_V1_FIXTURES,
  TRADE_CANCEL_V1_INVALID_FIXTURES,
  TRADE_CORRECTION_V1_FIXTURES,
  TRADE_CORRECTION_V1_INVALID_FIXTURES,
  TRADING_STATUS_V1_FIXTURES,
  TRADING_STATUS_V1_INVALID_FIXTURES,
  bar1mV1EventId,
  CORRECTION_V1_FIXTURES,
  CORRECTION_V1_INVALID_FIXTURES,
  HALT_V1_FIXTURES,
  HALT_V1_INVALID_FIXTURES,
  barSource1mV1EventId,
  isHaltedState,
  tradingStateOf,
  type GoldenFixture,
  type InvalidFixture,
  type SchemaName,
  type TopicName,
} from './index';

/** Shallow copy of `value` without `keys`. */
function omit(value: object, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key)));
}

interface EventSuite {
  schema: SchemaName;
  folder: string;
  golden: readonly GoldenFixture<{ schema: string; id: string }>[];
  invalid: readonly InvalidFixture[];
}

const SUITES: EventSuite[] = [
  { schema: 'market.trade.v1', folder: 'trade', golden: TRADE_V1_FIXTURES, invalid: TRADE_V1_INVALID_FIXTURES },
  { schema: 'market.quote.v1', folder: 'quote', golden: QUOTE_V1_FIXTURES, invalid: QUOTE_V1_INVALID_FIXTURES },
  { schema: 'market.bar.daily.v1', folder: 'bar-daily', golden: BAR_DAILY_V1_FIXTURES, invalid: BAR_DAILY_V1_INVALID_FIXTURES },
  { schema: 'market.enriched.v1', folder: 'enriched', golden: ENRICHED_V1_FIXTURES, invalid: ENRICHED_V1_INVALID_FIXTURES },
  { schema: 'market.bar.1m.v1', folder: 'bar-1m', golden: BAR_1M_V1_FIXTURES, invalid: BAR_1M_V1_INVALID_FIXTURES },
  { schema: 'market.alert.v1', folder: 'alert', golden: ALERT_V1_FIXTURES, invalid: ALERT_V1_INVALID_FIXTURES },
  { schema: 'market.bar.source.1m.v1', folder: 'bar-source-1m', golden: BAR_SOURCE_1M_V1_FIXTURES, invalid: BAR_SOURCE_1M_V1_INVALID_FIXTURES },
  { schema: 'market.trade-correction.v1', folder: 'trade-correction', golden: TRADE_CORRECTION_V1_FIXTURES, invalid: TRADE_CORRECTION_V1_INVALID_FIXTURES },
  { schema: 'market.trade-cancel.v1', folder: 'trade-cancel', golden: TRADE_CANCEL_V1_FIXTURES, invalid: TRADE_CANCEL_V1_INVALID_FIXTURES },
  { schema: 'market.trading-status.v1', folder: 'trading-status', golden: TRADING_STATUS_V1_FIXTURES, invalid: TRADING_STATUS_V1_INVALID_FIXTURES },
  { schema: 'market.correction.v1', folder: 'correction', golden: CORRECTION_V1_FIXTURES, invalid: CORRECTION_V1_INVALID_FIXTURES },
  { schema: 'market.halt.v1', folder: 'halt', golden: HALT_V1_FIXTURES, invalid: HALT_V1_INVALID_FIXTURES },
];

describe('event catalog', () => {
  it('covers every topic exactly once, each with its own schema', () => {
    expect(Object.keys(TOPIC_SCHEMAS).sort()).toEqual(Object.values(TOPICS).sort());
    expect(SCHEMA_NAMES.map((name) => EVENT_CATALOG[name].topic).sort()).toEqual(Object.values(TOPICS).sort());
    for (const [topic, schema] of Object.entries(TOPIC_SCHEMAS)) expect(EVENT_CATALOG[schema].topic).toBe(topic);
    expect(SUITES.map((suite) => suite.schema).sort()).toEqual([...SCHEMA_NAMES].sort());
    for (const suite of SUITES) {
      expect(GOLDEN_FIXTURES[suite.schema]).toBe(suite.golden);
      expect(INVALID_FIXTURES[suite.schema]).toBe(suite.invalid);
    }
  });
});

describe.each(SUITES)('$schema contract', ({ schema, folder, golden, invalid }) => {
  const topic = EVENT_CATALOG[schema].topic as TopicName;

  it('exports every committed fixture file, unchanged', () => {
    const dir = join(__dirname, 'market', folder, 'fixtures');
    const files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort();
    expect(golden.map((fixture) => `${fixture.name}.json`).sort()).toEqual(files);
    for (const fixture of golden) {
      const file = JSON.parse(readFileSync(join(dir, `${fixture.name}.json`), 'utf8'));
      expect(file).toEqual({ name: fixture.name, origin: fixture.origin, event: fixture.event });
      expect(fixture.origin).toMatch(/\S{10,}/);
    }
  });

  it.each(golden.map((fixture) => [fixture.name, fixture] as const))('parses golden fixture %s from JSON text and bytes', (_name, fixture) => {
    const text = JSON.stringify(fixture.event);
    const fromText = safeParseEvent(topic, text);
    if (!fromText.success) throw new Error(fromText.reason);
    expect(fromText.event).toEqual(fixture.event);
    expect(parseEvent(topic, Buffer.from(text, 'utf8'))).toEqual(fixture.event);
    expect(serializeEvent(fromText.event)).toBe(text);
    expect(eventKey(fromText.event)).toBe((fixture.event as unknown as { payload: { symbol: string } }).payload.symbol);
  });

  it.each(golden.map((fixture) => [fixture.name, fixture] as const))('recomputes the deterministic id of %s', (_name, fixture) => {
    const { id } = fixture.event;
    const rest = omit(fixture.event, 'schema', 'id');
    expect(eventIdOf(schema, rest as never)).toBe(id);
    // A builder given the same record (without id) reproduces the fixture exactly.
    expect(buildEvent(schema, rest as never)).toEqual(fixture.event);
  });

  it('rejects the same golden event on another topic', () => {
    const other = Object.values(TOPICS).find((candidate) => candidate !== topic) as TopicName;
    const result = safeParseEvent(other, JSON.stringify((golden[0] as GoldenFixture<unknown>).event));
    expect(result.success).toBe(false);
    if (!result.success) expect(result.errorClass).toBe('SchemaViolation');
  });

  it.each(invalid.map((fixture) => [fixture.name, fixture] as const))('rejects invalid fixture %s with the expected reason', (_name, fixture) => {
    const result = fixture.text !== undefined ? safeParseEvent(topic, fixture.text) : safeParseEventValue(topic, fixture.value);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.errorClass).toBe(fixture.expected.errorClass);
    expect(result.reason).toContain(fixture.expected.reasonIncludes);
    if (fixture.expected.path) expect(result.issues.map((issue) => issue.path)).toContain(fixture.expected.path);
    if (fixture.text === undefined) {
      expect(() => buildEvent(schema, fixture.value as never)).toThrow(EventContractError);
    }
  });
});

describe('safeParseEvent / parseEvent', () => {
  const trade = (TRADE_V1_FIXTURES[0] as GoldenFixture<unknown>).event;

  it('types the result by topic', () => {
    const result = safeParseEvent('market.trades.v1', JSON.stringify(trade));
    if (!result.success) throw new Error(result.reason);
    // Compile-time check: the payload is a trade payload.
    const price: number = result.event.payload.price;
    expect(price).toBe(585.74);
  });

  it('classifies non-UTF-8 bytes, empty values and unknown topics', () => {
    expect(safeParseEvent(TOPICS.trades, Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({ success: false, errorClass: 'MalformedJson', reason: 'value is not valid UTF-8' });
    expect(safeParseEvent(TOPICS.trades, null)).toMatchObject({ success: false, errorClass: 'EmptyValue' });
    expect(safeParseEvent(TOPICS.trades, Buffer.alloc(0))).toMatchObject({ success: false, errorClass: 'EmptyValue' });
    expect(safeParseEventValue(TOPICS.trades, null)).toMatchObject({ success: false, errorClass: 'EmptyValue' });
    expect(safeParseEvent('market.trades.v1.dlq', JSON.stringify(trade))).toMatchObject({ success: false, errorClass: 'UnknownTopic' });
  });

  it('throws EventContractError carrying class, reason and topic', () => {
    let caught: unknown;
    try {
      parseEvent(TOPICS.trades, '{"schema":"market.trade.v1"}');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EventContractError);
    const error = caught as EventContractError;
    expect(error.errorClass).toBe('SchemaViolation');
    expect(error.subject).toBe(TOPICS.trades);
    expect(error.reason).toContain('payload: is required');
    expect(error.message).toBe(`SchemaViolation (${TOPICS.trades}): ${error.reason}`);
  });

  it.each(Object.values(TOPICS).map((topic) => [topic]))('never throws on malformed shapes for %s', (topic) => {
    const shapes: unknown[] = [0, 'x', [], {}, { payload: 'x' }, { payload: {} }, { payload: { tradingDate: 'garbage', kind: 'trade', alertType: 'ma-cross' } }, { schema: TOPIC_SCHEMAS[topic], eventTime: 'x', payload: { symbol: 'AAPL', trade: null, quote: 5, startTime: null } }];
    for (const shape of shapes) {
      const result = safeParseEventValue(topic, shape);
      expect(result.success).toBe(false);
      if (!result.success) expect(result.reason.length).toBeGreaterThan(0);
    }
  });

  it('caps a long reason at 1000 characters', () => {
    const broken = { schema: 'x', payload: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field${i}`, i])) };
    const result = safeParseEventValue(TOPICS.alerts, { ...broken, id: '#'.repeat(500), source: 'UPPER CASE '.repeat(50) });
    expect(result.success).toBe(false);
    if (!result.success) expect(result.reason.length).toBeLessThanOrEqual(1000);
  });
});

describe('buildEvent', () => {
  it('computes the id, sets schema, drops unknown fields and validates', () => {
    const event = buildEvent('market.quote.v1', {
      eventTime: 1340285400004,
      eventTimeNs: '1340285400004241176',
      ingestTime: 1795284000000,
      source: 'lobster',
      payload: { symbol: 'AAPL', bidPrice: 585.33, bidSize: 18, askPrice: 585.94, askSize: 200, venue: 'XNAS', sequence: 1, extra: true } as never,
    });
    expect(event).toEqual((QUOTE_V1_FIXTURES[0] as GoldenFixture<unknown>).event);
  });

  it('accepts a locked quote and rejects a crossed one', () => {
    const input = { eventTime: 1340285400004, ingestTime: 1795284000000, source: 'synthetic', payload: { symbol: 'BF.B', bidPrice: 50.1, bidSize: 0, askPrice: 50.1, askSize: 100 } };
    expect(buildEvent('market.quote.v1', input).payload.bidPrice).toBe(50.1);
    expect(() => buildEvent('market.quote.v1', { ...input, payload: { ...input.payload, bidPrice: 50.11 } })).toThrow(
      'payload.bidPrice: bidPrice must be <= askPrice (crossed quote)',
    );
  });

  it('keeps an explicit id', () => {
    const rest = omit((TRADE_V1_FIXTURES[0] as GoldenFixture<object>).event, 'schema');
    expect(buildEvent('market.trade.v1', { ...rest, id: 'custom-id' } as never).id).toBe('custom-id');
  });
});

describe('source bars vs the enricher bars', () => {
  it('never share an id for the same symbol and minute', () => {
    const bar = (BAR_SOURCE_1M_V1_FIXTURES[0] as GoldenFixture<{ source: string; payload: { symbol: string; startTime: number } }>).event;
    expect(barSource1mV1EventId(bar)).toBe('alpaca:SPY:1614021300000');
    expect(bar1mV1EventId(bar.payload)).toBe('SPY:1614021300000');
    expect(barSource1mV1EventId(bar)).not.toBe(bar1mV1EventId(bar.payload));
  });

  it('a restated enriched bar carries revision >= 1 and keeps its id', () => {
    const bar = (BAR_1M_V1_FIXTURES[0] as GoldenFixture<{ payload: object }>).event;
    const restated = { ...bar, payload: { ...bar.payload, revision: 2, restatedBy: 'c5ebee8beef55877ca6cdae1286f8dfd' } };
    expect(safeParseEventValue(TOPICS.bars1m, restated)).toMatchObject({ success: true });
    expect(safeParseEventValue(TOPICS.bars1m, { ...bar, payload: { ...bar.payload, revision: 0 } })).toMatchObject({ success: false, reason: expect.stringContaining('revision must be >= 1') });
  });
});

describe('trading states', () => {
  it.each([
    ['2', 'halted', true],
    ['H', 'halted', true],
    ['P', 'halted', true],
    ['Q', 'quoting', true],
    ['3', 'trading', false],
    ['T', 'trading', false],
    ['E', 'other', undefined],
    ['F', 'other', undefined],
    ['zz', 'other', undefined],
  ] as const)('status code %s is %s (halted: %s)', (code, state, halted) => {
    expect(tradingStateOf(code)).toBe(state);
    expect(isHaltedState(tradingStateOf(code))).toBe(halted);
  });
});
