// Raw at-least-once consume -> produce passthrough, kafkajs vs @platformatic/kafka, same input topic,
// same output partitions, acks=all + idempotent, commit after the produce: the Kafka-client comparison of
// bench/README-section.md. @platformatic/kafka is not a dependency of the repository, so run it from a
// scratch folder that has it, pointing TICKWIRE_REPO at the checkout (for its kafkajs):
//   mkdir /tmp/kc && cd /tmp/kc && npm init -y && npm install @platformatic/kafka
//   cp <repo>/bench/kafka-client-passthrough.mjs . && TICKWIRE_REPO=<repo> KAFKA_PORT=29092 node kafka-client-passthrough.mjs market.quotes.v1
// The input topic must not be transactional (commit markers would count as records).
import { createRequire } from 'node:module';
const require = createRequire(`${process.env.TICKWIRE_REPO ?? process.cwd()}/package.json`);
const { Kafka, logLevel } = require('kafkajs');
import { Consumer, Producer, Admin } from '@platformatic/kafka';

const brokers = [`127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`];
const input = process.argv[2] ?? 'bench.passthrough.v1';
const out = 'bench.client-compare.v1';
const kafka = new Kafka({ clientId: 'client-compare', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const ends = await admin.fetchTopicOffsets(input);
const total = ends.reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
const partitions = ends.length;
if (!(await admin.listTopics()).includes(out)) await admin.createTopics({ topics: [{ topic: out, numPartitions: partitions }], waitForLeaders: true });

async function kafkajsRun() {
  const groupId = `cc-kafkajs-${Date.now()}`;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  const consumer = kafka.consumer({ groupId, readUncommitted: true });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  let done = 0; let first = 0;
  const finished = new Promise((resolve) => {
    consumer.run({ autoCommit: false, eachBatch: async ({ batch }) => {
      if (!first) first = performance.now();
      await producer.send({ topic: out, acks: -1, messages: batch.messages.map((m) => ({ key: m.key, value: m.value, partition: batch.partition })) });
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }]);
      done += batch.messages.length;
      if (done >= total) resolve();
    } });
  });
  await finished;
  const seconds = (performance.now() - first) / 1000;
  await consumer.disconnect(); await producer.disconnect();
  return total / seconds;
}

async function platformaticRun() {
  const groupId = `cc-platformatic-${Date.now()}`;
  const producer = new Producer({ clientId: 'cc-p', bootstrapBrokers: brokers, idempotent: true, acks: -1 });
  const consumer = new Consumer({ clientId: 'cc-c', groupId, bootstrapBrokers: brokers });
  const stream = await consumer.consume({ topics: [input], mode: 'earliest', autocommit: false, maxBytesPerPartition: 1048576 });
  let done = 0; let first = 0; let buffer = []; let flushing = false;
  const finished = new Promise((resolve, reject) => {
    const flush = async () => {
      if (flushing || buffer.length === 0) return;
      flushing = true; stream.pause();
      const batch = buffer; buffer = [];
      try {
        await producer.send({ messages: batch.map((m) => ({ topic: out, key: m.key, value: m.value, partition: m.partition })) });
        const last = new Map();
        for (const m of batch) last.set(`${m.topic}:${m.partition}`, m);
        await consumer.commit({ offsets: [...last.values()].map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset + 1n, leaderEpoch: 0 })) });
        done += batch.length;
        if (done >= total) resolve();
      } catch (e) { reject(e); }
      flushing = false; stream.resume();
      if (buffer.length) setImmediate(flush);
    };
    stream.on('data', (m) => { if (!first) first = performance.now(); buffer.push(m); if (buffer.length >= 5000) void flush(); else setImmediate(flush); });
    stream.on('error', reject);
  });
  await finished;
  const seconds = (performance.now() - first) / 1000;
  await stream.close(); await consumer.close(); await producer.close();
  return total / seconds;
}

const results = [];
for (let round = 1; round <= Number(process.env.ROUNDS ?? 2); round++) {
  const a = await kafkajsRun();
  const b = await platformaticRun();
  results.push({ round, kafkajs: Math.round(a), platformatic: Math.round(b), ratio: +(b / a).toFixed(2) });
  console.log(JSON.stringify(results.at(-1)));
}
await admin.deleteTopics({ topics: [out] }).catch(() => {});
await admin.disconnect();
console.log(`input ${input}: ${total} records, ${partitions} partitions`);
process.exit(0);
