import { Module } from '@nestjs/common';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { AuthAttempts } from '../auth/auth-attempts';
import { ClientAddresses } from '../auth/client-addresses';
import { CustomerConnections } from '../auth/customer-connections';
import { PendingConnections } from '../auth/pending-connections';
import { MarketFeedConsumer } from '../market-feed/market-feed-consumer';
import { SymbolSnapshots } from '../snapshots/symbol-snapshots';
import { SymbolStateReader } from '../snapshots/symbol-state-reader';
import { StreamServer } from '../stream/stream-server';
import { StreamServerDependencies } from '../stream/websocket-stream-server';
import { WebSocketUpgradeRouter } from '../stream/websocket-upgrade-router';
import { GatewayMetrics } from './gateway-metrics';
import { SubscriberHub } from './subscriber-hub';

/** The live path: Kafka -> snapshot cache + hub -> WebSocket connections, and what the protocols share (auth, snapshots). */
@Module({
  providers: [
    { provide: SubscriberHub, useFactory: () => new SubscriberHub() },
    GatewayMetrics,
    ApiKeyAuthenticator,
    CustomerConnections,
    PendingConnections,
    AuthAttempts,
    ClientAddresses,
    SymbolStateReader,
    SymbolSnapshots,
    MarketFeedConsumer,
    WebSocketUpgradeRouter,
    StreamServerDependencies,
    StreamServer,
  ],
  exports: [SubscriberHub, GatewayMetrics, ApiKeyAuthenticator, CustomerConnections, PendingConnections, AuthAttempts, ClientAddresses, SymbolStateReader, SymbolSnapshots, MarketFeedConsumer, WebSocketUpgradeRouter, StreamServerDependencies, StreamServer],
})
export class FanOutModule {}
