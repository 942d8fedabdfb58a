import { Controller, Get, Header, Param, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CUSTOMER_TOPICS } from '@tickwire/contracts';
import { ApiJsonOk, ApiProblems } from '../rest/openapi-decorators';
import { ProblemException } from '../rest/problem-details';
import { ProblemDetailsFilter } from '../rest/problem-details.filter';
import { customerStreams, type StreamDescription, streamJsonSchema } from './stream-catalog';

/** Media type of a served JSON Schema (draft-07, as the contracts publish them). */
const SCHEMA_JSON = 'application/schema+json';

/** `GET /v1/streams`: what a customer can subscribe to, and each stream's JSON Schema. No key needed. */
@ApiTags('streams')
@UseFilters(ProblemDetailsFilter)
@Controller('v1/streams')
export class StreamsController {
  @Get()
  @ApiOperation({
    summary: 'The customer streams',
    description: 'Topic, schema name, title and the URL of its JSON Schema, for each stream.',
  })
  @ApiJsonOk('StreamList', 'The streams')
  list(): { streams: StreamDescription[] } {
    return { streams: customerStreams() };
  }

  @Get(':name/schema')
  @Header('Content-Type', `${SCHEMA_JSON}; charset=utf-8`)
  @ApiOperation({
    summary: "A stream's JSON Schema",
    description:
      'The JSON Schema (draft-07) of its events, envelope and payload, as published with @tickwire/contracts.',
  })
  @ApiParam({
    name: 'name',
    description: 'The stream (its topic)',
    schema: { type: 'string', enum: [...CUSTOMER_TOPICS] },
  })
  @ApiJsonOk('JsonSchema', 'The JSON Schema', { mediaType: SCHEMA_JSON })
  @ApiProblems('notFound')
  schema(@Param('name') name: string): string {
    const schema = streamJsonSchema(name);
    if (!schema) throw new ProblemException('notFound', `no stream ${name.slice(0, 64)} (see /v1/streams)`);
    return JSON.stringify(schema);
  }
}
