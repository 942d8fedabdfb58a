import { Injectable } from '@nestjs/common';
import { InjectServiceConfig } from '@tickwire/service-kit';
import { KeyedTokenBuckets } from '@tickwire/subscriptions';
import type { GatewayConfig } from '../config/gateway-config';

/**
 * Authentication attempts per client address, one budget shared by `/v1/stream` auth frames and
 * GraphQL connection_init (a brute forcer switching protocols gets no second budget):
 * STREAM_AUTH_BURST attempts, refilled at STREAM_AUTH_PER_SECOND.
 */
@Injectable()
export class AuthAttempts extends KeyedTokenBuckets {
  constructor(@InjectServiceConfig() config: Pick<GatewayConfig, 'STREAM_AUTH_BURST' | 'STREAM_AUTH_PER_SECOND'>) {
    super(config.STREAM_AUTH_BURST, config.STREAM_AUTH_PER_SECOND);
  }
}
