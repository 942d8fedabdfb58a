import {
  checkArchive,
  checkBars,
  checkCustomerStream,
  checkDeadLetters,
  checkEnriched,
  checkIndexedCounts,
  checkRawInput,
  checkSymbolState,
  type EnrichedRecord,
  expectedSymbolStates,
  injectedOutOfOrder,
  type RawEventRecord,
} from './invariant-checks';

const trade = (offset: number, price: number, eventTime: number, symbol = 'AAPL'): RawEventRecord => ({
  topic: 'market.trades.v1',
  partition: 0,
  offset: String(offset),
  id: `t${symbol}${offset}`,
  symbol,
  kind: 'trade',
  eventTime,
  payload: { symbol, price, size: 100 },
});
const quote = (
  offset: number,
  bidPrice: number,
  askPrice: number,
  eventTime: number,
  symbol = 'AAPL',
): RawEventRecord => ({
  topic: 'market.quotes.v1',
  partition: 0,
  offset: String(offset),
  id: `q${symbol}${offset}`,
  symbol,
  kind: 'quote',
  eventTime,
  payload: { symbol, bidPrice, bidSize: 300, askPrice, askSize: 200 },
});
const enrichedOf = (
  raw: RawEventRecord,
  offset: number,
  previousClose: number | null = 100,
): EnrichedRecord => ({
  topic: 'market.enriched.v1',
  partition: 0,
  offset: String(offset),
  id: `e-${raw.id}`,
  sourceEventId: raw.id,
  symbol: raw.symbol,
  kind: raw.kind,
  eventTime: raw.eventTime,
  previousClose,
});

describe('checkRawInput', () => {
  const raw = [trade(0, 101, 1_000), quote(0, 100.9, 101.1, 1_000)];
  it('holds when the raw topics hold each record once, as acknowledged and as in the files', () => {
    expect(checkRawInput(raw, 2, 2).held).toBe(true);
  });
  it('fails on a duplicated id and on counts that differ', () => {
    const result = checkRawInput([...raw, raw[0]!], 2, 2);
    expect(result.held).toBe(false);
    expect(result.detail).toContain('1 ids more than once');
    expect(result.detail).toContain('ingest-producer acknowledged 2');
  });
});

describe('checkEnriched', () => {
  const raw = [trade(0, 101, 1_000), trade(1, 102, 2_000), quote(0, 100.9, 101.1, 1_500)];
  const sources = new Map(raw.map((r) => [r.id, r]));
  it('holds for one enriched event per raw event in raw order', () => {
    const enriched = [enrichedOf(raw[0]!, 0), enrichedOf(raw[2]!, 1), enrichedOf(raw[1]!, 2)];
    expect(checkEnriched(enriched, sources).map((r) => r.held)).toEqual([true, true, true]);
  });
  it('finds a duplicate, a missing and an unexpected event, and a reordering', () => {
    const stray = trade(9, 1, 1, 'ZZZZ');
    const enriched = [
      enrichedOf(raw[1]!, 0),
      enrichedOf(raw[0]!, 1),
      enrichedOf(raw[0]!, 2),
      enrichedOf(stray, 3),
    ];
    const [dups, set, order] = checkEnriched(enriched, sources);
    expect(dups).toMatchObject({ held: false, detail: expect.stringContaining(`e-${raw[0]!.id} x2`) });
    expect(set!.held).toBe(false);
    expect(set!.detail).toContain('1 raw events never enriched');
    expect(set!.detail).toContain('1 enriched events without a valid raw record');
    expect(order).toMatchObject({
      held: false,
      detail: expect.stringContaining('AAPL/trade: raw offset 0 after 1'),
    });
  });
});

describe('checkIndexedCounts', () => {
  it('compares documents with distinct ids per stream', () => {
    expect(checkIndexedCounts({ enriched: 3, 'bars-1m': 1 }, { enriched: 3, 'bars-1m': 1 }).held).toBe(true);
    expect(checkIndexedCounts({ enriched: 2, 'bars-1m': 1 }, { enriched: 3, 'bars-1m': 1 }).detail).toBe(
      'enriched: 2 documents, 3 distinct ids on the topic',
    );
  });
});

