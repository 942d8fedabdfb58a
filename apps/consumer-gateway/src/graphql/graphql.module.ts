import { Module } from '@nestjs/common';
import { FanOutModule } from '../fan-out/fan-out.module';
import { GraphQlGateway } from './graphql-gateway';

/** GraphQL subscriptions (graphql-ws) at /v1/graphql. */
@Module({ imports: [FanOutModule], providers: [GraphQlGateway] })
export class GraphQlModule {}
