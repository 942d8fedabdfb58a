import { formatStatusTable } from './status-table';

describe('formatStatusTable', () => {
  it('prints one aligned row per server, "-" for a missing pid, a paused server as such', () => {
    const table = formatStatusTable([
      { server: 'kafka', title: 'Kafka 4.1.2', port: 9092, pid: 42, healthy: true, dataDir: '/k' },
      { server: 's3', title: 'S3Mock 4.7.0', port: 9090, healthy: false, dataDir: '/s' },
      { server: 'dynamodb', title: 'DynamoDB Local', port: 8000, pid: 7, healthy: false, paused: true, dataDir: '/d' },
    ]);
    expect(table.split('\n')).toEqual([
      'server          port  pid  healthy      data dir',
      '--------------  ----  ---  -----------  --------',
      'Kafka 4.1.2     9092  42   yes          /k',
      'S3Mock 4.7.0    9090  -    no           /s',
      'DynamoDB Local  8000  7    no (paused)  /d',
    ]);
  });
});
