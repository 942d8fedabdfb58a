import { Module } from '@nestjs/common';
import { AlpacaStreamModule } from './alpaca-stream/alpaca-stream.module';
import { FanOutModule } from './fan-out/fan-out.module';
import { GraphQlModule } from './graphql/graphql.module';
import { LivePageModule } from './page/live-page.module';
import { RestApiModule } from './rest/rest-api.module';
import { StreamsModule } from './streams/streams.module';

/** consumer-gateway's features; config, logging, health, metrics and clients come from service-kit. */
@Module({ imports: [StreamsModule, FanOutModule, AlpacaStreamModule, RestApiModule, GraphQlModule, LivePageModule] })
export class AppModule {}
