import {
  cpuText,
  parseMachineTicks,
  parseProcessTicks,
  readProcessTable,
  startCpuWindow,
  withDescendants,
} from './cpu-usage';

describe('parseMachineTicks', () => {
  it('counts everything but idle and iowait as busy', () => {
    const stat = 'cpu  100 5 50 1000 20 3 2 7 0 0\ncpu0 50 2 25 500 10 1 1 3 0 0\n';
    expect(parseMachineTicks(stat)).toEqual({ busy: 167, total: 1187 });
  });

  it('refuses a text without the aggregate line', () => {
    expect(() => parseMachineTicks('cpu0 1 2 3 4\n')).toThrow(/no aggregate "cpu" line/);
  });
});

describe('parseProcessTicks', () => {
  it('adds utime and stime, counting fields after the last parenthesis of the command name', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 731 129 0 0 20 0 11 0';
    expect(parseProcessTicks(stat)).toBe(860);
  });
});

describe('startCpuWindow', () => {
  it('measures this process busy and a missing pid as unreadable', () => {
    const end = startCpuWindow({ self: [process.pid], gone: [2 ** 22 + 1] }, 2);
    const until = Date.now() + 200;
    let spin = 0;
    while (Date.now() < until) spin += Math.sqrt(spin + 1);
    const usage = end();
    expect(spin).toBeGreaterThan(0);
    expect(usage.byProcess.self).toBeGreaterThan(0.3);
    expect(usage.byProcess.gone).toBeNull();
    expect(usage.machineBusyCores).toBeGreaterThan(0.3);
    expect(usage.machineBusyCores).toBeLessThanOrEqual(2);
    expect(usage.seconds).toBeGreaterThanOrEqual(0.19);
  });

  it('finds a process and its descendants', () => {
    expect(withDescendants(readProcessTable(), process.ppid)).toContain(process.pid);
  });
});

describe('cpuText', () => {
  it('lists the largest users first and leaves out the idle ones', () => {
    expect(
      cpuText({ seconds: 10, cores: 2, machineBusyCores: 1.934, byProcess: { kafka: 0.4, enricher: 0.71, idle: 0.001, gone: null } }),
    ).toBe('machine 1.93 of 2 (enricher 0.71, kafka 0.40)');
    expect(cpuText(undefined)).toBe('–');
  });
});
