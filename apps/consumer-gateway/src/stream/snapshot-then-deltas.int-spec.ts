import { type EnrichedV1Event, TOPICS } from '@tickwire/contracts';
import { GatewayTestHarness, type SymbolStateItem } from '../testing/gateway-test-harness';
import { enrichedQuote, enrichedTrade, uniqueSymbol } from '../testing/market-event-builders';
import { type ReceivedFrame, StreamTestClient } from '../testing/stream-test-client';

/** Symbols of the replay (unique: other tests and an enricher write other symbols into the same topic). */
const SYMBOL_COUNT = 6;
/** How long events are produced, ms; one event per symbol per tick. */
const REPLAY_MS = 25_000;
const TICK_MS = 50;
/** Connections cycling concurrently, and cycles each: 100 subscribe/unsubscribe cycles in all. */
const CYCLERS = 10;
const CYCLES_EACH = 10;
/** Channel combinations a cycle subscribes to (one symbol each time). */
const CHANNEL_SETS: readonly (readonly SnapshotChannel[])[] = [['enriched'], ['trades'], ['quotes'], ['enriched', 'trades'], ['trades', 'quotes'], ['enriched', 'trades', 'quotes']];
/** Fields compared between a snapshot and the reference state. */
const STATE_FIELDS = ['symbol', 'lastEventTime', 'lastPrice', 'previousClose', 'changePercent', 'bidPrice', 'askPrice', 'bidSize', 'askSize'] as const;

type SnapshotChannel = 'enriched' | 'trades' | 'quotes';
const FRAME_TYPE: Record<SnapshotChannel, string> = { enriched: 'enriched', trades: 'trade', quotes: 'quote' };

/** One subscribe/unsubscribe cycle as a client saw it: the frames between its two acks. */
interface Cycle {
  symbol: string;
  channels: readonly SnapshotChannel[];
  frames: ReceivedFrame[];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The state a snapshot must show after the first `n` events of a symbol, for every n, computed here
 * independently of the gateway: the rules of the enricher's symbol-state view (a trade sets lastPrice
 * unless an earlier-consumed trade has a later eventTime, a quote sets bid/ask likewise, lastEventTime
 * is the latest eventTime, previousClose that of the latest event, changePercent from both). Returned
 * as canonical JSON of {@link STATE_FIELDS}, `null` before the first event.
 */
function referenceStates(events: readonly EnrichedV1Event[]): string[] {
  const states = ['null'];
  const state: Record<string, number | string | undefined> = {};
  let tradeTime = Number.NEGATIVE_INFINITY;
  let quoteTime = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    const payload = event.payload;
    if (payload.kind === 'trade' && event.eventTime >= tradeTime) {
      tradeTime = event.eventTime;
      state['lastPrice'] = payload.trade.price;
    }
    if (payload.kind === 'quote' && event.eventTime >= quoteTime) {
      quoteTime = event.eventTime;
      Object.assign(state, { bidPrice: payload.quote.bidPrice, askPrice: payload.quote.askPrice, bidSize: payload.quote.bidSize, askSize: payload.quote.askSize });
    }
    state['symbol'] = payload.symbol;
    state['lastEventTime'] = Math.max(event.eventTime, (state['lastEventTime'] as number | undefined) ?? Number.NEGATIVE_INFINITY);
    if (payload.previousClose !== null) state['previousClose'] = payload.previousClose;
    const { lastPrice, previousClose } = state as { lastPrice?: number; previousClose?: number };
    state['changePercent'] = lastPrice !== undefined && previousClose !== undefined ? ((lastPrice - previousClose) / previousClose) * 100 : undefined;
    states.push(canonicalState(state));
  }
  return states;
}

function canonicalState(state: Record<string, unknown> | null): string {
  if (state === null) return 'null';
  return JSON.stringify(Object.fromEntries(STATE_FIELDS.map((field) => [field, state[field] ?? null])));
}

/** A reference state (canonical JSON) as the symbol-state item the enricher would write: null fields left out. */
function stateItem(canonical: string): SymbolStateItem {
  const state = JSON.parse(canonical) as Record<string, number | string | null>;
  return Object.fromEntries(Object.entries(state).filter(([, value]) => value !== null)) as unknown as SymbolStateItem;
}

/** Differences of one cycle's channel from the topic: what the test counts. */
interface Tally {
  deltas: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** The snapshot is the state after no position of the topic at or before the first delta. */
  snapshotMismatches: number;
  /** Deltas after the snapshot whose eventTime is older than the snapshot's (the case SnapshotGate dropped). */
  olderThanSnapshot: number;
}

