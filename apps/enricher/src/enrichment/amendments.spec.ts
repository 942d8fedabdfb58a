import {
  CORRECTION_V1_FIXTURES,
  HALT_V1_FIXTURES,
  TRADE_CANCEL_V1_FIXTURES,
  TRADE_CORRECTION_V1_FIXTURES,
  TRADING_STATUS_V1_FIXTURES,
  bar1mV1EventSchema,
  buildEvent,
  safeParseEventValue,
  TOPICS,
  type CorrectionV1Event,
  type HaltV1Event,
  type TradeCancelV1Event,
  type TradeCorrectionV1Event,
  type TradeV1Event,
  type TradingStatusV1Event,
} from '@tickwire/contracts';
import { EnrichmentEngine } from './enrichment-engine.service';
import { DEFAULT_ENRICHMENT_SETTINGS } from './enrichment-settings';

/**
 * Consumer side of the correction, cancel and trading-status contracts: the engine applies the golden
 * raw fixtures and produces exactly the golden customer fixtures (`market.correction.v1`,
 * `market.halt.v1`), and restates the 1-minute bar as a new revision of the same id.
 */
const fixture = <E>(list: readonly { name: string; event: unknown }[], name: string): E => {
  const found = list.find((f) => f.name === name);
  if (!found) throw new Error(`no fixture ${name}`);
  return structuredClone(found.event) as E;
};
const correctionPrice = fixture<TradeCorrectionV1Event>(
  TRADE_CORRECTION_V1_FIXTURES,
  'aapl-correction-price',
);
const iwmCorrection = fixture<TradeCorrectionV1Event>(
  TRADE_CORRECTION_V1_FIXTURES,
  'iwm-correction-conditions',
);
const cancel = fixture<TradeCancelV1Event>(TRADE_CANCEL_V1_FIXTURES, 'aapl-cancel');
const halt = fixture<TradingStatusV1Event>(TRADING_STATUS_V1_FIXTURES, 'aapl-halt-t12');
const resume = fixture<TradingStatusV1Event>(TRADING_STATUS_V1_FIXTURES, 'aapl-trading-resumption');

const MINUTE = Date.UTC(2021, 1, 22, 15, 51); // the 15:51 UTC bar of the docs trade
const INGEST = 1_795_284_000_000;

/** An Alpaca-style AAPL trade (with a source trade id) at `eventTime`. */
function trade(tradeId: string | undefined, price: number, size: number, eventTime: number): TradeV1Event {
  return buildEvent('market.trade.v1', {
    eventTime,
    ingestTime: INGEST,
    source: 'alpaca',
    payload: {
      symbol: 'AAPL',
      price,
      size,
      aggressorSide: 'unknown',
      ...(tradeId === undefined ? {} : { tradeId }),
    },
  });
}

/** The docs trade (i 96921, 126.55 x 1 at 15:51:44.208) and a second one; the 15:51 bar closed and published. */
function engineWithPublishedBar(second = true): {
  engine: EnrichmentEngine;
  firstBar: ReturnType<EnrichmentEngine['advanceTo']>['bars'][number];
} {
  const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => INGEST);
  engine.processTrade(trade('96921', 126.55, 1, MINUTE + 44_208), undefined);
  if (second) engine.processTrade(trade('96922', 126.6, 100, MINUTE + 50_000), undefined);
  const closed = engine.advanceTo(MINUTE + 60_000, INGEST);
  expect(closed.bars).toHaveLength(1);
  return { engine, firstBar: closed.bars[0]! };
}

