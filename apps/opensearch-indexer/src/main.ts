import { bootstrapService } from '@tickwire/service-kit';
import { AppModule } from './app.module';
import { OPENSEARCH_INDEXER } from './service-definition';

void bootstrapService(AppModule, OPENSEARCH_INDEXER);
