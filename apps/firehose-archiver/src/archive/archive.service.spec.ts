import { isDeepStrictEqual } from 'node:util';
import { gunzipSync } from 'node:zlib';
import {
  buildEvent,
  GOLDEN_FIXTURES,
  INVALID_FIXTURES,
  RAW_TOPICS,
  TOPIC_SCHEMAS,
  TOPICS,
  TRADE_V1_FIXTURES,
  type InvalidFixture,
} from '@tickwire/contracts';
import type { KafkaRecord } from '@tickwire/kafka';
import type { ArchiveObject } from './archive-objects';
import {
  type ArchiveObserver,
  type ArchiveStore,
  type CreateResult,
  ArchiveFlushError,
  ArchiveService,
  type OffsetCommitter,
} from './archive.service';

const HOUR_MS = 3_600_000;
const T0 = TRADE_V1_FIXTURES[0]!.event.eventTime;

/**
 * An in-memory stand-in for our ArchiveStore port (create-only, as S3 PutObject with If-None-Match: *;
 * S3's own behaviour is shown by archive.rebalance-storm.int-spec.ts on S3Mock).
 */
class MemoryStore implements ArchiveStore {
  readonly objects = new Map<string, ArchiveObject>();
  failNext = 0;
  /** When set, the store fails every create after this many successful ones (a crash mid-flush). */
  crashAfter: number | null = null;
  /** Creates refused because the key existed. */
  refused = 0;

  async create(object: ArchiveObject): Promise<CreateResult> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('S3 unavailable');
    }
    if (this.crashAfter !== null) {
      if (this.crashAfter === 0) throw new Error('process crashed');
      this.crashAfter -= 1;
    }
    const existing = this.objects.get(object.key);
    if (existing) {
      this.refused += 1;
      return {
        created: false,
        existing: { firstOffset: existing.firstOffset, lastOffset: existing.lastOffset },
      };
    }
    this.objects.set(object.key, object);
    return { created: true };
  }

  lines(key: string): string[] {
    const object = this.objects.get(key);
    if (!object) throw new Error(`no object ${key}`);
    return gunzipSync(object.body).toString('utf8').split('\n').slice(0, -1);
  }

  allLines(): string[] {
    return [...this.objects.keys()].flatMap((key) => this.lines(key));
  }
}

class RecordingCommitter implements OffsetCommitter {
  readonly commits: string[] = [];
  failNext = 0;

  async commit(topic: string, partition: number, offset: string): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('rebalance in progress');
    }
    this.commits.push(`${topic}[${partition}]@${offset}`);
  }

  committed(topic: string, partition: number): bigint {
    const prefix = `${topic}[${partition}]@`;
    const last = [...this.commits].reverse().find((commit) => commit.startsWith(prefix));
    return last ? BigInt(last.slice(prefix.length)) : 0n;
  }
}

function recorder() {
  const counts = { archived: 0, errors: {} as Record<string, number>, objects: 0, failures: 0 };
  const observer: ArchiveObserver = {
    recordsArchived: (_topic, count) => (counts.archived += count),
    errorRecordsArchived: (_topic, errorClass, count) =>
      (counts.errors[errorClass] = (counts.errors[errorClass] ?? 0) + count),
    objectUploaded: () => (counts.objects += 1),
    objectExisted: () => undefined,
    flushFailed: () => (counts.failures += 1),
  };
  return { counts, observer };
}

function recordOf(topic: string, value: string | null, offset: number, partition = 0): KafkaRecord {
  return {
    topic,
    partition,
    offset: String(offset),
    key: null,
    value: value === null ? null : Buffer.from(value),
    headers: {},
    timestamp: T0,
  };
}

/** A valid trade at `eventTime`, as its producer would send it. */
function tradeValue(eventTime: number, sequence: number): string {
  const { payload, source, ingestTime } = TRADE_V1_FIXTURES[0]!.event;
  return JSON.stringify(
    buildEvent('market.trade.v1', {
      eventTime,
      eventTimeNs: `${eventTime}000000`,
      ingestTime,
      source,
      payload: { ...payload, sequence },
    }),
  );
}