describe('checkBars', () => {
  const bar = {
    symbol: 'AAPL',
    startTime: 0,
    open: 1,
    high: 2,
    low: 0.5,
    close: 1.5,
    volume: 300,
    vwap: 1.25,
    tradeCount: 3,
  };
  const reference = new Map([['AAPL:0', bar]]);
  it('holds for equal bars and ignores symbols not replayed', () => {
    const indexed = new Map([
      ['AAPL:0', bar],
      ['BKX:0', { ...bar, symbol: 'BKX' }],
    ]);
    expect(checkBars(indexed, reference, ['AAPL'], ['AAPL:0']).held).toBe(true);
  });
  it('names differing fields, missing bars and bar ids twice on the topic', () => {
    const differing = checkBars(
      new Map([['AAPL:0', { ...bar, volume: 200, vwap: 1.26 }]]),
      reference,
      ['AAPL'],
      ['AAPL:0', 'AAPL:0'],
    );
    expect(differing.held).toBe(false);
    expect(differing.detail).toContain('AAPL:0 (volume 200 != 300, vwap 1.26 != 1.25)');
    expect(differing.detail).toContain('1 bar ids twice');
    expect(checkBars(new Map(), reference, ['AAPL'], []).detail).toContain('1 bars missing: AAPL:0');
  });
});

describe('checkArchive', () => {
  const expected = new Map([
    ['a', 1],
    ['b', 2],
  ]);
  it('holds when each valid record is archived as often as it was sent and each invalid one once', () => {
    expect(
      checkArchive(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
        expected,
        new Map([['t:0:5', 1]]),
        new Set(['t:0:5']),
      ).held,
    ).toBe(true);
  });
  it('fails on a lost record, a record archived twice and an invalid record filed twice', () => {
    const result = checkArchive(new Map([['b', 3]]), expected, new Map([['t:0:5', 2]]), new Set(['t:0:5']));
    expect(result.held).toBe(false);
    expect(result.detail).toContain('1 raw records not archived: a');
    expect(result.detail).toContain('b x3');
    expect(result.detail).toContain('t:0:5 x2');
  });
});

describe('expectedSymbolStates and checkSymbolState', () => {
  const raw = [
    trade(0, 101, 1_000),
    trade(1, 102, 2_000),
    quote(0, 100.9, 101.1, 1_500),
    quote(1, 101.9, 102.1, 2_500),
  ];
  const enriched = raw.map((r, i) => enrichedOf(r, i, 100));
  const states = expectedSymbolStates(raw, enriched);
  it('takes the last trade, the last quote and the latest event time', () => {
    expect(states.get('AAPL')).toEqual({
      symbol: 'AAPL',
      lastEventTime: 2_500,
      lastPrice: 102,
      bidPrice: 101.9,
      askPrice: 102.1,
      bidSize: 300,
      askSize: 200,
      previousClose: 100,
    });
  });
  it('holds for the matching item and names each differing field', () => {
    const item = {
      symbol: 'AAPL',
      lastEventTime: 2_500,
      lastPrice: 102,
      bidPrice: 101.9,
      askPrice: 102.1,
      bidSize: 300,
      askSize: 200,
      previousClose: 100,
      changePercent: 2,
    };
    expect(checkSymbolState(new Map([['AAPL', item]]), states).held).toBe(true);
    const stale = checkSymbolState(
      new Map([['AAPL', { ...item, bidPrice: 100.9, lastEventTime: 2_000 }]]),
      states,
    );
    expect(stale.detail).toBe('AAPL: lastEventTime 2000 != 2500, bidPrice 100.9 != 101.9');
    expect(checkSymbolState(new Map(), states).detail).toBe('AAPL: no item');
  });
});

