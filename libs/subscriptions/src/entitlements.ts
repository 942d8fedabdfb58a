import { CHANNELS, type Channel, WILDCARD } from './channels';
import type { ChannelSymbols } from './client-messages';
import type { SubscriptionSet } from './subscription-set';

/**
 * What one API key may do. Stored with the key (see @tickwire/customer-keys) and checked on every
 * subscribe, before the subscription changes.
 */
export interface CustomerEntitlements {
  /** Customer the key belongs to, e.g. `acme`. Connection limits are per customer. */
  customerId: string;
  /** Channels the key may subscribe to. */
  channels: readonly Channel[];
  /** Symbols the key may subscribe to; `['*']` = every symbol (and the wildcard subscription). */
  symbols: readonly string[];
  /** Most simultaneous connections of this customer (per gateway instance, see the README). */
  maxConnections: number;
  /** Most distinct symbols one connection may subscribe to (see SubscriptionSet.symbolCount). */
  maxSymbols: number;
}

/** Why a subscribe is refused: the protocol error and a detail naming what was refused. */
export type SubscribeRefusal = { error: 'notEntitled' | 'symbolLimitExceeded'; detail: string };

/** True when `entitlements` allow `symbol` (possibly `*`) on `channel`. */
export function isEntitled(entitlements: CustomerEntitlements, channel: Channel, symbol: string): boolean {
  if (!entitlements.channels.includes(channel)) return false;
  if (entitlements.symbols.includes(WILDCARD)) return true;
  return symbol !== WILDCARD && entitlements.symbols.includes(symbol);
}

/**
 * Checks a subscribe request: every (channel, symbol) must be entitled, and the resulting
 * subscription must stay within `maxSymbols`. Returns null when it may be applied.
 *
 * @param next the subscription after the request (`current.with(request)`).
 */
export function checkSubscribe(
  entitlements: CustomerEntitlements,
  request: ChannelSymbols,
  next: SubscriptionSet,
): SubscribeRefusal | null {
  const refused: string[] = [];
  for (const channel of CHANNELS) {
    for (const symbol of request[channel] ?? []) {
      if (!isEntitled(entitlements, channel, symbol)) refused.push(`${channel}:${symbol}`);
    }
  }
  if (refused.length > 0) {
    const shown = refused.slice(0, 10).join(', ');
    return { error: 'notEntitled', detail: refused.length > 10 ? `${shown} and ${refused.length - 10} more` : shown };
  }
  const count = next.symbolCount();
  if (count > entitlements.maxSymbols) {
    return { error: 'symbolLimitExceeded', detail: `${count} symbols requested, limit ${entitlements.maxSymbols}` };
  }
  return null;
}
