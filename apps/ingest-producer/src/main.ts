import { bootstrapService } from '@tickwire/service-kit';
import { AppModule } from './app.module';
import { INGEST_PRODUCER } from './service-definition';

void bootstrapService(AppModule, INGEST_PRODUCER);