describe('checkDeadLetters', () => {
  const poison = new Map([
    [
      'market.trades.v1:0:7',
      { name: 'trade-zero-price', sink: 'dlq' as const, errorClass: 'SchemaViolation' },
    ],
    ['market.trades.v1:0:9', { name: 'trade-out-of-order', sink: 'late' as const, errorClass: 'LateEvent' }],
  ]);
  it('holds when each poison record is in its sink with its class, and nothing else is', () => {
    const side = [
      { sink: 'dlq' as const, original: 'market.trades.v1:0:7', errorClass: 'SchemaViolation' },
      { sink: 'late' as const, original: 'market.trades.v1:0:9', errorClass: 'LateEvent' },
    ];
    expect(checkDeadLetters(side, poison)).toMatchObject({
      held: true,
      detail: '1 dead letters + 1 late = 2 poison records',
    });
  });
  it('fails on a valid record dead-lettered, a poison record missing or twice, and a wrong class', () => {
    const side = [
      { sink: 'dlq' as const, original: 'market.trades.v1:0:7', errorClass: 'ProcessingFailed' },
      { sink: 'dlq' as const, original: 'market.trades.v1:0:7', errorClass: 'ProcessingFailed' },
      { sink: 'dlq' as const, original: 'market.quotes.v1:1:3', errorClass: 'ProcessingFailed' },
    ];
    const result = checkDeadLetters(side, poison);
    expect(result.held).toBe(false);
    expect(result.detail).toContain('dead-lettered twice');
    expect(result.detail).toContain('not poison: dlq market.quotes.v1:1:3 (ProcessingFailed)');
    expect(result.detail).toContain('trade-out-of-order (late LateEvent)');
    expect(result.detail).toContain('trade-zero-price: dlq ProcessingFailed, expected dlq SchemaViolation');
  });
});

describe('injectedOutOfOrder', () => {
  // A corpus quote of 13:00:00.500 behind its own trade of 13:25:01, applied first.
  const lead = trade(5, 100, 1_500, 'BK1');
  const good = quote(3, 99.9, 100.1, 500, 'BK1');
  const injected = new Map([['market.quotes.v1:0:3', good]]);
  const late = {
    sink: 'late' as const,
    original: 'market.quotes.v1:0:3',
    errorClass: 'LateEvent',
    watermark: 1_500,
  };
  it('excuses a late injected record whose watermark is a later enriched event of its symbol', () => {
    const excused = injectedOutOfOrder([late], injected, [enrichedOf(lead, 0)]);
    expect([...excused.keys()]).toEqual(['market.quotes.v1:0:3']);
    const poison = new Map();
    expect(checkDeadLetters([late], poison, excused)).toMatchObject({ held: true });
    expect(checkDeadLetters([late], poison).held).toBe(false);
  });
  it('excuses nothing without that enriched event, and never a record not injected (LOBSTER data)', () => {
    expect(injectedOutOfOrder([late], injected, []).size).toBe(0);
    expect(
      injectedOutOfOrder([{ ...late, watermark: 400 }], injected, [enrichedOf(trade(5, 100, 400, 'BK1'), 0)])
        .size,
    ).toBe(0);
    expect(injectedOutOfOrder([late], new Map(), [enrichedOf(lead, 0)]).size).toBe(0);
  });
});

describe('checkCustomerStream', () => {
  const e = (id: string, type = 'enriched', revision?: number) => ({ type, id, ...(revision === undefined ? {} : { revision }) });
  it('holds when every committed event arrived once', () => {
    const committed = [e('a'), e('b'), e('AAPL:1', 'bar'), e('AAPL:1', 'bar', 1)];
    expect(checkCustomerStream([e('b'), e('a'), e('AAPL:1', 'bar'), e('AAPL:1', 'bar', 1)], committed).held).toBe(true);
  });
  it('fails on a duplicate, a missing and a phantom event, naming each', () => {
    const result = checkCustomerStream([e('a'), e('a'), e('x')], [e('a'), e('b')]);
    expect(result.held).toBe(false);
    expect(result.detail).toContain('enriched:a');
    expect(result.detail).toContain('never received: enriched:b');
    expect(result.detail).toContain('not committed: enriched:x');
  });
});
