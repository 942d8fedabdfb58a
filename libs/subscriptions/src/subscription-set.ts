import { CHANNELS, type Channel, WILDCARD } from './channels';
import type { ChannelSymbols } from './client-messages';

/** The ack of every subscribe/unsubscribe: the full current subscription, each channel's symbols sorted. */
export type SubscriptionFrame = { type: 'subscription' } & Record<Channel, string[]>;

/**
 * One connection's subscription: per channel a set of symbols, `*` meaning every symbol. Immutable:
 * {@link with} and {@link without} return new sets, so a request is checked against limits and
 * entitlements before anything changes (a refused subscribe leaves the subscription as it was).
 */
export class SubscriptionSet {
  private constructor(private readonly symbolsByChannel: ReadonlyMap<Channel, ReadonlySet<string>>) {}

  /** The empty subscription. */
  static empty(): SubscriptionSet {
    return new SubscriptionSet(new Map());
  }

  /** Subscribe is additive: the union of this subscription and `request`. */
  with(request: ChannelSymbols): SubscriptionSet {
    const next = new Map<Channel, ReadonlySet<string>>(this.symbolsByChannel);
    for (const channel of CHANNELS) {
      const added = request[channel];
      if (!added || added.length === 0) continue;
      next.set(channel, new Set([...(this.symbolsByChannel.get(channel) ?? []), ...added]));
    }
    return new SubscriptionSet(next);
  }

  /**
   * This subscription minus `request`. Removing `*` removes only the wildcard (explicit symbols stay);
   * removing a symbol that is not subscribed is a no-op, as in Alpaca's protocol.
   */
  without(request: ChannelSymbols): SubscriptionSet {
    const next = new Map<Channel, ReadonlySet<string>>(this.symbolsByChannel);
    for (const channel of CHANNELS) {
      const removed = request[channel];
      const current = this.symbolsByChannel.get(channel);
      if (!removed || !current) continue;
      const remaining = new Set(current);
      for (const symbol of removed) remaining.delete(symbol);
      if (remaining.size === 0) next.delete(channel);
      else next.set(channel, remaining);
    }
    return new SubscriptionSet(next);
  }

  /** True when a `channel` event of `symbol` must be delivered. */
  matches(channel: Channel, symbol: string): boolean {
    const symbols = this.symbolsByChannel.get(channel);
    return symbols !== undefined && (symbols.has(WILDCARD) || symbols.has(symbol));
  }

  /** Symbols (possibly `*`) of one channel. */
  symbolsOf(channel: Channel): ReadonlySet<string> {
    return this.symbolsByChannel.get(channel) ?? new Set();
  }

  /**
   * Distinct symbols across channels, the quantity a customer's symbol limit bounds (AAPL on trades
   * and on bars counts once; `*` counts once, since whether a key may use the wildcard at all is an
   * entitlement, not a limit).
   */
  symbolCount(): number {
    const all = new Set<string>();
    for (const symbols of this.symbolsByChannel.values()) for (const symbol of symbols) all.add(symbol);
    return all.size;
  }

  /** (channel, symbol) pairs in `this` but not in `previous`: what a subscribe newly added. */
  addedSince(previous: SubscriptionSet): { channel: Channel; symbol: string }[] {
    const added: { channel: Channel; symbol: string }[] = [];
    for (const [channel, symbols] of this.symbolsByChannel) {
      const before = previous.symbolsByChannel.get(channel);
      for (const symbol of symbols) if (!before?.has(symbol)) added.push({ channel, symbol });
    }
    return added;
  }

  /** True when nothing is subscribed. */
  isEmpty(): boolean {
    return this.symbolsByChannel.size === 0;
  }

  /** The ack frame: every channel, with its symbols sorted (`*` first). */
  toFrame(): SubscriptionFrame {
    const frame = { type: 'subscription' } as SubscriptionFrame;
    for (const channel of CHANNELS) frame[channel] = [...this.symbolsOf(channel)].sort();
    return frame;
  }
}
