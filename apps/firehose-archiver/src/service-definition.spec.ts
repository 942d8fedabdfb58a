import { loadServiceConfig } from '@tickwire/service-kit';
import { FIREHOSE_ARCHIVER } from './service-definition';

describe('firehose-archiver configuration', () => {
  const load = (env: NodeJS.ProcessEnv) => loadServiceConfig(FIREHOSE_ARCHIVER.name, FIREHOSE_ARCHIVER.envSchema, env);

  it('defaults to the local stack on port 8084', () => {
    expect(load({})).toMatchObject({ HTTP_PORT: 8084, S3_ENDPOINT: 'http://127.0.0.1:9090', ARCHIVE_BUCKET: 'tickwire-archive' });
  });

  it('rejects a bad variable, naming it', () => {
    expect(() => load({ ARCHIVE_BUCKET: 'Not_A_Bucket' })).toThrow('Invalid configuration for firehose-archiver: ARCHIVE_BUCKET must be a valid S3 bucket name');
  });
});
