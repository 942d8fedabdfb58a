import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Controller, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { createKafkaClient, type KafkaRecord, RecordProducer, SILENT_LOGGER } from '@tickwire/kafka';
import { z } from 'zod';
import { baseEnvShape, kafkaConsumerEnvShape, kafkaEnvShape } from '../config/service-env-schemas';
import { startService } from './bootstrap-service';
import type { ServiceDefinition } from './service-definition';

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

describe('RunningService.shutdown with a Kafka consumer (real Kafka)', () => {
  const kafka = createKafkaClient({ brokers, clientId: 'service-kit-int-test' }, SILENT_LOGGER);
  const admin = kafka.admin();
  const topic = `tickwire.it.service-kit.${randomUUID().slice(0, 8)}`;
  const groupId = `it-service-kit-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic, numPartitions: 1 },
        { topic: `${topic}.dlq`, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('stops the consumer (in-flight record finishes and commits) before feature providers are destroyed', async () => {
    const events: string[] = [];
    let releaseHandler!: () => void;
    const handlerBlocked = new Promise<void>((resolve) => (releaseHandler = resolve));
    let handlerStarted!: () => void;
    const started = new Promise<void>((resolve) => (handlerStarted = resolve));

    @Injectable()
    class Sink implements OnModuleDestroy {
      destroyed = false;
      write(value: string): void {
        // A feature provider used by the handler must still be alive when the handler finishes.
        events.push(this.destroyed ? `write-after-destroy:${value}` : `write:${value}`);
      }
      onModuleDestroy(): void {
        this.destroyed = true;
        events.push('sink-destroyed');
      }
    }

    @Controller()
    class SlowController {
      constructor(private readonly sink: Sink) {}
      @EventPattern(topic)
      async handle(@Payload() record: KafkaRecord): Promise<void> {
        handlerStarted();
        await handlerBlocked;
        this.sink.write(record.value!.toString());
      }
    }

    @Module({ controllers: [SlowController], providers: [Sink] })
    class FeatureModule {}

    const schema = z.object({ ...baseEnvShape('enricher'), ...kafkaEnvShape, ...kafkaConsumerEnvShape });
    const definition: ServiceDefinition<typeof schema> = {
      name: 'enricher',
      envSchema: schema,
      dependencies: ['kafka'],
      kafkaConsumer: {},
    };

    const producer = new RecordProducer(kafka);
    await producer.connect();
    await producer.sendBatch([{ topic, key: 'AAPL', value: 'in-flight' }]);
    await producer.disconnect();

    const running = await startService(FeatureModule, definition, {
      env: { KAFKA_BROKERS: brokers.join(','), KAFKA_CONSUMER_GROUP: groupId },
      httpPort: 0,
      logDestination: discard,
    });
    await started;
    const stopped = running.shutdown('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events).toEqual([]);
    releaseHandler();
    await stopped;

    expect(events).toEqual(['write:in-flight', 'sink-destroyed']);
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets!.partitions[0]!.offset).toBe('1');
  });
});
