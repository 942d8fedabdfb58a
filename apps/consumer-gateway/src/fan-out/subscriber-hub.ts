import { type Channel, type CustomerEvent, type RoutedMessage, routeEvent, WILDCARD } from '@tickwire/subscriptions';

/**
 * Something that receives routed messages: a `/v1/stream` connection, a GraphQL subscription.
 * `deliver` must return at once (no I/O, no await): it runs inside the fan-out loop, once per
 * subscriber, so anything slow there would delay every other subscriber.
 */
export interface FeedSubscriber {
  /**
   * @param message the routed message (channel, symbol, frame, conflation key).
   * @param frameText the frame serialised as JSON, computed once per message and shared by all subscribers.
   * @param event the validated event it came from (for filters).
   */
  deliver(message: RoutedMessage, frameText: () => string, event: CustomerEvent): void;
}

/**
 * The fan-out index: who receives what. Per channel, subscribers by symbol plus wildcard
 * subscribers, so publishing costs O(matching subscribers), not O(all connections).
 * Synchronous and single-threaded (Node's event loop); nothing here awaits a socket.
 */
export class SubscriberHub {
  private readonly bySymbol = new Map<Channel, Map<string, Set<FeedSubscriber>>>();
  private readonly wildcard = new Map<Channel, Set<FeedSubscriber>>();
  private readonly entriesOf = new Map<FeedSubscriber, Set<string>>();

  /** Routes `subscriber` the messages of (`channel`, `symbol`); `symbol` may be `*`. Idempotent. */
  add(subscriber: FeedSubscriber, channel: Channel, symbol: string): void {
    let set: Set<FeedSubscriber> | undefined;
    if (symbol === WILDCARD) {
      set = this.wildcard.get(channel);
      if (!set) this.wildcard.set(channel, (set = new Set()));
    } else {
      let symbols = this.bySymbol.get(channel);
      if (!symbols) this.bySymbol.set(channel, (symbols = new Map()));
      set = symbols.get(symbol);
      if (!set) symbols.set(symbol, (set = new Set()));
    }
    set.add(subscriber);
    let entries = this.entriesOf.get(subscriber);
    if (!entries) this.entriesOf.set(subscriber, (entries = new Set()));
    entries.add(`${channel}\u0000${symbol}`);
  }

  /** Stops routing (`channel`, `symbol`) to `subscriber`. Idempotent. */
  remove(subscriber: FeedSubscriber, channel: Channel, symbol: string): void {
    if (symbol === WILDCARD) {
      const set = this.wildcard.get(channel);
      set?.delete(subscriber);
      if (set?.size === 0) this.wildcard.delete(channel);
    } else {
      const symbols = this.bySymbol.get(channel);
      const set = symbols?.get(symbol);
      set?.delete(subscriber);
      if (set?.size === 0) symbols?.delete(symbol);
    }
    const entries = this.entriesOf.get(subscriber);
    entries?.delete(`${channel}\u0000${symbol}`);
    if (entries?.size === 0) this.entriesOf.delete(subscriber);
  }

  /** Removes every route of `subscriber` (on disconnect). */
  removeAll(subscriber: FeedSubscriber): void {
    for (const entry of [...(this.entriesOf.get(subscriber) ?? [])]) {
      const [channel, symbol] = entry.split('\u0000') as [Channel, string];
      this.remove(subscriber, channel, symbol);
    }
  }

  /** Number of subscribers with at least one route. */
  get subscriberCount(): number {
    return this.entriesOf.size;
  }

  /**
   * Fans `event` out to every matching subscriber, each once per channel message even when it
   * matches both by symbol and by wildcard. A subscriber that throws is skipped (and reported via
   * `onError`), never the others.
   * @returns the number of deliveries.
   */
  publish(event: CustomerEvent, onError?: (error: unknown) => void): number {
    let deliveries = 0;
    for (const message of routeEvent(event)) {
      const wildcard = this.wildcard.get(message.channel);
      const explicit = this.bySymbol.get(message.channel)?.get(message.symbol);
      if (!wildcard && !explicit) continue;
      let text: string | undefined;
      const frameText = (): string => (text ??= JSON.stringify(message.frame));
      const deliver = (subscriber: FeedSubscriber): void => {
        try {
          subscriber.deliver(message, frameText, event);
          deliveries += 1;
        } catch (error) {
          onError?.(error);
        }
      };
      if (wildcard) for (const subscriber of wildcard) deliver(subscriber);
      if (explicit) for (const subscriber of explicit) if (!wildcard?.has(subscriber)) deliver(subscriber);
    }
    return deliveries;
  }
}
