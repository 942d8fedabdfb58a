import { Controller, Get } from '@nestjs/common';
import { customerStreams, type StreamDescription } from './stream-catalog';

/** `GET /v1/streams`: what a customer can subscribe to. */
@Controller('v1/streams')
export class StreamsController {
  @Get()
  list(): { streams: StreamDescription[] } {
    return { streams: customerStreams() };
  }
}
