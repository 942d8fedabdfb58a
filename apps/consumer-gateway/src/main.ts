import { bootstrapService } from '@tickwire/service-kit';
import { AppModule } from './app.module';
import { CONSUMER_GATEWAY } from './service-definition';

void bootstrapService(AppModule, CONSUMER_GATEWAY);
