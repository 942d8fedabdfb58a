import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import type { MachineInfo } from '../report/bench-results';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import { STACK_VERSIONS } from '../../stack/stack-config';

/** The machine a run measures: `uname -a`, CPU model, cores, memory, Node and Kafka versions. */
export function machineInfo(): MachineInfo {
  let uname: string;
  try {
    uname = execFileSync('uname', ['-a'], { encoding: 'utf8' }).trim();
  } catch {
    uname = `${process.platform} ${process.arch}`;
  }
  const cpuList = cpus();
  return {
    uname,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    kafka: STACK_VERSIONS.kafka,
    loadAverageAtStart: loadavg(),
  };
}
