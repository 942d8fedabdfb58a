/**
 * `--cpu-prof` for a service started with NODE_OPTIONS (which does not allow --cpu-prof itself):
 * `NODE_OPTIONS="--require tools/bench/system/cpu-profile-preload.cjs"` with TICKWIRE_CPU_PROF_DIR set
 * starts the V8 sampling profiler at start-up and writes `<TICKWIRE_CPU_PROF_NAME>-<ms>-<pid>.cpuprofile` (Chrome DevTools
 * format, as --cpu-prof) when the process receives SIGTERM, before the service's own graceful shutdown.
 * The in-process inspector session answers synchronously, so the profile is written before any exit.
 */
'use strict';
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.TICKWIRE_CPU_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      const name = `${process.env.TICKWIRE_CPU_PROF_NAME || 'node'}-${Date.now()}-${process.pid}.cpuprofile`;
      writeFileSync(join(dir, name), JSON.stringify(result.profile));
    });
  };
  process.prependListener('SIGTERM', write);
  process.on('exit', write);
}
