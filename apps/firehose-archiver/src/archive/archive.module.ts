import type { S3Client } from '@aws-sdk/client-s3';
import { Module } from '@nestjs/common';
import { type FirehoseArchiverConfig, S3_CLIENT, SERVICE_CONFIG } from '@tickwire/service-kit';
import { ArchiveController } from './archive.controller';
import { S3ArchiveWriter } from './s3-archive-writer';

@Module({
  controllers: [ArchiveController],
  providers: [
    {
      provide: S3ArchiveWriter,
      useFactory: (s3: S3Client, config: FirehoseArchiverConfig) => new S3ArchiveWriter(s3, config.ARCHIVE_BUCKET),
      inject: [S3_CLIENT, SERVICE_CONFIG],
    },
  ],
})
export class ArchiveModule {}
