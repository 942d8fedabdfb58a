import { FULL_PROFILE, SHORT_PROFILE, describeFault } from './chaos-profile';
import { FaultSchedule } from './fault-schedule';

describe('FaultSchedule', () => {
  const faults = [
    { atFraction: 0.1, fault: { kind: 'poison' } },
    { atFraction: 0.5, fault: { kind: 'broker-kill', downMs: 1_000 } },
  ] as const;

  it('hands out each fault once its share of the records is published, in order', () => {
    const schedule = new FaultSchedule(faults, 1_000);
    expect(schedule.takeDue(99, false)).toBeUndefined();
    expect(schedule.takeDue(100, false)).toBe(faults[0]);
    expect(schedule.takeDue(100, false)).toBeUndefined();
    expect(schedule.takeDue(499, false)).toBeUndefined();
    expect(schedule.takeDue(500, false)).toBe(faults[1]);
    expect(schedule.takeDue(1_000, true)).toBeUndefined();
    expect(schedule.remaining).toBe(0);
  });

  it('hands out one fault per call even when several are overdue', () => {
    const schedule = new FaultSchedule(faults, 1_000);
    expect(schedule.takeDue(900, false)).toBe(faults[0]);
    expect(schedule.takeDue(900, false)).toBe(faults[1]);
  });

  it('runs the faults left when the replay completed before their time', () => {
    const schedule = new FaultSchedule(faults, 1_000);
    expect(schedule.takeDue(10, true)).toBe(faults[0]);
    expect(schedule.takeDue(10, true)).toBe(faults[1]);
  });

  it('refuses fractions out of order or range and an empty total', () => {
    expect(() => new FaultSchedule([faults[1], faults[0]], 10)).toThrow(RangeError);
    expect(() => new FaultSchedule([{ atFraction: 1.5, fault: { kind: 'poison' } }], 10)).toThrow(RangeError);
    expect(() => new FaultSchedule(faults, 0)).toThrow(RangeError);
  });
});

describe('profiles', () => {
  it('the full profile has the faults of issue 6', () => {
    const kinds = FULL_PROFILE.faults.map(({ fault }) => describeFault(fault));
    expect(kinds.filter((k) => k.startsWith('SIGKILL enricher'))).toHaveLength(3);
    expect(kinds.filter((k) => k.startsWith('SIGKILL opensearch-indexer'))).toHaveLength(1);
    expect(kinds.filter((k) => k.startsWith('SIGKILL firehose-archiver'))).toHaveLength(1);
    expect(kinds.filter((k) => k.startsWith('SIGKILL Kafka broker'))).toHaveLength(1);
    expect(kinds.filter((k) => k.startsWith('stop '))).toEqual([
      'stop OpenSearch 20 s, start',
      'stop S3Mock 20 s, start',
      'stop DynamoDB Local 20 s, start',
    ]);
    const pause = FULL_PROFILE.faults.find(({ fault }) => fault.kind === 'broker-pause')?.fault;
    // Longer than the consumers' 30 s session timeout (libs/kafka KafkaConsumerServer default).
    expect(pause).toMatchObject({ kind: 'broker-pause' });
    expect(pause?.kind === 'broker-pause' && pause.pauseMs).toBeGreaterThan(30_000);
    // Issue 17: the archiver's rebalance storm, at least 10 membership changes.
    const storm = FULL_PROFILE.faults.find(({ fault }) => fault.kind === 'archiver-storm')?.fault;
    expect(storm?.kind === 'archiver-storm' && storm.changes).toBeGreaterThanOrEqual(10);
    expect(() => new FaultSchedule(FULL_PROFILE.faults, 1)).not.toThrow();
  });

  it('the short profile keeps an enricher SIGKILL, a broker fault and a sink server stop', () => {
    const kinds = SHORT_PROFILE.faults.map(({ fault }) => fault.kind);
    expect(kinds).toEqual(expect.arrayContaining(['service-kill', 'broker-kill', 'server-stop', 'poison']));
    expect(() => new FaultSchedule(SHORT_PROFILE.faults, 1)).not.toThrow();
  });
});

describe('affectedGroups', () => {
  it('names the group a fault delays first: its service, the sink server user, or all for the broker', async () => {
    const { affectedGroups } = await import('./chaos-run');
    expect(affectedGroups({ kind: 'service-kill', service: 'enricher', downMs: 1 })).toEqual(['enricher']);
    expect(affectedGroups({ kind: 'server-stop', server: 'opensearch', downMs: 1 })).toEqual(['opensearch-indexer']);
    expect(affectedGroups({ kind: 'server-stop', server: 's3', downMs: 1 })).toEqual(['firehose-archiver']);
    expect(affectedGroups({ kind: 'server-stop', server: 'dynamodb', downMs: 1 })).toEqual(['enricher']);
    expect(affectedGroups({ kind: 'broker-pause', pauseMs: 1 })).toHaveLength(3);
    expect(affectedGroups({ kind: 'archiver-storm', changes: 10 })).toEqual(['firehose-archiver']);
  });
});
