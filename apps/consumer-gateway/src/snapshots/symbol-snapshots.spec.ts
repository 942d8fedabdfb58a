import { ENRICHED_V1_FIXTURES, HALT_V1_FIXTURES, type EnrichedV1Event, type HaltV1Event } from '@tickwire/contracts';
import type { SymbolSnapshot } from '@tickwire/subscriptions';
import { SymbolSnapshots } from './symbol-snapshots';
import type { SymbolStateReader } from './symbol-state-reader';

/** A SymbolStateReader over fixed DynamoDB `symbol-state` items. */
function storeOf(items: SymbolSnapshot[]): SymbolStateReader {
  return {
    get: async (symbol: string) => items.find((item) => item.symbol === symbol) ?? null,
    scan: async function* () {
      yield* items;
    },
  } as unknown as SymbolStateReader;
}

const enrichedTrade = ENRICHED_V1_FIXTURES.map((fixture) => fixture.event).find((event) => event.payload.kind === 'trade') as EnrichedV1Event;
const [haltedFixture, resumedFixture] = HALT_V1_FIXTURES.map((fixture) => fixture.event as HaltV1Event);

describe('SymbolSnapshots halted', () => {
  it('warms halted from symbol-state and follows market.halt.v1 on the live path', async () => {
    const symbol = haltedFixture!.payload.symbol;
    const snapshots = new SymbolSnapshots(storeOf([{ symbol, lastEventTime: 1_000, lastPrice: 100, halted: false }]));
    expect(await snapshots.warm()).toBe(1);
    expect(snapshots.current(symbol)?.halted).toBe(false);
    snapshots.applyHalt(haltedFixture!);
    expect(snapshots.current(symbol)).toMatchObject({ halted: true, lastEventTime: 1_000, lastPrice: 100 });
    snapshots.applyHalt(resumedFixture!);
    expect((await snapshots.latest(symbol))?.halted).toBe(false);
  });

  it('reports halted false for a symbol first seen through an enriched event, and the stored flag for one it has not consumed', async () => {
    const snapshots = new SymbolSnapshots(storeOf([{ symbol: 'ZZZ', lastEventTime: 1_000, halted: true }]));
    snapshots.apply(enrichedTrade);
    expect(snapshots.current(enrichedTrade.payload.symbol)?.halted).toBe(false);
    expect((await snapshots.latest('ZZZ'))?.halted).toBe(true);
  });
});
