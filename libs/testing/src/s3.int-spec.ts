import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { ARCHIVE_BUCKET } from '@tickwire/resources';
import { createLocalS3 } from './stack-clients';
import { uniqueName } from './unique-names';

describe('S3Mock on the local stack', () => {
  const client = createLocalS3();

  afterAll(() => client.destroy());

  it('puts and gets an object in the provisioned archive bucket', async () => {
    const Key = `it/${uniqueName('obj')}.json`;
    await client.send(new PutObjectCommand({ Bucket: ARCHIVE_BUCKET, Key, Body: '{"symbol":"AAPL"}', ContentType: 'application/json' }));
    try {
      const response = await client.send(new GetObjectCommand({ Bucket: ARCHIVE_BUCKET, Key }));
      expect(await response.Body!.transformToString()).toBe('{"symbol":"AAPL"}');
      expect(response.ContentType).toBe('application/json');
    } finally {
      await client.send(new DeleteObjectCommand({ Bucket: ARCHIVE_BUCKET, Key }));
    }
  });

  it('creates a bucket of its own and round-trips binary content', async () => {
    const Bucket = uniqueName('it-bucket');
    const body = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00]);
    await client.send(new CreateBucketCommand({ Bucket }));
    try {
      await client.send(new PutObjectCommand({ Bucket, Key: 'a.gz', Body: body }));
      const response = await client.send(new GetObjectCommand({ Bucket, Key: 'a.gz' }));
      expect(Buffer.from(await response.Body!.transformToByteArray())).toEqual(body);
      await client.send(new DeleteObjectCommand({ Bucket, Key: 'a.gz' }));
    } finally {
      await client.send(new DeleteBucketCommand({ Bucket }));
    }
  });
});
