import { parseVmHwmMiB, peakRssMiB } from './process-memory';

describe('parseVmHwmMiB', () => {
  it('reads the high water mark in kB as MiB', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n';
    expect(parseVmHwmMiB(status)).toBe(200);
  });

  it('is null without the field', () => {
    expect(parseVmHwmMiB('Name:\tkthreadd\n')).toBeNull();
  });
});

describe('peakRssMiB', () => {
  it('reads this process on Linux and is null for no process', () => {
    if (process.platform === 'linux') expect(peakRssMiB(process.pid)).toBeGreaterThan(10);
    expect(peakRssMiB(undefined)).toBeNull();
  });
});
