import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { booleanField, consumerGatewayEnvSchema, httpUrlField, millisecondsField } from '@tickwire/service-kit';
import { CUSTOMER_API_KEYS_TABLE, SYMBOL_STATE_TABLE } from '@tickwire/resources';
import { z } from 'zod';
import { trustedProxyList } from '../auth/client-addresses';

const positiveInt = (fallback: number) => z.coerce.number().int().positive({ error: 'must be an integer > 0' }).default(fallback);
const positiveNumber = (fallback: number) => z.coerce.number().positive({ error: 'must be a number > 0' }).default(fallback);

/**
 * consumer-gateway's environment: the shared consumer-gateway variables (service-kit) plus the
 * stream protocol's timeouts and limits. Defaults are the production values; see the app README.
 */
export const gatewayEnvSchema = consumerGatewayEnvSchema.safeExtend({
  /**
   * This instance's id: the Kafka consumer group is `consumer-gateway-<id>`, so every instance gets
   * every partition (fan-out, not work sharing). Default: `<hostname>-<6 random hex>`, unique per
   * process start (two gateways on one host must not share a group). The gateway never commits
   * offsets, so an empty group leaves nothing behind in Kafka.
   */
  GATEWAY_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, { error: 'must be letters, digits, ".", "_" or "-"' })
    .default(() => `${hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 80) || 'local'}-${randomBytes(3).toString('hex')}`),
  OPENSEARCH_URL: httpUrlField.default('http://127.0.0.1:9200'),
  /**
   * The live path (issue 14): true (default) reads the customer topics read_uncommitted, so a frame
   * leaves as soon as the enricher wrote it, not after its transaction commits (tens of ms), and drops
   * the enricher's replays after an aborted transaction by their `tickwire-feed-seq` (FeedDeduplicator;
   * what a customer can then see: the app README, "The uncommitted live path"). false: read_committed,
   * nothing of an aborted transaction ever reaches a customer, every frame waits for the commit.
   */
  GATEWAY_READ_UNCOMMITTED: booleanField.default(true),
  /**
   * Proxies whose `X-Forwarded-For` entry is believed, as comma-separated CIDRs: behind the AWS load
   * balancer, its subnets (infra sets the VPC's CIDR). Empty (default): the socket's peer is the
   * client. Per-address limits count the client address this yields (auth/client-addresses.ts).
   */
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((raw) => raw.split(',').map((part) => part.trim()).filter((part) => part.length > 0))
    .refine(
      (cidrs) => {
        try {
          trustedProxyList(cidrs);
          return true;
        } catch {
          return false;
        }
      },
      { error: 'must be a comma-separated list of CIDRs such as 10.40.0.0/16 (the load balancer subnets)' },
    ),
  /** A connection must authenticate within this time after connecting (Alpaca: 10 s). */
  STREAM_AUTH_TIMEOUT_MS: millisecondsField.default(10_000),
  /** Largest frame a client may send; bigger ones close the connection (1009). */
  STREAM_MAX_PAYLOAD_BYTES: positiveInt(64 * 1024),
  /** Socket bytes buffered for a client above which messages wait in its outbox (the client is slow). */
  STREAM_HIGH_WATER_BYTES: positiveInt(1024 * 1024),
  /** Messages a slow client's outbox keeps in order before it conflates (latest per channel and symbol). */
  STREAM_MAX_QUEUED: positiveInt(2_000),
  /** Conflated keys (channel:symbol, one per alert) beyond which a slow client is disconnected. */
  STREAM_MAX_CONFLATED: positiveInt(5_000),
  /** A client whose outbox has not emptied for this long is disconnected as slow even within the bounds. */
  STREAM_SLOW_CLIENT_TIMEOUT_MS: millisecondsField.default(30_000),
  /** Subscribe/unsubscribe token bucket per connection: burst and sustained rate (per second). */
  STREAM_SUBSCRIBE_BURST: positiveInt(20),
  STREAM_SUBSCRIBE_PER_SECOND: positiveNumber(5),
  /**
   * Auth attempts per client address (stream auth frames, GraphQL connection_init, failed REST keys):
   * burst and sustained rate (per second). Beyond it: stream 412 and close, GraphQL close 4412, REST 429
   * with Retry-After. 20 then 2/s makes guessing a 32-byte random key hopeless while a client that
   * reconnects after a network blip never notices (OWASP Authentication Cheat Sheet: throttle per source).
   */
  STREAM_AUTH_BURST: positiveInt(20),
  STREAM_AUTH_PER_SECOND: positiveNumber(2),
  /**
   * Refused frames per stream connection (invalid JSON or action, rate-limited or not-entitled
   * subscriptions, ...): burst and sustained rate. Each refusal gets its error frame; beyond the budget
   * the connection is closed with 4008 (rate limit exceeded), so a flood costs one connection, not the
   * gateway. A well-behaved client gets at most a handful of refusals in its life.
   */
  STREAM_ERROR_BURST: positiveInt(20),
  STREAM_ERRORS_PER_SECOND: positiveNumber(2),
  /**
   * WebSocket connections (stream and GraphQL) one client address may hold before they authenticate;
   * more upgrades get HTTP 429 with Retry-After (the auth timeout). Authenticated connections count
   * against the customer's maxConnections instead.
   */
  WS_MAX_PENDING_PER_ADDRESS: positiveInt(32),
  /** Active GraphQL subscriptions per connection; one more is refused with 405. */
  GRAPHQL_MAX_SUBSCRIPTIONS: positiveInt(50),
  /** How long an API key lookup is cached; a revocation takes effect within this time. */
  API_KEY_CACHE_TTL_MS: millisecondsField.default(30_000),
  /** DynamoDB tables (defaults from @tickwire/resources). */
  CUSTOMER_API_KEYS_TABLE: z.string().min(3).default(CUSTOMER_API_KEYS_TABLE.tableName),
  SYMBOL_STATE_TABLE: z.string().min(3).default(SYMBOL_STATE_TABLE.tableName),
});
export type GatewayConfig = z.output<typeof gatewayEnvSchema>;

/** The Kafka consumer group of one gateway instance. */
export function gatewayConsumerGroup(config: Pick<GatewayConfig, 'KAFKA_CONSUMER_GROUP' | 'GATEWAY_INSTANCE_ID'>): string {
  return config.KAFKA_CONSUMER_GROUP ?? `consumer-gateway-${config.GATEWAY_INSTANCE_ID}`;
}
