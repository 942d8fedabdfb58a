import { EventEmitter } from 'node:events';
import type { EnrichedV1Event } from '@tickwire/contracts';
import { KeyedTokenBuckets, LastValueCache } from '@tickwire/subscriptions';
import pino from 'pino';
import type { WebSocket } from 'ws';
import { CustomerConnections } from '../auth/customer-connections';
import type { GatewayMetrics } from '../fan-out/gateway-metrics';
import { SubscriberHub } from '../fan-out/subscriber-hub';
import { enrichedQuote, enrichedTrade } from '../testing/market-event-builders';
import { OutboxPump } from './outbound-socket';
import { StreamConnection } from './stream-connection';

/** The slice of a ws WebSocket that StreamConnection uses; frames it sends are parsed into `frames`. */
class SocketDouble extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly frames: { type: string; [field: string]: unknown }[] = [];
  send(text: string): void {
    this.frames.push(JSON.parse(text));
  }
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
  /** A client frame. */
  receive(message: object): void {
    this.emit('message', Buffer.from(JSON.stringify(message)), false);
  }
}

/** Event times of the spec: ms after 2026-11-22T00:00Z. */
const T = Date.UTC(2026, 10, 22);
const counter = { inc: () => undefined, dec: () => undefined };
const metrics = { connections: counter, messagesSent: counter, messagesConflated: counter, disconnects: counter, protocolErrors: counter, eventsFannedOut: counter } as unknown as GatewayMetrics;

/**
 * StreamConnection's snapshot-then-deltas on one position, with the gateway's real hub and cache
 * and the market feed's order (cache, then fan-out, on one turn): no broker, no timing.
 */
describe('StreamConnection snapshot then deltas', () => {
  const pump = new OutboxPump();
  let hub: SubscriberHub;
  let cache: LastValueCache;
  let socket: SocketDouble;

  /** What MarketFeedConsumer does with a consumed enriched event. */
  const consume = (event: EnrichedV1Event): void => {
    cache.apply(event);
    hub.publish(event);
  };

  beforeEach(async () => {
    hub = new SubscriberHub();
    cache = new LastValueCache();
    socket = new SocketDouble();
    const connection = new StreamConnection(socket as unknown as WebSocket, '127.0.0.1', {
      authenticator: { authenticate: async () => ({ customerId: 'acme', channels: ['trades', 'quotes', 'enriched'], symbols: ['*'], maxConnections: 1, maxSymbols: 10 }) },
      connections: new CustomerConnections(),
      snapshotOf: (symbol) => cache.get(symbol),
      hub,
      pump,
      authAttempts: new KeyedTokenBuckets(10, 1),
      metrics,
      logger: pino({ level: 'silent' }),
      limits: {
        authTimeoutMs: 10_000,
        highWaterBytes: 1 << 20,
        maxQueued: 100,
        maxConflated: 100,
        slowClientTimeoutMs: 30_000,
        subscribeBurst: 100,
        subscribePerSecond: 100,
        errorBurst: 10,
        errorsPerSecond: 1,
      },
    });
    connection.start();
    socket.receive({ action: 'auth', key: 'tw_test' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.frames.at(-1)).toMatchObject({ msg: 'authenticated' });
    socket.frames.length = 0;
  });

  afterEach(() => {
    socket.emit('close');
    pump.stop();
  });

  const summary = () =>
    socket.frames.map((frame) =>
      frame.type === 'snapshot' ? ['snapshot', (frame['data'] as { lastPrice?: number; bidPrice?: number } | null)?.lastPrice ?? null] : [frame.type, frame['id'] ?? null],
    );

  it('sends the state after the last consumed event, then every later event of the channel, also older in event time', () => {
    const [t1, t2, late, q1, t3] = [
      enrichedTrade('X', 101, T + 1_000, 1),
      enrichedTrade('X', 102, T + 2_000, 2),
      enrichedTrade('X', 99, T + 1_500, 3), // later in the stream, older in event time
      enrichedQuote('X', 101.9, 102.1, T + 2_100, 4),
      enrichedTrade('X', 103, T + 2_200, 5),
    ];
    consume(t1);
    consume(t2);
    socket.receive({ action: 'subscribe', trades: ['X'], enriched: ['X'] });
    consume(late);
    consume(q1);
    expect(summary()).toEqual([
      ['subscription', null],
      ['snapshot', 102],
      ['enriched', late.id],
      ['trade', late.id],
      ['enriched', q1.id],
    ]);
    expect(socket.frames[1]).toEqual({ type: 'snapshot', symbol: 'X', eventTime: T + 2_000, data: expect.objectContaining({ symbol: 'X', lastEventTime: T + 2_000, lastPrice: 102, changePercent: 2 }) });

    // Another channel of a symbol already subscribed gets its own snapshot: its deltas start there.
    socket.frames.length = 0;
    socket.receive({ action: 'subscribe', quotes: ['X'] });
    const q2 = enrichedQuote('X', 102.9, 103.1, T + 2_150, 6);
    consume(q2);
    consume(t3);
    expect(summary()).toEqual([
      ['subscription', null],
      ['snapshot', 102],
      ['enriched', q2.id],
      ['quote', q2.id],
      ['enriched', t3.id],
      ['trade', t3.id],
    ]);
    expect(socket.frames[1]!['data']).toMatchObject({ bidPrice: 101.9, askPrice: 102.1, lastEventTime: T + 2_100 });

    // After the unsubscribe ack nothing more; a new subscribe starts from the state then.
    socket.frames.length = 0;
    socket.receive({ action: 'unsubscribe', trades: ['X'], quotes: ['X'], enriched: ['X'] });
    consume(enrichedTrade('X', 104, T + 2_300, 7));
    socket.receive({ action: 'subscribe', trades: ['X'] });
    expect(summary()).toEqual([
      ['subscription', null],
      ['subscription', null],
      ['snapshot', 104],
    ]);
  });

  it('sends a null snapshot for a symbol without state, then every event', () => {
    socket.receive({ action: 'subscribe', enriched: ['NEW'] });
    const first = enrichedTrade('NEW', 10, T + 1_000, 1);
    consume(first);
    expect(socket.frames.slice(1)).toEqual([{ type: 'snapshot', symbol: 'NEW', eventTime: null, data: null }, expect.objectContaining({ type: 'enriched', id: first.id, ingestTime: first.ingestTime })]);
  });
});
