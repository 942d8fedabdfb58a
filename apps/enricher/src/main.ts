import { bootstrapService } from '@tickwire/service-kit';
import { AppModule } from './app.module';
import { ENRICHER } from './service-definition';

void bootstrapService(AppModule, ENRICHER);
