import { Injectable } from '@nestjs/common';

/**
 * Open connections per customer on this instance, for the per-customer connection limit. The limit
 * is per instance: a cluster-wide count would need a shared counter (e.g. a DynamoDB item with
 * conditional increments and a TTL lease), which the README lists as a deployment choice.
 */
@Injectable()
export class CustomerConnections {
  private readonly open = new Map<string, number>();

  /** Takes a connection slot of `customerId`; false when it already has `max` connections. */
  tryAcquire(customerId: string, max: number): boolean {
    const count = this.open.get(customerId) ?? 0;
    if (count >= max) return false;
    this.open.set(customerId, count + 1);
    return true;
  }

  /** Gives a slot back (on close). */
  release(customerId: string): void {
    const count = (this.open.get(customerId) ?? 0) - 1;
    if (count <= 0) this.open.delete(customerId);
    else this.open.set(customerId, count);
  }

  /** Open connections of `customerId`. */
  countOf(customerId: string): number {
    return this.open.get(customerId) ?? 0;
  }
}