describe('EnrichmentEngine: corrections and cancels restate the 1-minute bar', () => {
  it('restates a published bar as revision 1 of the same id, and emits the golden customer correction', () => {
    const { engine, firstBar } = engineWithPublishedBar(false);
    expect(firstBar.payload).not.toHaveProperty('revision');
    const out = engine.processCorrection(correctionPrice);
    expect(out.corrections).toEqual([
      fixture<CorrectionV1Event>(CORRECTION_V1_FIXTURES, 'aapl-correction-restated'),
    ]);
    expect(out.bars).toHaveLength(1);
    const restated = out.bars[0]!;
    expect(bar1mV1EventSchema.parse(restated)).toEqual(restated);
    expect(restated).toMatchObject({
      id: firstBar.id,
      eventTime: firstBar.eventTime,
      payload: {
        open: 126.5,
        high: 126.5,
        low: 126.5,
        close: 126.5,
        vwap: 126.5,
        volume: 1,
        tradeCount: 1,
        revision: 1,
        restatedBy: correctionPrice.id,
      },
    });
  });

  it('removes a cancelled trade: the bar is restated without it; a second amendment is revision 2', () => {
    const { engine, firstBar } = engineWithPublishedBar();
    expect(firstBar.payload).toMatchObject({ open: 126.55, close: 126.6, volume: 101, tradeCount: 2 });
    const out = engine.processCancel(cancel);
    expect(out.bars[0]!.payload).toMatchObject({
      open: 126.6,
      high: 126.6,
      low: 126.6,
      close: 126.6,
      volume: 100,
      tradeCount: 1,
      revision: 1,
    });
    expect(out.corrections[0]!.payload).toMatchObject({
      kind: 'cancel',
      outcome: 'restated',
      barId: firstBar.id,
      barRevision: 1,
    });
    const again = engine.processCorrection(
      buildEvent('market.trade-correction.v1', {
        eventTime: MINUTE + 50_000,
        ingestTime: INGEST,
        source: 'alpaca',
        payload: {
          symbol: 'AAPL',
          originalTradeId: '96922',
          originalPrice: 126.6,
          originalSize: 100,
          correctedTradeId: '96940',
          correctedPrice: 126.7,
          correctedSize: 10,
        },
      }),
    );
    expect(again.bars[0]!.payload).toMatchObject({ close: 126.7, volume: 10, revision: 2 });
  });

  it('a cancel of the only trade of a published bar: bar-emptied (golden), no bar', () => {
    const { engine } = engineWithPublishedBar(false);
    const out = engine.processCancel(cancel);
    expect(out.bars).toEqual([]);
    expect(out.corrections).toEqual([
      fixture<CorrectionV1Event>(CORRECTION_V1_FIXTURES, 'aapl-cancel-bar-emptied'),
    ]);
  });

  it('an unknown trade: not-found (golden), nothing restated', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => INGEST);
    const out = engine.processCorrection(iwmCorrection);
    expect(out.bars).toEqual([]);
    expect(out.corrections).toEqual([
      fixture<CorrectionV1Event>(CORRECTION_V1_FIXTURES, 'iwm-correction-not-found'),
    ]);
    expect(engine.symbolCount).toBe(0);
  });

  it('a correction inside the open window: pending, and the bar comes out once, already amended, without revision', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => INGEST);
    engine.processTrade(trade('96921', 126.55, 1, MINUTE + 44_208), undefined);
    const out = engine.processCorrection(correctionPrice);
    expect(out.bars).toEqual([]);
    expect(out.corrections[0]!.payload).toMatchObject({ outcome: 'pending', barId: `AAPL:${MINUTE}` });
    expect(out.corrections[0]!.payload).not.toHaveProperty('barRevision');
    const closed = engine.advanceTo(MINUTE + 60_000, INGEST);
    expect(closed.bars).toHaveLength(1);
    expect(closed.bars[0]!.payload).toMatchObject({ close: 126.5, volume: 1 });
    expect(closed.bars[0]!.payload).not.toHaveProperty('revision');
  });

  it('an open window whose every trade was cancelled closes with no bar', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => INGEST);
    engine.processTrade(trade('96921', 126.55, 1, MINUTE + 44_208), undefined);
    expect(engine.processCancel(cancel).corrections[0]!.payload.outcome).toBe('pending');
    expect(engine.advanceTo(MINUTE + 60_000, INGEST).bars).toEqual([]);
  });

  it('keeps what it needs through snapshot and restore (the changelog)', () => {
    const { engine } = engineWithPublishedBar();
    const restored = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => INGEST);
    restored.restore('AAPL', JSON.parse(JSON.stringify(engine.snapshotOf('AAPL'))));
    expect(restored.processCancel(cancel).bars[0]!.payload).toMatchObject({ volume: 100, revision: 1 });
  });

  it('keeps no trades without a source trade id (LOBSTER): their corrections are not-found and the snapshot has no ledger', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => INGEST);
    engine.processTrade(trade(undefined, 126.55, 1, MINUTE + 44_208), undefined);
    engine.advanceTo(MINUTE + 60_000, INGEST);
    expect(engine.snapshotOf('AAPL')?.processor).not.toHaveProperty('ledger');
    expect(engine.processCancel(cancel).corrections[0]!.payload.outcome).toBe('not-found');
  });
});

describe('EnrichmentEngine: trading statuses', () => {
  it('halts and resumes the symbol (golden customer halts) and an informational status keeps the flag', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => INGEST);
    engine.processTrade(trade('96921', 126.55, 1, MINUTE + 44_208), undefined);
    expect(engine.stateOf('AAPL')?.halted).toBe(false);
    expect(engine.processTradingStatus(halt).halts).toEqual([
      fixture<HaltV1Event>(HALT_V1_FIXTURES, 'aapl-halted-t12'),
    ]);
    expect(engine.stateOf('AAPL')?.halted).toBe(true);
    const info = buildEvent('market.trading-status.v1', {
      eventTime: halt.eventTime + 1_000,
      ingestTime: INGEST,
      source: 'alpaca',
      payload: { symbol: 'AAPL', statusCode: 'E', statusMessage: 'Short Sale Restriction', state: 'other' },
    });
    const infoOut = engine.processTradingStatus(info).halts[0]!;
    expect(infoOut.payload).toMatchObject({ halted: true, state: 'other' });
    expect(safeParseEventValue(TOPICS.halts, infoOut).success).toBe(true);
    expect(engine.processTradingStatus(resume).halts).toEqual([
      fixture<HaltV1Event>(HALT_V1_FIXTURES, 'aapl-resumed'),
    ]);
    expect(engine.stateOf('AAPL')?.halted).toBe(false);
    // The flag is part of the changelog snapshot.
    engine.processTradingStatus(halt);
    const restored = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => INGEST);
    restored.restore('AAPL', JSON.parse(JSON.stringify(engine.snapshotOf('AAPL'))));
    expect(restored.stateOf('AAPL')?.halted).toBe(true);
  });
});
