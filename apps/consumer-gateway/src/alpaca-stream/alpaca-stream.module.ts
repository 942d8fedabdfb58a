import { Module } from '@nestjs/common';
import { FanOutModule } from '../fan-out/fan-out.module';
import { AlpacaStreamServer } from './alpaca-stream-server';

/** The Alpaca-compatible stream `/v2/tickwire` on the shared fan-out, auth and limits. */
@Module({ imports: [FanOutModule], providers: [AlpacaStreamServer], exports: [AlpacaStreamServer] })
export class AlpacaStreamModule {}
