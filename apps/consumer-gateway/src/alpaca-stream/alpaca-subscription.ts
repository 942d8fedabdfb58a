import { ALPACA_STOCK_CHANNELS, type AlpacaStockChannel, type AlpacaSubscriptionMessage } from '@tickwire/market-sources';
import {
  type Channel,
  type ChannelSymbols,
  type CustomerEntitlements,
  isEntitled,
  isSubscribableSymbol,
  MAX_SYMBOLS_PER_FRAME,
  SubscriptionSet,
  WILDCARD,
} from '@tickwire/subscriptions';

/** Symbols requested per Alpaca channel, e.g. `{ trades: ['AAPL'], bars: ['*'] }`. */
export type AlpacaChannelSymbols = Partial<Record<AlpacaStockChannel, string[]>>;

/** A client message of `/v2/tickwire`, as Alpaca's SDKs send them. */
export type AlpacaClientRequest =
  | { action: 'auth'; key: string; secret: string }
  | { action: 'subscribe' | 'unsubscribe'; channels: AlpacaChannelSymbols };

/** Why a client message is refused: Alpaca's code (400 invalid syntax, 410 invalid subscribe action). */
export type AlpacaRequestRefusal = { code: 400 | 410; reason: string };

/**
 * The Tickwire channel an Alpaca channel draws on, and so the entitlement it needs: restated bars and
 * daily bars are bars, LULD bands are trading statuses, cancels/errors are corrections.
 */
export const TICKWIRE_CHANNEL_OF: Readonly<Record<AlpacaStockChannel, Channel>> = {
  trades: 'trades',
  quotes: 'quotes',
  bars: 'bars',
  updatedBars: 'bars',
  dailyBars: 'bars',
  statuses: 'statuses',
  lulds: 'statuses',
  corrections: 'corrections',
  cancelErrors: 'corrections',
};

/** Channels subscribed along with `trades` (Alpaca "Real-time Stock Data": corrections and cancels follow trades). */
const FOLLOW_TRADES: readonly AlpacaStockChannel[] = ['corrections', 'cancelErrors'];

function isAlpacaChannel(name: string): name is AlpacaStockChannel {
  return (ALPACA_STOCK_CHANNELS as readonly string[]).includes(name);
}

/**
 * Parses a decoded client message (from JSON text or a msgpack binary frame) of Alpaca's v2 stream
 * protocol: `{"action":"auth","key":...,"secret":...}`, `{"action":"subscribe"|"unsubscribe","trades":[...],...}`.
 * A channel of another Alpaca feed (`orderbooks`, `news`, `imbalances`, ...) is refused with 410; a
 * malformed message, symbol list or symbol (upper-case, as everywhere in Tickwire) with 400.
 */
export function parseAlpacaClientMessage(message: unknown): { ok: true; request: AlpacaClientRequest } | { ok: false; refusal: AlpacaRequestRefusal } {
  const invalid = (reason: string) => ({ ok: false as const, refusal: { code: 400 as const, reason } });
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return invalid('a message must be an object');
  const fields = message as Record<string, unknown>;
  const action = fields['action'];
  if (action === 'auth') {
    const { key, secret } = fields;
    if (typeof key !== 'string' || typeof secret !== 'string' || key.length > 256 || secret.length > 256) return invalid('auth needs key and secret strings');
    return { ok: true, request: { action, key, secret } };
  }
  if (action !== 'subscribe' && action !== 'unsubscribe') return invalid('action must be auth, subscribe or unsubscribe');
  const channels: AlpacaChannelSymbols = {};
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'action') continue;
    if (!isAlpacaChannel(name)) return { ok: false, refusal: { code: 410, reason: `channel ${name} is not offered by this feed` } };
    if (!Array.isArray(value) || value.length > MAX_SYMBOLS_PER_FRAME) return invalid(`${name} must be a list of symbols`);
    if (!value.every((symbol) => typeof symbol === 'string' && symbol.length <= 10 && isSubscribableSymbol(symbol))) return invalid(`invalid symbol in ${name}`);
    channels[name] = value as string[];
  }
  return { ok: true, request: { action, channels } };
}

/**
 * One `/v2/tickwire` connection's subscription, per Alpaca channel a set of symbols (`*` = every
 * symbol). Immutable, like SubscriptionSet: a request is checked before anything changes.
 */