function setup(hints = { sizeBytes: 5 << 20, intervalMs: 300_000 }) {
  const store = new MemoryStore();
  const committer = new RecordingCommitter();
  const { counts, observer } = recorder();
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const service = new ArchiveService(
    hints,
    { dataPrefix: 'raw', errorPrefix: 'errors' },
    store,
    committer,
    observer,
    () => now,
  );
  return { store, committer, counts, clock, service };
}

function invalidText(fixture: InvalidFixture): { text: string; exact: boolean } {
  if (fixture.text !== undefined) return { text: fixture.text, exact: true };
  const text = JSON.stringify(fixture.value);
  return { text, exact: isDeepStrictEqual(JSON.parse(text), fixture.value) };
}

describe('ArchiveService: contract, consumer side', () => {
  describe.each(RAW_TOPICS)('%s', (topic) => {
    it('archives every golden fixture verbatim as one NDJSON line, then commits past it', async () => {
      const { store, committer, counts, service } = setup();
      const golden = GOLDEN_FIXTURES[TOPIC_SCHEMAS[topic]];
      const values = golden.map((fixture) => JSON.stringify(fixture.event));
      await service.append(
        topic,
        0,
        values.map((value, offset) => recordOf(topic, value, offset)),
      );
      await expect(service.flushAll()).resolves.toEqual([]);
      expect(store.allLines().sort()).toEqual([...values].sort());
      expect([...store.objects.keys()].every((key) => key.startsWith(`raw/${topic}/year=`))).toBe(true);
      expect(committer.commits).toEqual([`${topic}[0]@${golden.length}`]);
      expect(counts.archived).toBe(golden.length);
    });

    it('files every invalid fixture under the error prefix with its error class and reason', async () => {
      const { store, committer, counts, service } = setup();
      const invalid = INVALID_FIXTURES[TOPIC_SCHEMAS[topic]];
      const texts = invalid.map(invalidText);
      await service.append(
        topic,
        3,
        texts.map(({ text }, offset) => recordOf(topic, text, offset, 3)),
      );
      await service.flushAll();
      expect([...store.objects.keys()].every((key) => key.startsWith(`errors/${topic}/`))).toBe(true);
      const lines = store
        .allLines()
        .map(
          (line) =>
            JSON.parse(line) as { errorClass: string; reason: string; offset: string; rawValue: string },
        );
      expect(lines.map((line) => line.offset)).toEqual(invalid.map((_, offset) => String(offset)));
      invalid.forEach((fixture, position) => {
        const line = lines[position]!;
        expect(line.rawValue).toBe(texts[position]!.text);
        if (!texts[position]!.exact) return; // NaN does not survive JSON; it is still rejected (checked above)
        expect(line.errorClass).toBe(fixture.expected.errorClass);
        expect(line.reason).toContain(fixture.expected.reasonIncludes);
      });
      expect(committer.commits).toEqual([`${topic}[3]@${invalid.length}`]);
      expect(Object.values(counts.errors).reduce((a, b) => a + b, 0)).toBe(invalid.length);
      expect(counts.archived).toBe(0);
    });
  });
});

