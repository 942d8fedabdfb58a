import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TickwireEvent } from '@tickwire/contracts';
import type { ParsedRecord } from '@tickwire/kafka';
import { archiveObjects } from './archive-objects';

/** Writes archive objects (see archiveObjects) to one S3 bucket. */
export class S3ArchiveWriter {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  /**
   * Uploads the events of one topic-partition batch; resolves when every object is stored.
   * @returns the keys written.
   * @throws the S3 error of the first failed upload (the caller must not commit the batch).
   */
  async write(items: readonly ParsedRecord<TickwireEvent>[]): Promise<string[]> {
    const objects = archiveObjects(items);
    await Promise.all(
      objects.map((object) =>
        this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: object.key,
            Body: object.body,
            ContentType: 'application/x-ndjson',
            ContentEncoding: 'gzip',
            Metadata: { 'record-count': String(object.count) },
          }),
        ),
      ),
    );
    return objects.map((object) => object.key);
  }
}
