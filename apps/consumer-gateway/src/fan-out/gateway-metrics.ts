import { Injectable } from '@nestjs/common';
import { MetricsService } from '@tickwire/service-kit';
import type { Counter, Gauge } from 'prom-client';

/** The gateway's own Prometheus metrics (names follow service-kit's conventions). */
@Injectable()
export class GatewayMetrics {
  /** `tickwire_gateway_connections{protocol}`: open client connections. */
  readonly connections: Gauge<'protocol'>;
  /** `tickwire_gateway_messages_sent_total{channel}`: data messages handed to client sockets. */
  readonly messagesSent: Counter<'channel'>;
  /** `tickwire_gateway_messages_conflated_total`: messages that went to a slow client's conflation stage. */
  readonly messagesConflated: Counter;
  /** `tickwire_gateway_disconnects_total{reason}`: connections closed by the gateway, by protocol error name. */
  readonly disconnects: Counter<'reason'>;
  /** `tickwire_gateway_protocol_errors_total{error}`: error frames sent. */
  readonly protocolErrors: Counter<'error'>;
  /** `tickwire_gateway_events_fanned_out_total{topic}`: consumed events published to subscribers. */
  readonly eventsFannedOut: Counter<'topic'>;
  /**
   * `tickwire_gateway_feed_replays_dropped_total{topic}`: records read uncommitted and not fanned out
   * because their `tickwire-feed-seq` was forwarded already (the enricher's re-emission after an abort).
   */
  readonly feedReplaysDropped: Counter<'topic'>;

  constructor(metrics: MetricsService) {
    this.connections = metrics.gauge('tickwire_gateway_connections', 'Open client connections.', ['protocol']);
    this.messagesSent = metrics.counter('tickwire_gateway_messages_sent_total', 'Data messages handed to client sockets.', ['channel']);
    this.messagesConflated = metrics.counter('tickwire_gateway_messages_conflated_total', 'Messages conflated for slow clients.');
    this.disconnects = metrics.counter('tickwire_gateway_disconnects_total', 'Connections closed by the gateway.', ['reason']);
    this.protocolErrors = metrics.counter('tickwire_gateway_protocol_errors_total', 'Protocol error frames sent.', ['error']);
    this.eventsFannedOut = metrics.counter('tickwire_gateway_events_fanned_out_total', 'Consumed events published to subscribers.', ['topic']);
    this.feedReplaysDropped = metrics.counter(
      'tickwire_gateway_feed_replays_dropped_total',
      'Records read uncommitted whose feed sequence was already forwarded (enricher replays after an abort).',
      ['topic'],
    );
  }
}
