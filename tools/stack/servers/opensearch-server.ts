import { spawnSync } from 'node:child_process';
import {
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import extractZip from 'extract-zip';
import { createOpenSearchClient, probeOpenSearch } from '@tickwire/aws';
import { mavenFetch } from '../maven-fetch';
import { STACK_VERSIONS, serverDirs, type StackConfig } from '../stack-config';
import { StackError } from '../stack-errors';
import { type LaunchSpec, type StackContext, type StackServer } from './stack-server';

/** Heap of the local node: small, the local indices are tiny. */
const HEAP = '-Xms512m -Xmx512m';

/** `opensearch.yml` of a single-node, loopback-only cluster. */
export function openSearchYml(config: StackConfig, dataDir: string, logsDir: string): string {
  return [
    'cluster.name: tickwire-local',
    'node.name: tickwire-local-1',
    // single-node discovery + loopback binding: OpenSearch skips its production bootstrap checks.
    'discovery.type: single-node',
    `network.host: ${config.host}`,
    `http.port: ${config.ports.opensearch}`,
    `path.data: ${dataDir}`,
    `path.logs: ${logsDir}`,
    // A nearly full developer disk would otherwise turn indices read-only mid-test.
    'cluster.routing.allocation.disk.threshold_enabled: false',
    '',
  ].join('\n');
}

/** The unprivileged account OpenSearch runs as when we are root (it refuses to run as root). */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * `nobody`'s uid and gid when this process is root, else undefined (run as ourselves).
 *
 * @throws StackError when root and `nobody` does not exist.
 */
export function unprivilegedAccount(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number =>
    Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) {
    throw new StackError('running as root, and there is no "nobody" account to run OpenSearch as');
  }
  return { uid, gid };
}

/**
 * Fails early when `account` cannot traverse the folders above `dir` (e.g. a stack folder under
 * /root): OpenSearch would otherwise die with an access error deep in its log.
 *
 * @throws StackError naming the folder.
 */
function assertReachable(dir: string, account: RunAs): void {
  for (let current = dirname(dir); ; current = dirname(current)) {
    const stat = statSync(current);
    const searchable =
      stat.uid === account.uid
        ? stat.mode & 0o100
        : stat.gid === account.gid
          ? stat.mode & 0o010
          : stat.mode & 0o001;
    if (!searchable) {
      throw new StackError(
        `OpenSearch runs as uid ${account.uid} (it refuses root), which cannot enter ${current}; ` +
          'set TICKWIRE_STACK_DIR to a folder under /tmp',
      );
    }
    if (current === dirname(current)) return;
  }
}

function chownTree(path: string, account: RunAs): void {
  chownSync(path, account.uid, account.gid);
  if (!lstatSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), account);
}

/**
 * OpenSearch from the integ-test distribution (server + modules, no plugins, hence no security
 * plugin). The distribution is unpacked into the stack folder rather than the cache, because when
 * we are root it runs as `nobody`, who cannot read a cache under /root.
 */
export function createOpenSearchServer(config: StackConfig): StackServer {
  const dirs = serverDirs(config, 'opensearch');
  const version = STACK_VERSIONS.opensearch;
  const zipDir = join(config.cacheDir, `opensearch-${version}`);
  const distDir = join(dirs.root, 'dist');
  const home = join(distDir, `opensearch-${version}`);
  const runAs = unprivilegedAccount();

  return {
    name: 'opensearch',
    title: `OpenSearch ${version}`,
    mainPort: config.ports.opensearch,
    ports: ['opensearch'],
    dirs,
    mainLogFile: join(dirs.logs, 'tickwire-local.log'),

    async install(context: StackContext): Promise<void> {
      await mavenFetch({
        pom: join(context.stackToolsDir, 'poms', 'opensearch.pom.xml'),
        properties: { 'opensearch.version': version },
        outputDir: zipDir,
      });
    },

    async prepare(context: StackContext): Promise<void> {
      for (const dir of [dirs.data, dirs.logs]) mkdirSync(dir, { recursive: true });
      if (runAs) assertReachable(dirs.root, runAs);
      if (!existsSync(join(home, 'bin', 'opensearch'))) {
        context.log(`opensearch: unpacking ${version}`);
        const staging = `${distDir}.partial-${process.pid}`;
        rmSync(staging, { recursive: true, force: true });
        await extractZip(join(zipDir, `opensearch-${version}.zip`), { dir: staging });
        rmSync(distDir, { recursive: true, force: true });
        renameSync(staging, distDir);
      }
      if (!existsSync(join(dirs.conf, 'jvm.options'))) {
        // Config folder of our own: OpenSearch writes its keystore there, and the distribution stays pristine.
        cpSync(join(home, 'config'), dirs.conf, { recursive: true });
      }
      writeFileSync(join(dirs.conf, 'opensearch.yml'), openSearchYml(config, dirs.data, dirs.logs));
      if (runAs) chownTree(dirs.root, runAs);
    },

    launch(context: StackContext): LaunchSpec {
      const script = join(home, 'bin', 'opensearch');
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        JAVA_HOME: context.java.javaHome,
        OPENSEARCH_JAVA_HOME: context.java.javaHome,
        OPENSEARCH_PATH_CONF: dirs.conf,
        OPENSEARCH_JAVA_OPTS: HEAP,
      };
      if (!runAs) return { command: script, args: [], env, cwd: dirs.root };
      // setpriv execs in place, so the PID we record is OpenSearch's own (its script execs java too).
      return {
        command: 'setpriv',
        args: [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', '--', script],
        env: { ...env, HOME: dirs.root },
        cwd: dirs.root,
      };
    },

    async probe(timeoutMs: number): Promise<void> {
      const client = createOpenSearchClient({
        url: `http://${config.host}:${config.ports.opensearch}`,
        maxRetries: 0,
      });
      try {
        await probeOpenSearch(client, timeoutMs);
      } finally {
        await client.close();
      }
    },
  };
}
