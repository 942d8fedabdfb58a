import { Module } from '@nestjs/common';
import { StreamsModule } from './streams/streams.module';

/** consumer-gateway's features; config, logging, health, metrics and clients come from service-kit. */
@Module({ imports: [StreamsModule] })
export class AppModule {}