describe('ArchiveService: buffering hints', () => {
  it('flushes when the buffered bytes reach the size hint, not before', async () => {
    const value = tradeValue(T0, 1);
    const { store, committer, service } = setup({
      sizeBytes: (Buffer.byteLength(value) + 1) * 3,
      intervalMs: 300_000,
    });
    await service.append(TOPICS.trades, 0, [
      recordOf(TOPICS.trades, tradeValue(T0, 1), 0),
      recordOf(TOPICS.trades, tradeValue(T0, 2), 1),
    ]);
    await service.flushIfDue(TOPICS.trades, 0);
    expect(store.objects.size).toBe(0);
    await service.append(TOPICS.trades, 0, [recordOf(TOPICS.trades, tradeValue(T0, 3), 2)]);
    await service.flushIfDue(TOPICS.trades, 0);
    expect(store.allLines()).toHaveLength(3);
    expect(committer.commits).toEqual(['market.trades.v1[0]@3']);
    expect(service.buffered).toEqual({ records: 0, bytes: 0 });
  });

  it('appends a fetched batch only up to the size hint, so objects stay near it', async () => {
    const line = Buffer.byteLength(tradeValue(T0, 1)) + 1;
    const { store, service } = setup({ sizeBytes: line * 2, intervalMs: 300_000 });
    const batch = [0, 1, 2, 3, 4].map((offset) => recordOf(TOPICS.trades, tradeValue(T0, offset), offset));
    await expect(service.append(TOPICS.trades, 0, batch)).resolves.toBe(2);
    await service.flushIfDue(TOPICS.trades, 0);
    await expect(service.append(TOPICS.trades, 0, batch.slice(2))).resolves.toBe(2);
    await service.flushIfDue(TOPICS.trades, 0);
    await expect(service.append(TOPICS.trades, 0, batch.slice(4))).resolves.toBe(1);
    await service.flushAll();
    expect([...store.objects.values()].map((object) => object.records)).toEqual([2, 2, 1]);
    await expect(service.append(TOPICS.trades, 0, [])).resolves.toBe(0);
  });

  it('flushes when the oldest record reached the interval hint', async () => {
    const { store, clock, service } = setup({ sizeBytes: 5 << 20, intervalMs: 60_000 });
    await service.append(TOPICS.trades, 0, [recordOf(TOPICS.trades, tradeValue(T0, 1), 0)]);
    clock.advance(59_999);
    await expect(service.flushDue()).resolves.toEqual([]);
    expect(store.objects.size).toBe(0);
    clock.advance(1);
    await service.flushDue();
    expect(store.objects.size).toBe(1);
  });

  it('keeps the records buffered and uncommitted when an upload fails, and archives them on the next flush', async () => {
    const { store, committer, counts, service } = setup();
    await service.append(TOPICS.trades, 0, [
      recordOf(TOPICS.trades, tradeValue(T0, 1), 0),
      recordOf(TOPICS.trades, tradeValue(T0 + HOUR_MS, 2), 1),
    ]);
    store.failNext = 1;
    const failures = await service.flushAll();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toBeInstanceOf(ArchiveFlushError);
    expect(committer.commits).toEqual([]);
    expect(service.buffered.records).toBe(2);
    await expect(service.flushAll()).resolves.toEqual([]);
    expect(committer.commits).toEqual(['market.trades.v1[0]@2']);
    expect(store.allLines()).toHaveLength(2);
    expect(counts).toMatchObject({ archived: 2, failures: 1 });
  });

  it('keeps the records when the commit fails', async () => {
    const { committer, service } = setup();
    await service.append(TOPICS.trades, 0, [recordOf(TOPICS.trades, tradeValue(T0, 1), 0)]);
    committer.failNext = 1;
    expect(await service.flushAll()).toHaveLength(1);
    expect(service.buffered.records).toBe(1);
  });

  it('buffers a rewound batch once, not twice', async () => {
    const { store, service } = setup();
    const batch = [0, 1, 2].map((offset) => recordOf(TOPICS.trades, tradeValue(T0, offset), offset));
    await service.append(TOPICS.trades, 0, batch);
    await service.append(TOPICS.trades, 0, batch.slice(1));
    await service.flushAll();
    expect(store.allLines()).toHaveLength(3);
  });

  it('drops every buffer on discardAll (a rebalance resumes at the committed offsets)', async () => {
    const { service } = setup();
    await service.append(TOPICS.trades, 0, [recordOf(TOPICS.trades, tradeValue(T0, 1), 0)]);
    service.discardAll();
    expect(service.buffered).toEqual({ records: 0, bytes: 0 });
  });
});

