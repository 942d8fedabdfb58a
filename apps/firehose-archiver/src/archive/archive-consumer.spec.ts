import { CUSTOMER_TOPICS, RAW_TOPICS } from '@tickwire/contracts';
import { archivedTopics } from './archive-consumer';

describe('archivedTopics', () => {
  it('archives the raw topics, and the customer topics only when ARCHIVE_ENRICHED', () => {
    expect(archivedTopics({ ARCHIVE_ENRICHED: false, KAFKA_TOPIC_PREFIX: '' })).toEqual([...RAW_TOPICS]);
    expect(archivedTopics({ ARCHIVE_ENRICHED: true, KAFKA_TOPIC_PREFIX: '' })).toEqual([
      ...RAW_TOPICS,
      ...CUSTOMER_TOPICS,
    ]);
  });

  it('puts KAFKA_TOPIC_PREFIX in front of every topic', () => {
    expect(archivedTopics({ ARCHIVE_ENRICHED: false, KAFKA_TOPIC_PREFIX: 'staging.' })).toEqual(
      RAW_TOPICS.map((topic) => `staging.${topic}`),
    );
  });
});
