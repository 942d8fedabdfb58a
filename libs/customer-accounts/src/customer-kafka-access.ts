import { TOPICS, type TopicName } from '@tickwire/contracts';
import type { KeyChannel } from '@tickwire/customer-keys';
import { allowAcl, type KafkaAclSpec } from '@tickwire/resources';

/**
 * The Kafka topic a gateway channel entitles a customer to read directly. Kafka ACLs grant whole
 * topics (no per-record or per-symbol filter exists), so a channel grants its topic only when the
 * channel covers everything in it:
 *
 * - `enriched` -> `market.enriched.v1`; `bars` -> `market.bars.1m.v1`; `alerts` -> `market.alerts.v1`;
 *   `corrections` -> `market.corrections.v1`; `statuses` -> `market.halts.v1`.
 * - `trades` and `quotes` grant no topic: customers get them on the gateway, which takes them out of
 *   `market.enriched.v1`; on Kafka that topic would also hand over the enrichment (previous close,
 *   change %, moving averages) the key is not entitled to. The raw `market.trades.v1` /
 *   `market.quotes.v1` are internal and never granted.
 */
export const KAFKA_TOPIC_OF_CHANNEL: Readonly<Partial<Record<KeyChannel, TopicName>>> = {
  enriched: TOPICS.enriched,
  bars: TOPICS.bars1m,
  alerts: TOPICS.alerts,
  corrections: TOPICS.corrections,
  statuses: TOPICS.halts,
};

/**
 * The topics `channels` entitle a customer to read on Kafka (see {@link KAFKA_TOPIC_OF_CHANNEL}),
 * without duplicates, sorted. Symbol entitlements do not narrow them: a Kafka customer reads every
 * symbol of an entitled topic.
 */
export function customerKafkaTopics(channels: readonly KeyChannel[]): TopicName[] {
  const topics = new Set<TopicName>();
  for (const channel of channels) {
    const topic = KAFKA_TOPIC_OF_CHANNEL[channel];
    if (topic) topics.add(topic);
  }
  return [...topics].sort();
}

/** Prefix of every customer's SCRAM user name: `customer.<id>` never collides with a service's or the admin's user. */
export const CUSTOMER_KAFKA_USER_PREFIX = 'customer.';

/** The SCRAM user of customer `customerId` (`[a-z0-9-]`, as @tickwire/customer-keys requires), e.g. `customer.acme`. */
export function customerKafkaUser(customerId: string): string {
  return `${CUSTOMER_KAFKA_USER_PREFIX}${customerId}`;
}

/** The customer id of a SCRAM user name made by {@link customerKafkaUser}, or undefined for any other user. */
export function customerIdOfKafkaUser(user: string): string | undefined {
  return user.startsWith(CUSTOMER_KAFKA_USER_PREFIX) && user.length > CUSTOMER_KAFKA_USER_PREFIX.length
    ? user.slice(CUSTOMER_KAFKA_USER_PREFIX.length)
    : undefined;
}

/**
 * The prefix every consumer group of `customerId` must start with, e.g. `customer.acme.`. The
 * trailing dot keeps customers apart: ids are `[a-z0-9-]`, so no id's prefix starts another's
 * (`customer.acme.` is not a prefix of `customer.acme-eu.`).
 */
export function customerGroupPrefix(customerId: string): string {
  return `${customerKafkaUser(customerId)}.`;
}

/**
 * The ACLs of customer `customerId` entitled to `channels`: READ and DESCRIBE on each topic of
 * {@link customerKafkaTopics} (literal), READ on consumer groups prefixed
 * {@link customerGroupPrefix} (READ lets a member join, commit and fetch offsets, and implies
 * DESCRIBE, so the customer can describe and list its own groups). Nothing else: with
 * `allow.everyone.if.no.acl.found=false` writes, other topics (raw ones included) and other
 * customers' groups are denied, and ListGroups shows a customer only its own groups.
 */
export function customerKafkaAcls(customerId: string, channels: readonly KeyChannel[]): KafkaAclSpec[] {
  const principal = `User:${customerKafkaUser(customerId)}`;
  return [
    ...customerKafkaTopics(channels).flatMap((topic) => [allowAcl(principal, 'TOPIC', topic, 'READ'), allowAcl(principal, 'TOPIC', topic, 'DESCRIBE')]),
    allowAcl(principal, 'GROUP', customerGroupPrefix(customerId), 'READ', 'PREFIXED'),
  ];
}

/** The topics a customer's ACLs let it read (literal TOPIC READ allows), sorted. */
export function readableTopicsOf(acls: readonly KafkaAclSpec[]): string[] {
  return [
    ...new Set(
      acls
        .filter((acl) => acl.resourceType === 'TOPIC' && acl.operation === 'READ' && acl.permission === 'ALLOW' && acl.patternType === 'LITERAL')
        .map((acl) => acl.resourceName),
    ),
  ].sort();
}