describe('ArchiveService: a redelivery after a crash adopts the objects already written', () => {
  // Offsets 0..199 over three hours, with a late record of an earlier hour now and then, and a few
  // invalid records: the hardest case for object boundaries.
  const records = Array.from({ length: 200 }, (_, offset) => {
    if (offset % 37 === 5) return recordOf(TOPICS.trades, '{"broken":', offset);
    const late = offset % 11 === 0 && offset > 80;
    const eventTime = T0 + Math.floor(offset / 70) * HOUR_MS - (late ? HOUR_MS : 0) + offset;
    return recordOf(TOPICS.trades, tradeValue(eventTime, offset), offset);
  });

  /** Feeds `records` from the committed offset in batches of `batchSize`, flushing at `sizeBytes`; stops at the first failed flush. */
  async function run(
    store: MemoryStore,
    committer: RecordingCommitter,
    sizeBytes: number,
    batchSize: number,
  ): Promise<void> {
    const { observer } = recorder();
    const service = new ArchiveService(
      { sizeBytes, intervalMs: 300_000 },
      { dataPrefix: 'raw', errorPrefix: 'errors' },
      store,
      committer,
      observer,
    );
    const from = Number(committer.committed(TOPICS.trades, 0));
    for (let start = from; start < records.length; start += batchSize) {
      // As ArchiveConsumer does: append up to the size hint, flush if due, append the rest.
      const batch = records.slice(start, start + batchSize);
      for (let next = 0; next < batch.length;) {
        next += await service.append(TOPICS.trades, 0, batch.slice(next));
        await service.flushIfDue(TOPICS.trades, 0);
      }
    }
    const failures = await service.flushAll();
    if (failures.length > 0) throw failures[0]!.error;
  }

  /** Run B after a crash: a restarted instance with other timing resumes at the committed offset. */
  async function recoverAndCheck(
    store: MemoryStore,
    committer: RecordingCommitter,
    sizeB: number,
    batchB: number,
  ): Promise<void> {
    const resumeAt = committer.committed(TOPICS.trades, 0);
    expect(resumeAt).toBeGreaterThan(0n);
    expect(resumeAt).toBeLessThan(200n);
    // The crash left objects whose records were never committed.
    expect(store.allLines().length).toBeGreaterThan(Number(resumeAt));
    store.crashAfter = null;
    await run(store, committer, sizeB, batchB);
    const archivedOffsets = store.allLines().map((line) => {
      const parsed = JSON.parse(line) as { offset?: string; payload?: { sequence: number } };
      return parsed.offset !== undefined ? Number(parsed.offset) : (parsed.payload?.sequence as number);
    });
    expect(archivedOffsets.sort((a, b) => a - b)).toEqual(records.map((_, offset) => offset));
    expect(committer.committed(TOPICS.trades, 0)).toBe(200n);
  }

  it.each([
    [1_500, 7, 3, 4_000, 13],
    [4_000, 13, 2, 1_500, 7],
    [2_500, 10, 4, 2_500, 3],
    [1_200, 1, 5, 1_200, 200],
  ])(
    'size %i / batch %i crashing at commit %i, then size %i / batch %i',
    async (sizeA, batchA, crashAtCommit, sizeB, batchB) => {
      const store = new MemoryStore();
      const committer = new RecordingCommitter();
      let commits = 0;
      const crashing = Object.assign(Object.create(committer) as RecordingCommitter, {
        commit: async (topic: string, partition: number, offset: string) => {
          commits += 1;
          if (commits === crashAtCommit) {
            store.crashAfter = 0;
            throw new Error('process crashed');
          }
          await committer.commit(topic, partition, offset);
        },
      });
      await expect(run(store, crashing, sizeA, batchA)).rejects.toThrow(/process crashed/);
      await recoverAndCheck(store, committer, sizeB, batchB);
    },
  );

  it.each([
    [2_500, 10, 6, 2_500, 3],
    [900, 20, 12, 6_000, 50],
  ])(
    'size %i / batch %i crashing after %i puts (mid-flush), then size %i / batch %i',
    async (sizeA, batchA, putsBeforeCrash, sizeB, batchB) => {
      const store = new MemoryStore();
      const committer = new RecordingCommitter();
      store.crashAfter = putsBeforeCrash;
      await expect(run(store, committer, sizeA, batchA)).rejects.toThrow(/process crashed/);
      await recoverAndCheck(store, committer, sizeB, batchB);
    },
  );
});

