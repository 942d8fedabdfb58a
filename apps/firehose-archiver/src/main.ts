import { bootstrapService } from '@tickwire/service-kit';
import { AppModule } from './app.module';
import { FIREHOSE_ARCHIVER } from './service-definition';

void bootstrapService(AppModule, FIREHOSE_ARCHIVER);
