import { CUSTOMER_TOPICS, RAW_TOPICS } from '@tickwire/contracts';
import { archivedTopics } from './archive-consumer';

describe('archivedTopics', () => {
  it('archives the raw topics, and the customer topics only when ARCHIVE_ENRICHED', () => {
    expect(archivedTopics({ ARCHIVE_ENRICHED: false })).toEqual([...RAW_TOPICS]);
    expect(archivedTopics({ ARCHIVE_ENRICHED: true })).toEqual([...RAW_TOPICS, ...CUSTOMER_TOPICS]);
  });
});
