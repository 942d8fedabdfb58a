import { Injectable } from '@nestjs/common';
import { InjectServiceConfig } from '@tickwire/service-kit';
import type { GatewayConfig } from '../config/gateway-config';

/** Gives a pending slot back; idempotent (authentication and close may both call it). */
export type ReleasePending = () => void;

/**
 * WebSocket connections per client address that have not authenticated yet (stream and GraphQL
 * together), capped at WS_MAX_PENDING_PER_ADDRESS: a client opening sockets without authenticating
 * can hold at most that many, each for at most the auth timeout. The map holds only addresses with
 * pending connections, so it is bounded by the open sockets.
 */
@Injectable()
export class PendingConnections {
  private readonly pending = new Map<string, number>();
  private readonly max: number;

  constructor(@InjectServiceConfig() config: Pick<GatewayConfig, 'WS_MAX_PENDING_PER_ADDRESS'>) {
    this.max = config.WS_MAX_PENDING_PER_ADDRESS;
  }

  /** Takes a slot of `address`: its release function, or null when the address is at the cap. */
  admit(address: string): ReleasePending | null {
    const count = this.pending.get(address) ?? 0;
    if (count >= this.max) return null;
    this.pending.set(address, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.pending.get(address) ?? 1) - 1;
      if (left <= 0) this.pending.delete(address);
      else this.pending.set(address, left);
    };
  }

  /** Pending connections of `address`. */
  countOf(address: string): number {
    return this.pending.get(address) ?? 0;
  }
}
