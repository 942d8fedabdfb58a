// Transaction cycle latency, kafkajs vs @platformatic/kafka, on the same broker, alternating rounds:
// each cycle = begin, produce `RECORDS` records (~300 B) to one partition, commit; cycles run one after
// another on one transactional producer, which is what one enricher task does per batch. A cycle that
// starts while the coordinator still writes the previous one's markers gets CONCURRENT_TRANSACTIONS and
// is retried after the client's backoff: KAFKAJS_RETRY_MS (default 20, as libs/kafka RecordProducer;
// kafkajs' own default is 300) and PLATFORMATIC_RETRY_DELAY_MS (default 20; its own default is 1,000).
// Reports p50 / p99 per client and the ratio. @platformatic/kafka is not a dependency of the repository:
// run from a folder that has it (see kafka-client-passthrough.mjs), pointing TICKWIRE_REPO at the checkout:
//   TICKWIRE_REPO=<repo> KAFKA_PORT=29092 node kafka-client-transactions.mjs [cycles] [rounds]
import { createRequire } from 'node:module';
const require = createRequire(`${process.env.TICKWIRE_REPO ?? process.cwd()}/package.json`);
const { Kafka, logLevel, Partitioners } = require('kafkajs');
import { Producer } from '@platformatic/kafka';

const brokers = [`127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`];
const topic = 'bench.client-transactions.v1';
const cycles = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 3);
const RECORDS = 20;
const value = 'x'.repeat(300);
const kafka = new Kafka({ clientId: 'txn-compare', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
if (!(await admin.listTopics()).includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
await admin.disconnect();

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length };
}

async function kafkajsRound(round) {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1,
    transactionalId: `txn-compare-kafkajs-${round}-${Date.now()}`,
    // as libs/kafka RecordProducer: 20 ms retry after CONCURRENT_TRANSACTIONS (kafkajs' default is 300 ms)
    retry: { initialRetryTime: Number(process.env.KAFKAJS_RETRY_MS ?? 20), retries: Number.MAX_SAFE_INTEGER },
  });
  await producer.connect();
  const samples = [];
  for (let i = 0; i < cycles + 10; i++) {
    const started = performance.now();
    const tx = await producer.transaction();
    await tx.send({ topic, acks: -1, messages: Array.from({ length: RECORDS }, (_, j) => ({ key: `k${j}`, value, partition: 0 })) });
    await tx.commit();
    if (i >= 10) samples.push(performance.now() - started);
  }
  await producer.disconnect();
  return summary(samples);
}

async function platformaticRound(round) {
  const producer = new Producer({ clientId: 'txn-compare-p', bootstrapBrokers: brokers, idempotent: true, acks: -1, retryDelay: Number(process.env.PLATFORMATIC_RETRY_DELAY_MS ?? 20), retries: 50, transactionalId: `txn-compare-platformatic-${round}-${Date.now()}` });
  const samples = [];
  for (let i = 0; i < cycles + 10; i++) {
    const started = performance.now();
    const tx = await producer.beginTransaction();
    await tx.send({ messages: Array.from({ length: RECORDS }, (_, j) => ({ topic, key: Buffer.from(`k${j}`), value: Buffer.from(value), partition: 0 })) });
    await tx.commit();
    if (i >= 10) samples.push(performance.now() - started);
  }
  await producer.close();
  return summary(samples);
}

const rows = [];
for (let round = 0; round < rounds; round++) {
  const a = await kafkajsRound(round);
  const b = await platformaticRound(round);
  rows.push({ round, kafkajs: a, platformatic: b });
  console.log(`round ${round}: kafkajs p50 ${a.p50.toFixed(1)} p99 ${a.p99.toFixed(1)} ms | @platformatic/kafka p50 ${b.p50.toFixed(1)} p99 ${b.p99.toFixed(1)} ms | p50 ratio kafkajs/platformatic ${(a.p50 / b.p50).toFixed(2)}`);
}
console.log(JSON.stringify({ cycles, rounds, recordsPerTransaction: RECORDS, rows }));
