import { TOPICS } from '@tickwire/contracts';
import {
  customerGroupPrefix,
  customerIdOfKafkaUser,
  customerKafkaAcls,
  customerKafkaTopics,
  customerKafkaUser,
  readableTopicsOf,
} from './customer-kafka-access';

describe('customer Kafka access', () => {
  it('grants a topic only for the channel that covers all of it; trades and quotes grant none', () => {
    expect(customerKafkaTopics(['trades', 'quotes'])).toEqual([]);
    expect(customerKafkaTopics(['trades', 'enriched', 'bars', 'alerts', 'corrections', 'statuses', 'enriched'])).toEqual(
      [TOPICS.alerts, TOPICS.bars1m, TOPICS.corrections, TOPICS.enriched, TOPICS.halts].sort(),
    );
  });

  it('names the user customer.<id> and its groups customer.<id>.', () => {
    expect(customerKafkaUser('acme')).toBe('customer.acme');
    expect(customerGroupPrefix('acme')).toBe('customer.acme.');
    expect(customerIdOfKafkaUser('customer.acme')).toBe('acme');
    expect(customerIdOfKafkaUser('customer')).toBeUndefined();
    expect(customerIdOfKafkaUser('customer.')).toBeUndefined();
    expect(customerIdOfKafkaUser('tickwire-enricher')).toBeUndefined();
    // The trailing dot: one customer's prefix never covers another's groups.
    expect(`${customerGroupPrefix('acme-eu')}x`.startsWith(customerGroupPrefix('acme'))).toBe(false);
  });

  it('allows READ+DESCRIBE on each entitled topic and READ on the group prefix, nothing else', () => {
    const acls = customerKafkaAcls('acme', ['enriched', 'trades']);
    expect(acls).toEqual([
      { resourceType: 'TOPIC', resourceName: TOPICS.enriched, patternType: 'LITERAL', principal: 'User:customer.acme', host: '*', operation: 'READ', permission: 'ALLOW' },
      { resourceType: 'TOPIC', resourceName: TOPICS.enriched, patternType: 'LITERAL', principal: 'User:customer.acme', host: '*', operation: 'DESCRIBE', permission: 'ALLOW' },
      { resourceType: 'GROUP', resourceName: 'customer.acme.', patternType: 'PREFIXED', principal: 'User:customer.acme', host: '*', operation: 'READ', permission: 'ALLOW' },
    ]);
    expect(readableTopicsOf(acls)).toEqual([TOPICS.enriched]);
  });
});