describe('ArchiveService: owners of one partition whose flushes overlap (rebalances, zombies, late uploads)', () => {
  // Offsets 0..299 over three hours, with late records of an earlier hour and invalid records, so a
  // flush writes several objects (one per kind and hour).
  const records = Array.from({ length: 300 }, (_, offset) => {
    if (offset % 37 === 5) return recordOf(TOPICS.trades, '{"broken":', offset);
    const late = offset % 11 === 0 && offset > 80;
    const eventTime = T0 + Math.floor(offset / 100) * HOUR_MS - (late ? HOUR_MS : 0) + offset;
    return recordOf(TOPICS.trades, tradeValue(eventTime, offset), offset);
  });

  /** Offsets archived in `store`, one entry per line (duplicates kept). */
  function archivedOffsets(store: MemoryStore): number[] {
    return store
      .allLines()
      .map((line) => {
        const parsed = JSON.parse(line) as { offset?: string; payload?: { sequence: number } };
        return parsed.offset !== undefined ? Number(parsed.offset) : (parsed.payload?.sequence as number);
      })
      .sort((a, b) => a - b);
  }

  function owner(store: ArchiveStore, committer: OffsetCommitter, sizeBytes = 5 << 20): ArchiveService {
    return new ArchiveService(
      { sizeBytes, intervalMs: 300_000 },
      { dataPrefix: 'raw', errorPrefix: 'errors' },
      store,
      committer,
      recorder().observer,
    );
  }

  it('a new owner that meets a longer object of the old owner waits for its end before committing', async () => {
    const store = new MemoryStore();
    const committer = new RecordingCommitter();
    const old = owner(store, committer);
    const next = owner(store, committer);
    // The old owner's flush of 0..149 lands, but its commit is lost (it was being rebalanced away).
    await old.append(TOPICS.trades, 0, records.slice(0, 150));
    committer.failNext = 1;
    expect(await old.flushAll()).toHaveLength(1);
    // The next owner resumes at 0 and flushes earlier, at 99: its records are archived already, but
    // the object of hour 1 runs to 149, so it does not commit yet.
    await next.append(TOPICS.trades, 0, records.slice(0, 100));
    await expect(next.flushAll()).resolves.toEqual([]);
    expect(committer.commits).toEqual([]);
    expect(next.buffered.records).toBe(100);
    await next.append(TOPICS.trades, 0, records.slice(100, 200));
    await expect(next.flushAll()).resolves.toEqual([]);
    expect(committer.commits).toEqual(['market.trades.v1[0]@200']);
    expect(archivedOffsets(store)).toEqual(records.slice(0, 200).map((_, offset) => offset));
    expect(store.refused).toBeGreaterThan(0);
  });

  it("an old owner's late flush after the new owner committed writes only what is missing", async () => {
    const store = new MemoryStore();
    const committer = new RecordingCommitter();
    const old = owner(store, committer);
    const next = owner(store, committer);
    await old.append(TOPICS.trades, 0, records.slice(0, 180));
    await next.append(TOPICS.trades, 0, records.slice(0, 90));
    await next.flushAll();
    expect(committer.commits).toEqual(['market.trades.v1[0]@90']);
    // The late flush: 0..89 exist, 90..179 are written (and its stale commit is accepted, as a
    // coordinator does for a member that rejoined meanwhile).
    await old.flushAll();
    await next.append(TOPICS.trades, 0, records.slice(90, 300));
    await next.flushAll();
    expect(committer.committed(TOPICS.trades, 0)).toBe(300n);
    expect(archivedOffsets(store)).toEqual(records.map((_, offset) => offset));
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'random owners, zombies, stale commits and crashes (seed %i): every record in exactly one object',
    async (seed) => {
      let state = seed * 7919;
      const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const store = new MemoryStore();
      // Yields before every create, so concurrent owners interleave inside their multi-object flushes.
      const yielding: ArchiveStore = {
        create: async (object) => {
          await new Promise((resolve) => setImmediate(resolve));
          return store.create(object);
        },
      };
      const committer = new RecordingCommitter();
      const line = Buffer.byteLength(tradeValue(T0, 1)) + 1;
      type Owner = { service: ArchiveService; position: number };
      const join = (): Owner => ({
        service: owner(yielding, committer, line * (5 + Math.floor(random() * 60))),
        position: Number(committer.committed(TOPICS.trades, 0)),
      });
      const owners: Owner[] = [join(), join()];
      const step = async (o: Owner) => {
        const action = random();
        if (action < 0.6) {
          // A fetch of 1..40 records from its own position, flushing on the size hint.
          const batch = records.slice(o.position, o.position + 1 + Math.floor(random() * 40));
          for (let next = 0; next < batch.length;) {
            next += await o.service.append(TOPICS.trades, 0, batch.slice(next));
            await o.service.flushIfDue(TOPICS.trades, 0);
          }
          o.position += batch.length;
        } else {
          // The wall-clock interval flush, at any moment.
          await o.service.flushAll();
        }
      };
      for (let round = 0; round < 150; round += 1) {
        await Promise.all(owners.map((o) => step(o)));
        const event = random();
        // A rebalance: a new owner joins at the committed offset; the one it replaces either stops
        // (crash: buffers lost) or stays a zombie for a while (keeps fetching and flushing).
        if (event < 0.1) owners.splice(Math.floor(random() * owners.length), 1, join());
        else if (event < 0.15 && owners.length < 4) owners.push(join());
        else if (event < 0.2 && owners.length > 1) owners.splice(Math.floor(random() * owners.length), 1);
      }
      // Zombies die; the last owner archives the rest.
      const last = join();
      for (let next = last.position; next < records.length;) {
        next += await last.service.append(TOPICS.trades, 0, records.slice(next));
        await last.service.flushIfDue(TOPICS.trades, 0);
      }
      await expect(last.service.flushAll()).resolves.toEqual([]);
      expect(committer.committed(TOPICS.trades, 0)).toBe(300n);
      expect(archivedOffsets(store)).toEqual(records.map((_, offset) => offset));
    },
  );
});

describe('ArchiveService: topic namespace (KAFKA_TOPIC_PREFIX)', () => {
  it('validates and files records under the contract topic, and commits on the consumed topic', async () => {
    const store = new MemoryStore();
    const committer = new RecordingCommitter();
    const { observer } = recorder();
    const service = new ArchiveService(
      { sizeBytes: 5 << 20, intervalMs: 300_000 },
      { dataPrefix: 'raw', errorPrefix: 'errors' },
      store,
      committer,
      observer,
      Date.now,
      'it-ns.',
    );
    const topic = `it-ns.${TOPICS.trades}`;
    await service.append(topic, 0, [recordOf(topic, tradeValue(T0, 1), 0)]);
    await service.flushAll();
    expect([...store.objects.keys()]).toEqual([
      expect.stringMatching(
        /^raw\/market\.trades\.v1\/year=2012\/.*\/market\.trades\.v1\+0\+0{20}\.json\.gz$/,
      ),
    ]);
    expect(committer.commits).toEqual(['it-ns.market.trades.v1[0]@1']);
  });
});
