import { Controller, Get } from '@nestjs/common';
import { IngestRunService } from './ingest-run.service';
import type { IngestStatus } from './ingest-status';

/** `GET /v1/ingest/status`: the ingest run's state and counts, for the main job and operators. */
@Controller('v1/ingest')
export class IngestStatusController {
  constructor(private readonly ingest: IngestRunService) {}

  @Get('status')
  status(): IngestStatus {
    return this.ingest.status();
  }
}
