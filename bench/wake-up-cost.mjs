// CPU cost of waking an idle Node process on this machine (issue 14's CPU budget), run with
// `node bench/wake-up-cost.mjs`. Prints CPU µs per wake-up for: a 1 ms timer; a 300-byte socket write
// to another process every 1 ms (both sides wake for each); the same writes back to back (no wake-up).
// Figures are per-process CPU time (process.cpuUsage), so they include what the kernel charges to it.
import { fork } from 'node:child_process';
import net from 'node:net';

const cpuPer = (start, n) => {
  const used = process.cpuUsage(start);
  return ((used.user + used.system) / n).toFixed(1);
};

if (process.argv[2] === 'sink') {
  const server = net.createServer((socket) => socket.on('data', () => undefined));
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
} else {
  const timers = 2_000;
  let start = process.cpuUsage();
  for (let i = 0; i < timers; i += 1) await new Promise((resolve) => setTimeout(resolve, 1));
  console.log(`setTimeout(1) wake-up: ${cpuPer(start, timers)} µs CPU each`);

  const sink = fork(new URL(import.meta.url).pathname, ['sink']);
  const port = await new Promise((resolve) => sink.once('message', resolve));
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const record = Buffer.alloc(300, 1);
  start = process.cpuUsage();
  for (let i = 0; i < timers; i += 1) {
    socket.write(record);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  console.log(`300 B write to another process, one per 1 ms timer: ${cpuPer(start, timers)} µs CPU each (timer included)`);
  const burst = 20_000;
  start = process.cpuUsage();
  for (let i = 0; i < burst; i += 1) {
    socket.write(record);
    if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  console.log(`300 B writes back to back: ${cpuPer(start, burst)} µs CPU each`);
  socket.destroy();
  sink.kill();
}
