import { loadServiceConfig } from '@tickwire/service-kit';
import { FIREHOSE_ARCHIVER } from './service-definition';

describe('firehose-archiver configuration', () => {
  const load = (env: NodeJS.ProcessEnv) =>
    loadServiceConfig(FIREHOSE_ARCHIVER.name, FIREHOSE_ARCHIVER.envSchema, env);

  it('defaults to the local stack on port 8084', () => {
    expect(load({})).toMatchObject({
      HTTP_PORT: 8084,
      S3_ENDPOINT: 'http://127.0.0.1:9090',
      ARCHIVE_BUCKET: 'tickwire-archive',
    });
  });

  it('reads the Firehose buffering hints and prefixes, with Firehose defaults', () => {
    expect(load({})).toMatchObject({
      BUFFER_SIZE_MIB: 5,
      BUFFER_INTERVAL_SECONDS: 300,
      ARCHIVE_PREFIX: 'raw',
      ARCHIVE_ERROR_PREFIX: 'errors',
      ARCHIVE_ENRICHED: false,
      UPLOAD_MAX_RETRIES: 5,
      KAFKA_SESSION_TIMEOUT_MS: 30_000,
    });
    expect(load({ KAFKA_SESSION_TIMEOUT_MS: '6000' })).toMatchObject({ KAFKA_SESSION_TIMEOUT_MS: 6_000 });
    expect(() => load({ KAFKA_SESSION_TIMEOUT_MS: '5999' })).toThrow(
      /KAFKA_SESSION_TIMEOUT_MS must be at least 6000 ms/,
    );
    expect(
      load({
        BUFFER_SIZE_MIB: '1',
        BUFFER_INTERVAL_SECONDS: '60',
        ARCHIVE_PREFIX: 'archive/raw',
        ARCHIVE_ENRICHED: 'true',
      }),
    ).toMatchObject({
      BUFFER_SIZE_MIB: 1,
      BUFFER_INTERVAL_SECONDS: 60,
      ARCHIVE_PREFIX: 'archive/raw',
      ARCHIVE_ENRICHED: true,
    });
    expect(() => load({ BUFFER_SIZE_MIB: '129' })).toThrow(/BUFFER_SIZE_MIB must be at most 128 MiB/);
    expect(() => load({ BUFFER_INTERVAL_SECONDS: '901' })).toThrow(
      /BUFFER_INTERVAL_SECONDS must be at most 900 seconds/,
    );
    expect(() => load({ ARCHIVE_PREFIX: '/raw/' })).toThrow(/ARCHIVE_PREFIX must be an S3 key prefix/);
  });

  it('rejects a bad variable, naming it', () => {
    expect(() => load({ ARCHIVE_BUCKET: 'Not_A_Bucket' })).toThrow(
      'Invalid configuration for firehose-archiver: ARCHIVE_BUCKET must be a valid S3 bucket name',
    );
  });
});