export class AlpacaSubscription {
  private constructor(private readonly symbolsByChannel: ReadonlyMap<AlpacaStockChannel, ReadonlySet<string>>) {}

  static empty(): AlpacaSubscription {
    return new AlpacaSubscription(new Map());
  }

  /**
   * The union with `request`; symbols added to `trades` are added to `corrections` and `cancelErrors`
   * too when `followTrades` (the customer is entitled to corrections).
   */
  with(request: AlpacaChannelSymbols, followTrades: boolean): AlpacaSubscription {
    const next = new Map(this.symbolsByChannel);
    const add = (channel: AlpacaStockChannel, symbols: readonly string[]) => {
      if (symbols.length > 0) next.set(channel, new Set([...(next.get(channel) ?? []), ...symbols]));
    };
    for (const channel of ALPACA_STOCK_CHANNELS) add(channel, request[channel] ?? []);
    if (followTrades) for (const channel of FOLLOW_TRADES) add(channel, request.trades ?? []);
    return new AlpacaSubscription(next);
  }

  /** This subscription minus `request`; symbols removed from `trades` leave `corrections` and `cancelErrors` too. */
  without(request: AlpacaChannelSymbols): AlpacaSubscription {
    const next = new Map(this.symbolsByChannel);
    const remove = (channel: AlpacaStockChannel, symbols: readonly string[]) => {
      const current = next.get(channel);
      if (!current || symbols.length === 0) return;
      const remaining = new Set(current);
      for (const symbol of symbols) remaining.delete(symbol);
      if (remaining.size === 0) next.delete(channel);
      else next.set(channel, remaining);
    };
    for (const channel of ALPACA_STOCK_CHANNELS) remove(channel, request[channel] ?? []);
    for (const channel of FOLLOW_TRADES) remove(channel, request.trades ?? []);
    return new AlpacaSubscription(next);
  }

  /** True when a message of `channel` and `symbol` must be sent. */
  matches(channel: AlpacaStockChannel, symbol: string): boolean {
    const symbols = this.symbolsByChannel.get(channel);
    return symbols !== undefined && (symbols.has(WILDCARD) || symbols.has(symbol));
  }

  /** Distinct symbols across channels (`*` counts once), the quantity the customer's maxSymbols bounds. */
  symbolCount(): number {
    return new Set([...this.symbolsByChannel.values()].flatMap((symbols) => [...symbols])).size;
  }

  /**
   * The (Tickwire channel, symbol) routes this subscription needs from the SubscriberHub: trades,
   * quotes, bars (for `bars` and `updatedBars`), corrections (for `corrections` and `cancelErrors`) and
   * statuses. `dailyBars` and `lulds` need none: no customer topic carries them.
   */
  hubRoutes(): SubscriptionSet {
    const routes: ChannelSymbols = {};
    for (const [channel, symbols] of this.symbolsByChannel) {
      if (channel === 'dailyBars' || channel === 'lulds') continue;
      const target = TICKWIRE_CHANNEL_OF[channel];
      routes[target] = [...(routes[target] ?? []), ...symbols];
    }
    return SubscriptionSet.empty().with(routes);
  }

  /** Alpaca's `subscription` message: every channel with its symbols sorted. */
  toMessage(): AlpacaSubscriptionMessage {
    const lists = ALPACA_STOCK_CHANNELS.map((channel) => [channel, [...(this.symbolsByChannel.get(channel) ?? [])].sort()] as const);
    return { T: 'subscription', ...(Object.fromEntries(lists) as Record<AlpacaStockChannel, string[]>) };
  }
}

/**
 * Checks a subscribe against the customer's entitlements (each channel's Tickwire channel, see
 * {@link TICKWIRE_CHANNEL_OF}, and symbols) and symbol limit.
 * @returns null when it may be applied, else Alpaca's 409 (insufficient subscription) or 405 (symbol limit exceeded).
 */
export function checkAlpacaSubscribe(entitlements: CustomerEntitlements, request: AlpacaChannelSymbols, next: AlpacaSubscription): 405 | 409 | null {
  for (const channel of ALPACA_STOCK_CHANNELS) {
    for (const symbol of request[channel] ?? []) if (!isEntitled(entitlements, TICKWIRE_CHANNEL_OF[channel], symbol)) return 409;
  }
  return next.symbolCount() > entitlements.maxSymbols ? 405 : null;
}
