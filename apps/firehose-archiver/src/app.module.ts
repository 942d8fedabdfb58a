import { Module } from '@nestjs/common';
import { ArchiveModule } from './archive/archive.module';

/** firehose-archiver's features; config, logging, health, metrics and clients come from service-kit. */
@Module({ imports: [ArchiveModule] })
export class AppModule {}
