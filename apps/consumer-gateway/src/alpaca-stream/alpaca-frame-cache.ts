import type { AlpacaStockChannel } from '@tickwire/market-sources';
import type { Channel, CustomerEvent, RoutedMessage } from '@tickwire/subscriptions';
import type { OutboundFrame } from '../stream/outbound-socket';
import { type AlpacaCodec, encodeAlpacaFrame } from './alpaca-codec';
import { alpacaMessageOf } from './alpaca-messages';

/** The Alpaca channels a hub route feeds (enriched and alerts have no Alpaca counterpart). */
export const ALPACA_CHANNELS_OF_ROUTE: Readonly<Record<Channel, readonly AlpacaStockChannel[]>> = {
  trades: ['trades'],
  quotes: ['quotes'],
  bars: ['bars', 'updatedBars'],
  corrections: ['corrections', 'cancelErrors'],
  statuses: ['statuses'],
  enriched: [],
  alerts: [],
};

/**
 * Encoded `/v2/tickwire` frames of the routed message being fanned out, computed once per (Alpaca
 * channel, codec) and shared by every subscriber of that message (the hub hands all of them the same
 * RoutedMessage object), like the hub's shared JSON text for `/v1/stream`. Held weakly: an entry lives
 * as long as the fan-out of its message.
 */
export class AlpacaFrameCache {
  private readonly frames = new WeakMap<RoutedMessage, Map<string, OutboundFrame | null>>();

  /** The one-message frame of `event` on `channel` in `codec`, or null when the event is not of that channel. */
  frameOf(message: RoutedMessage, event: CustomerEvent, channel: AlpacaStockChannel, codec: AlpacaCodec): OutboundFrame | null {
    let byChannel = this.frames.get(message);
    if (!byChannel) this.frames.set(message, (byChannel = new Map()));
    const key = `${channel}:${codec}`;
    if (!byChannel.has(key)) {
      const alpaca = alpacaMessageOf(channel, event);
      byChannel.set(key, alpaca === null ? null : encodeAlpacaFrame(codec, [alpaca]));
    }
    return byChannel.get(key) ?? null;
  }
}