/**
 * Compares one channel of one cycle with the topic. The snapshot must be the state after some
 * position j of the symbol's events (`states[j]`), and the deltas exactly the channel's events from
 * position j on, in topic order, each once (as far as the cycle lasted: what follows the last delta
 * is not judged, the unsubscribe ended it).
 */
function compare(cycle: Cycle, channel: SnapshotChannel, events: readonly EnrichedV1Event[], states: readonly string[]): Tally {
  const tally: Tally = { deltas: 0, lost: 0, duplicated: 0, outOfOrder: 0, snapshotMismatches: 0, olderThanSnapshot: 0 };
  const indexOf = new Map(events.map((event, index) => [event.id, index]));
  const snapshots = cycle.frames.filter((frame) => frame.type === 'snapshot');
  const deltas = cycle.frames.filter((frame) => frame.type === FRAME_TYPE[channel] && frame['symbol'] === cycle.symbol);
  tally.deltas = deltas.length;
  if (snapshots.length !== 1) {
    tally.snapshotMismatches += 1;
    return tally;
  }
  const snapshot = snapshots[0]!;
  const positions = deltas.map((frame) => indexOf.get(frame['id'] as string) ?? -1);
  const first = positions.find((position) => position >= 0) ?? events.length;
  const observed = canonicalState(snapshot['data'] as Record<string, unknown> | null);
  // The latest position at or before the first delta whose state the snapshot shows.
  let position = -1;
  for (let j = Math.min(first, events.length); j >= 0 && position < 0; j--) if (states[j] === observed) position = j;
  if (position < 0) {
    tally.snapshotMismatches += 1;
    position = first;
  }
  const seen = new Set<number>();
  let previous = -1;
  for (const [i, at] of positions.entries()) {
    if (at < 0 || seen.has(at) || at < position) tally.duplicated += 1; // unknown, twice, or already in the snapshot
    else if (at < previous) tally.outOfOrder += 1;
    seen.add(at);
    previous = Math.max(previous, at);
    if ((deltas[i]!['eventTime'] as number) < (snapshot['eventTime'] as number)) tally.olderThanSnapshot += 1;
  }
  const last = Math.max(-1, ...positions);
  for (let at = position; at <= last; at++) {
    const event = events[at]!;
    const onChannel = channel === 'enriched' || (channel === 'trades') === (event.payload.kind === 'trade');
    if (onChannel && !seen.has(at)) tally.lost += 1;
  }
  return tally;
}

/**
 * Snapshot then deltas during a paced replay (issue 12, part 4): events of several symbols are
 * produced into market.enriched.v1 at a steady rate, with some eventTimes older than their
 * predecessor's (per symbol, as the enricher emits today), while a writer updates DynamoDB
 * symbol-state behind the stream (as the enricher's asynchronous writer does). 100 subscribe /
 * unsubscribe cycles over the symbols and the enriched, trades and quotes channels; each cycle's
 * snapshot and deltas are compared with the topic read back independently, by topic position.
 */
