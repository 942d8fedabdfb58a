import { Module } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { OPENSEARCH_CLIENT } from '@tickwire/service-kit';
import { BulkIndexingController } from './bulk-indexing.controller';
import { OpenSearchBulkWriter } from './opensearch-bulk-writer';

@Module({
  controllers: [BulkIndexingController],
  providers: [{ provide: OpenSearchBulkWriter, useFactory: (client: Client) => new OpenSearchBulkWriter(client), inject: [OPENSEARCH_CLIENT] }],
})
export class BulkIndexingModule {}
