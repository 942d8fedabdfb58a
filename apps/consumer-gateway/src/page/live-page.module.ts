import { Module } from '@nestjs/common';
import { LivePageController } from './live-page.controller';

/** The live page served at `/`. */
@Module({ controllers: [LivePageController] })
export class LivePageModule {}