describe('/v1/stream snapshot then deltas during a paced replay', () => {
  let gateway: GatewayTestHarness;
  const clients: StreamTestClient[] = [];

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start({ STREAM_SUBSCRIBE_BURST: '100', STREAM_SUBSCRIBE_PER_SECOND: '50' });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await gateway?.stop();
  });

  it('gives every subscriber the state at one position, then every later event once, in order', async () => {
    const key = await gateway.createKey();
    const symbols = Array.from({ length: SYMBOL_COUNT }, () => uniqueSymbol());
    const from = await gateway.endOffsets(TOPICS.enriched);
    const produced = new Map<string, EnrichedV1Event[]>(symbols.map((symbol) => [symbol, []]));
    let producing = true;

    const t0 = Date.now();
    const replay = (async () => {
      let sequence = 0;
      for (let tick = 0; Date.now() - t0 < REPLAY_MS; tick++) {
        const batch = symbols.map((symbol, k) => {
          sequence += 1;
          const own = produced.get(symbol)!;
          const latest = own.at(-1)?.eventTime ?? t0;
          // Every 5th event is older than its predecessor (by 1..40 ms), the rest move forward.
          const eventTime = tick % 5 === 4 ? latest - 1 - (sequence % 40) : t0 + tick * TICK_MS + k;
          const price = Math.round((100 + k + (sequence % 300) / 100) * 100) / 100;
          const event = (tick + k) % 3 === 0 ? enrichedQuote(symbol, price - 0.01, price + 0.01, eventTime, sequence) : enrichedTrade(symbol, price, eventTime, sequence);
          own.push(event);
          return event;
        });
        await gateway.produce(batch);
        await pause(Math.max(0, t0 + (tick + 1) * TICK_MS - Date.now()));
      }
      producing = false;
    })();

    // The enricher's symbol-state writer: asynchronous, a few hundred ms behind the stream.
    const writer = (async () => {
      const written = new Map<string, number>();
      while (producing) {
        const lagging = symbols.map((symbol) => [symbol, produced.get(symbol)!.length] as const);
        await pause(300);
        for (const [symbol, count] of lagging) {
          if (count === 0 || written.get(symbol) === count) continue;
          await gateway.putSymbolState(stateItem(referenceStates(produced.get(symbol)!.slice(0, count)).at(-1)!));
          written.set(symbol, count);
        }
      }
    })();

    const cycles: Cycle[] = [];
    const cycler = async (index: number) => {
      const client = await StreamTestClient.connect(gateway.wsUrl('/v1/stream'));
      clients.push(client);
      expect(await client.auth(key)).toMatchObject({ msg: 'authenticated' });
      await pause(500 + index * 100);
      for (let i = 0; i < CYCLES_EACH; i++) {
        const symbol = symbols[(index * 7 + i * 5) % SYMBOL_COUNT]!;
        const channels = CHANNEL_SETS[(index + i * 3) % CHANNEL_SETS.length]!;
        const request = Object.fromEntries(channels.map((channel) => [channel, [symbol]]));
        const subscribed = await client.subscribe(request);
        expect(subscribed).toMatchObject({ type: 'subscription' });
        await pause(200 + ((index * 13 + i * 17) % 12) * 100);
        client.send({ action: 'unsubscribe', ...request });
        const unsubscribed = await client.next((frame) => frame.type === 'subscription' || frame.type === 'error');
        expect(unsubscribed).toMatchObject({ type: 'subscription' });
        cycles.push({ symbol, channels, frames: client.frames.slice(client.frames.indexOf(subscribed) + 1, client.frames.indexOf(unsubscribed)) });
        await pause(((index * 11 + i * 7) % 5) * 100);
      }
    };
    await Promise.all([replay, writer, ...Array.from({ length: CYCLERS }, (_, index) => cycler(index))]);

    // The reference: the symbols' events as the topic holds them, read back from Kafka.
    const total = [...produced.values()].reduce((sum, events) => sum + events.length, 0);
    const topic = (await gateway.readTopic(TOPICS.enriched, from, symbols, total)) as EnrichedV1Event[];
    const eventsOf = new Map(symbols.map((symbol) => [symbol, topic.filter((event) => event.payload.symbol === symbol)]));
    for (const symbol of symbols) expect(eventsOf.get(symbol)!.map((event) => event.id)).toEqual(produced.get(symbol)!.map((event) => event.id));
    const statesOf = new Map(symbols.map((symbol) => [symbol, referenceStates(eventsOf.get(symbol)!)]));

    const sum: Tally = { deltas: 0, lost: 0, duplicated: 0, outOfOrder: 0, snapshotMismatches: 0, olderThanSnapshot: 0 };
    let channelSubscriptions = 0;
    for (const cycle of cycles) {
      for (const channel of cycle.channels) {
        channelSubscriptions += 1;
        const tally = compare(cycle, channel, eventsOf.get(cycle.symbol)!, statesOf.get(cycle.symbol)!);
        for (const field of Object.keys(sum) as (keyof Tally)[]) sum[field] += tally[field];
      }
    }
    console.info(
      `snapshot then deltas: ${total} events of ${SYMBOL_COUNT} symbols in ${Date.now() - t0} ms; ${cycles.length} cycles, ${channelSubscriptions} channel subscriptions, ` +
        `${sum.deltas} deltas (${sum.olderThanSnapshot} with an eventTime older than their snapshot's); lost ${sum.lost}, duplicated ${sum.duplicated}, ` +
        `out of order ${sum.outOfOrder}, snapshots at no position ${sum.snapshotMismatches}`,
    );
    expect(cycles).toHaveLength(CYCLERS * CYCLES_EACH);
    expect({ lost: sum.lost, duplicated: sum.duplicated, outOfOrder: sum.outOfOrder, snapshotMismatches: sum.snapshotMismatches }).toEqual({
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      snapshotMismatches: 0,
    });
    // The replay exercised what the issue saw: many deltas, some older in event time than the snapshot.
    expect(sum.deltas).toBeGreaterThan(1_000);
    expect(sum.olderThanSnapshot).toBeGreaterThan(0);
  }, 120_000);
});
