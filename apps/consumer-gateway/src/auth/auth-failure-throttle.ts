import { Injectable } from '@nestjs/common';
import { InjectServiceConfig } from '@tickwire/service-kit';
import { KeyedTokenBuckets } from '@tickwire/subscriptions';
import type { GatewayConfig } from '../config/gateway-config';

/** Bound on remembered blocked addresses; expired entries are swept when it is reached. */
const MAX_BLOCKED_ADDRESSES = 10_000;

/**
 * Failed API-key authentications per client address on the REST API (every request carries its key,
 * so successes are not limited): STREAM_AUTH_BURST failures, refilled at STREAM_AUTH_PER_SECOND. An
 * address that spent its budget is blocked until one token has refilled: its requests get 429 with
 * `Retry-After` without a key lookup (OWASP Authentication Cheat Sheet: throttle failed logins per source).
 */
@Injectable()
export class AuthFailureThrottle {
  private readonly failures: KeyedTokenBuckets;
  private readonly blockedUntil = new Map<string, number>();
  private readonly blockMs: number;

  /** Epoch ms; replaceable in unit tests. */
  now: () => number = Date.now;

  constructor(@InjectServiceConfig() config: Pick<GatewayConfig, 'STREAM_AUTH_BURST' | 'STREAM_AUTH_PER_SECOND'>) {
    this.failures = new KeyedTokenBuckets(config.STREAM_AUTH_BURST, config.STREAM_AUTH_PER_SECOND, () => this.now());
    this.blockMs = Math.ceil(1000 / config.STREAM_AUTH_PER_SECOND);
  }

  /** Seconds `address` must wait before trying again (>= 1), or 0 when it may try now. */
  retryAfterSeconds(address: string): number {
    const until = this.blockedUntil.get(address);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left <= 0) {
      this.blockedUntil.delete(address);
      return 0;
    }
    return Math.ceil(left / 1000);
  }

  /** Counts a failed authentication of `address`; returns the seconds it is now blocked for (0: not blocked). */
  recordFailure(address: string): number {
    if (this.failures.tryTake(address)) return 0;
    const now = this.now();
    if (this.blockedUntil.size >= MAX_BLOCKED_ADDRESSES) {
      for (const [blocked, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(blocked);
    }
    this.blockedUntil.set(address, now + this.blockMs);
    return Math.ceil(this.blockMs / 1000);
  }
}
