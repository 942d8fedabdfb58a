import { Testing } from 'cdktf';
import { JsonParameter } from './parameters/json-parameter';
import { ArchiveBucket } from './storage/archive-bucket';

const tiering = {
  glacierInstantRetrievalAfterDays: 30,
  deepArchiveAfterDays: 180,
  noncurrentVersionExpirationDays: 30,
  errorObjectExpirationDays: 90,
};

describe('ArchiveBucket', () => {
  it('refuses a Deep Archive transition inside Glacier IR 90-day minimum', () => {
    expect(() =>
      Testing.synthScope((scope) => {
        new ArchiveBucket(scope, 'archive', {
          bucketName: 'b',
          dataPrefix: 'raw',
          errorPrefix: 'errors',
          kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
          tiering: { ...tiering, deepArchiveAfterDays: 60 },
        });
      }),
    ).toThrow(/at least 90 days/);
  });

  it('synthesizes the shared prefixes into the lifecycle rules', () => {
    const synth = Testing.synthScope((scope) => {
      new ArchiveBucket(scope, 'archive', {
        bucketName: 'b',
        dataPrefix: 'raw',
        errorPrefix: 'errors',
        kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
        tiering,
      });
    });
    const stack = JSON.parse(synth) as {
      resource: {
        aws_s3_bucket_lifecycle_configuration: Record<
          string,
          { rule: { id: string; filter: { prefix: string }[] }[] }
        >;
      };
    };
    const [lifecycle] = Object.values(stack.resource.aws_s3_bucket_lifecycle_configuration);
    expect(lifecycle?.rule.map((r) => [r.id, r.filter[0]?.prefix])).toEqual([
      ['tier-archived-records', 'raw/'],
      ['expire-error-records', 'errors/'],
      ['abort-incomplete-uploads', ''],
    ]);
  });
});

describe('JsonParameter', () => {
  const key = 'arn:aws:kms:us-east-1:111122223333:key/1234';
  const parameterOf = (value: unknown) => {
    const synth = Testing.synthScope((scope) => {
      new JsonParameter(scope, 'p', { name: '/t/p', description: 'd', value, kmsKeyArn: key });
    });
    const stack = JSON.parse(synth) as {
      resource: { aws_ssm_parameter: Record<string, { tier: string; type: string; key_id: string }> };
    };
    return Object.values(stack.resource.aws_ssm_parameter)[0];
  };
  const tierOf = (value: unknown): string => parameterOf(value)?.tier ?? '';

  it('encrypts the value with the given key (SecureString)', () => {
    expect(parameterOf({ a: 1 })).toMatchObject({ type: 'SecureString', key_id: key });
  });

  it('uses the Standard tier up to 4 KB and Advanced above', () => {
    expect(tierOf({ a: 'x'.repeat(100) })).toBe('Standard');
    expect(tierOf({ a: 'x'.repeat(5000) })).toBe('Advanced');
  });

  it('refuses values above the 8 KB SSM limit', () => {
    expect(() => tierOf({ a: 'x'.repeat(9000) })).toThrow(/8 KB/);
  });
});
