import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findKafkaLibDir,
  KafkaConfigsScramTool,
  KafkaToolError,
  type KafkaToolResult,
  parseScramUsers,
  quoteArgFileArgument,
} from './kafka-configs-scram-tool';

/** A runner that records each args file (read before the tool removes it) and answers `result`. */
function fakeRunner(result: KafkaToolResult): { runs: { javaBin: string; args: string; mode: number }[]; run: (javaBin: string, argsFile: string) => Promise<KafkaToolResult> } {
  const runs: { javaBin: string; args: string; mode: number }[] = [];
  return {
    runs,
    run: async (javaBin, argsFile) => {
      runs.push({ javaBin, args: readFileSync(argsFile, 'utf8'), mode: statSync(argsFile).mode & 0o777 });
      return result;
    },
  };
}

const OK: KafkaToolResult = { exitCode: 0, stdout: 'Completed updating config for user customer.acme.\n', stderr: '' };

describe('KafkaConfigsScramTool', () => {
  const options = { javaBin: '/usr/bin/java', kafkaLibDir: '/cache/kafka-4.1.2/lib', bootstrapServers: '127.0.0.1:9092' };

  it('runs ConfigCommand --add-config SCRAM-SHA-512 through a private args file (no password on the command line)', async () => {
    const fake = fakeRunner(OK);
    await new KafkaConfigsScramTool({ ...options, run: fake.run }).upsert('customer.acme', 'pw_0-9~x.y');
    expect(fake.runs).toHaveLength(1);
    expect(fake.runs[0]!.javaBin).toBe('/usr/bin/java');
    expect(fake.runs[0]!.mode).toBe(0o600);
    expect(fake.runs[0]!.args.split('\n').filter(Boolean)).toEqual(
      [
        '-Xmx256m', '-cp', '/cache/kafka-4.1.2/lib/*', 'kafka.admin.ConfigCommand', '--bootstrap-server', '127.0.0.1:9092',
        '--alter', '--entity-type', 'users', '--entity-name', 'customer.acme',
        '--add-config', 'SCRAM-SHA-512=[iterations=4096,password=pw_0-9~x.y]',
      ].map(quoteArgFileArgument),
    );
  });

  it('passes --command-config when given', async () => {
    const fake = fakeRunner({ exitCode: 0, stdout: '', stderr: '' });
    await new KafkaConfigsScramTool({ ...options, commandConfigFile: '/etc/admin.properties', run: fake.run }).listUsers();
    expect(fake.runs[0]!.args).toContain('"--command-config"\n"/etc/admin.properties"\n"--describe"');
  });

  it('refuses names and passwords the [k=v,...] syntax could misread, before running anything', async () => {
    const fake = fakeRunner(OK);
    const tool = new KafkaConfigsScramTool({ ...options, run: fake.run });
    await expect(tool.upsert('customer.acme', 'a,b]')).rejects.toThrow(KafkaToolError);
    await expect(tool.upsert('a b', 'secret')).rejects.toThrow(KafkaToolError);
    await expect(tool.delete('x=y')).rejects.toThrow(KafkaToolError);
    expect(fake.runs).toHaveLength(0);
  });

  it('deletes a credential; a missing one is not an error (false)', async () => {
    const deleted = fakeRunner(OK);
    await expect(new KafkaConfigsScramTool({ ...options, run: deleted.run }).delete('customer.acme')).resolves.toBe(true);
    expect(deleted.runs[0]!.args).toContain('"--delete-config"\n"SCRAM-SHA-512"');

    const missing = fakeRunner({
      exitCode: 1,
      stdout: '',
      stderr: 'Error while executing config command\njava.util.concurrent.ExecutionException: ...\nCaused by: org.apache.kafka.common.errors.ResourceNotFoundException: Attempt to delete a user credential that does not exist',
    });
    await expect(new KafkaConfigsScramTool({ ...options, run: missing.run }).delete('customer.gone')).resolves.toBe(false);
  });

  it('reports a failure with the output tail and without the password', async () => {
    const failing = fakeRunner({ exitCode: 1, stdout: '', stderr: 'org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node' });
    const error = await new KafkaConfigsScramTool({ ...options, run: failing.run }).upsert('customer.acme', 'hunter2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaToolError);
    expect((error as Error).message).toContain('TimeoutException');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('lists the users holding a SCRAM-SHA-512 credential', async () => {
    const fake = fakeRunner({
      exitCode: 0,
      stdout: [
        "SCRAM credential configs for user-principal 'customer.acme' are SCRAM-SHA-512=iterations=4096",
        "SCRAM credential configs for user-principal 'admin' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096",
        "SCRAM credential configs for user-principal 'legacy' are SCRAM-SHA-256=iterations=4096",
        'Quota configs for user-principal \'x\' are producer_byte_rate=1024',
      ].join('\n'),
      stderr: '',
    });
    await expect(new KafkaConfigsScramTool({ ...options, run: fake.run }).listUsers()).resolves.toEqual(['admin', 'customer.acme']);
  });
});

describe('parseScramUsers', () => {
  it('is empty for no users', () => expect(parseScramUsers('')).toEqual([]));
});

describe('quoteArgFileArgument', () => {
  it('quotes and escapes backslashes and double quotes (JVM @argfile syntax)', () => {
    expect(quoteArgFileArgument('C:\\kafka "libs"\\*')).toBe('"C:\\\\kafka \\"libs\\"\\\\*"');
  });
});

describe('findKafkaLibDir', () => {
  let cache: string;
  beforeEach(() => (cache = mkdtempSync(join(tmpdir(), 'kafka-lib-dir-'))));
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  function distribution(name: string, jar: string): void {
    mkdirSync(join(cache, name, 'lib'), { recursive: true });
    writeFileSync(join(cache, name, 'lib', jar), '');
  }

  it('picks the newest kafka-<version> holding the broker jar (where ConfigCommand lives), by numeric version', () => {
    distribution('kafka-4.1.2', 'kafka_2.13-4.1.2.jar');
    distribution('kafka-4.10.0', 'kafka_2.13-4.10.0.jar');
    distribution('kafka-tools-9.9.9', 'kafka-tools-9.9.9.jar');
    distribution('kafka-9.0.0', 'kafka-clients-9.0.0.jar');
    expect(findKafkaLibDir(cache)).toBe(join(cache, 'kafka-4.10.0', 'lib'));
  });

  it('is undefined without a distribution or cache folder', () => {
    expect(findKafkaLibDir(cache)).toBeUndefined();
    expect(findKafkaLibDir(join(cache, 'missing'))).toBeUndefined();
  });
});
