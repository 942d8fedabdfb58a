import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_TOPICS } from '@tickwire/contracts';
import { customerReadOnlyAcls, indexTemplates, kafkaTopicSpecs } from '@tickwire/resources';
import {
  appEnvironment,
  type ChildStopOutcome,
  createLocalKafka,
  freePort,
  resolveStackConfig,
  stopChildProcess,
  uniqueName,
  waitUntil,
} from '@tickwire/testing';

const WORKSPACE = join(__dirname, '..', '..', '..');
/** Every deployable app: those with a Dockerfile (the rule by which this plugin infers `container`). */
const APPS = readdirSync(join(WORKSPACE, 'apps'))
  .filter((app) => existsSync(join(WORKSPACE, 'apps', app, 'Dockerfile')))
  .sort();

/**
 * Issue 16, item 1: each app's production bundle starts from what it declares. Per app, what the
 * Dockerfile's runtime stage does, without a Docker engine: the production build
 * (`nx build <app> --configuration=production`), its generated package.json and lock file installed
 * with `npm ci --omit=dev --ignore-scripts` into an empty folder outside the workspace (so nothing
 * resolves from the workspace's node_modules), the bundle copied beside it, and
 * `node --enable-source-maps main.js` (the image's CMD) started there against the local stack, with
 * only the variables an ECS task would set. It must answer `/health/ready`, then stop with exit code 0
 * on SIGTERM. (Before this test, ingest-producer and enricher crashed with `Cannot find module
 * 'csv-parse'`, a devDependency.)
 *
 * The opensearch-indexer image also carries infra's provisioning run (`node provision.js`, the
 * provisioning task's command): it must provision the local stack from the same install and exit 0.
 *
 * An e2e test: the consuming apps join groups of their own, moved to the topics' ends first, so they
 * take no records; it runs after every other project's tests, alone.
 */
describe('production bundles start as their images would (npm ci --omit=dev, node main.js)', () => {
  const stack = resolveStackConfig();
  const folders: string[] = [];
  const children: ChildProcess[] = [];
  /** Per app: resolves once it answered /health/ready and exited on SIGTERM, with how it exited. */
  const runs = new Map<string, Promise<ChildStopOutcome>>();
  /** Per app: the folder its bundle is installed in. */
  const installedIn = new Map<string, string>();

  beforeAll(async () => {
    execFileSync(
      'npx',
      [
        'nx',
        'run-many',
        '-t',
        'build',
        '-p',
        ...APPS,
        '--configuration=production',
        '--skip-nx-cache',
        '--parallel=1',
      ],
      { cwd: WORKSPACE, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } },
    );
    // Installed one after the other (npm's cache is shared), then started together: their start-ups
    // (group joins, state restores) overlap instead of adding up.
    const installed = APPS.map((app) => ({ app, folder: install(app) }));
    for (const { app, folder } of installed) installedIn.set(app, folder);
    for (const { app, folder } of installed) runs.set(app, startAndStop(app, folder));
    // Each test awaits its own app; keep a failure from being unhandled before it does.
    for (const run of runs.values()) run.catch(() => undefined);
  }, 600_000);

  afterAll(async () => {
    await Promise.all(children.map((child) => stopChildProcess(child)));
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('finds the five apps', () => {
    expect(APPS).toEqual([
      'consumer-gateway',
      'enricher',
      'firehose-archiver',
      'ingest-producer',
      'opensearch-indexer',
    ]);
  });

  it.each(APPS)(
    '%s: installs its declared dependencies only, answers /health/ready, exits 0 on SIGTERM',
    async (app) => {
      expect(await runs.get(app)).toMatchObject({ exitCode: 0, killed: false });
    },
  );

  it('opensearch-indexer: its provision.js (the provisioning task) applies the definitions from the same install and exits 0', () => {
    const folder = installedIn.get('opensearch-indexer')!;
    const env = appEnvironment(stack);
    // As infra's task passes them: one JSON variable per definition (here with the local stack's RF 1).
    const definitions: Record<string, string> = {
      PROVISION_KAFKA_TOPICS: JSON.stringify(kafkaTopicSpecs({ partitions: stack.topicPartitions })),
      PROVISION_KAFKA_ACLS_CUSTOMER: JSON.stringify(customerReadOnlyAcls(stack.kafkaUsers.customer.user)),
    };
    for (const template of indexTemplates())
      definitions[`PROVISION_INDEX_TEMPLATE_${template.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`] =
        JSON.stringify(template);
    const run = spawnSync(process.execPath, ['--enable-source-maps', 'provision.js'], {
      cwd: folder,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        NODE_ENV: 'production',
        KAFKA_BROKERS: env['KAFKA_BROKERS'],
        OPENSEARCH_URL: env['OPENSEARCH_URL'],
        ...definitions,
      },
    });
    expect({ status: run.status, log: run.stdout.slice(-2_000) + run.stderr.slice(-2_000) }).toMatchObject({
      status: 0,
    });
    expect(run.stdout).toContain('provisioning complete');
  });

  /** The runtime stage's install: the generated package.json and lock file, `--omit=dev`, then the bundle. */
  function install(app: string): string {
    const dist = join(WORKSPACE, 'dist', 'apps', app);
    const folder = mkdtempSync(join(tmpdir(), `bundle-${app}-`));
    folders.push(folder);
    for (const file of ['package.json', 'package-lock.json'])
      copyFileSync(join(dist, file), join(folder, file));
    execFileSync(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      {
        cwd: folder,
        stdio: 'inherit',
      },
    );
    for (const file of readdirSync(dist))
      if (!file.startsWith('package')) copyFileSync(join(dist, file), join(folder, file));
    return folder;
  }

  /** The image's CMD in `folder` with an ECS task's variables; waits for /health/ready, then SIGTERM. */
  async function startAndStop(app: string, folder: string): Promise<ChildStopOutcome> {
    const serviceName = uniqueName(`bundle-${app}`);
    // A new group sits at the topics' ends: the app joins and reads nothing of the other tests' data.
    const admin = createLocalKafka(`bundle-${app}`).admin();
    await admin.connect();
    try {
      for (const topic of ALL_TOPICS)
        await admin.resetOffsets({ groupId: serviceName, topic, earliest: false });
    } finally {
      await admin.disconnect();
    }
    const port = await freePort();
    const logFile = join(folder, 'service.log');
    const child = spawn(process.execPath, ['--enable-source-maps', 'main.js'], {
      cwd: folder,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        NODE_ENV: 'production',
        HTTP_PORT: String(port),
        SERVICE_NAME: serviceName,
        KAFKA_CONSUMER_GROUP: serviceName,
        ...appEnvironment(stack),
        // ingest-producer: a short replay of the repository's data (an image mounts or syncs it).
        ...(app === 'ingest-producer'
          ? { SOURCE: 'replay', MARKET_DATA_DIR: join(WORKSPACE, 'data', 'market'), REPLAY_LIMIT: '5' }
          : {}),
      },
      stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
    });
    children.push(child);
    const log = () => readFileSync(logFile, 'utf8').slice(-3_000);
    await waitUntil(
      `${app} to answer /health/ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}:\n${log()}`);
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
        return response?.status === 200;
      },
      180_000,
      () => `; log:\n${log()}`,
    );
    return stopChildProcess(child);
  }
});
