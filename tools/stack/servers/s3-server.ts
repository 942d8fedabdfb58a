import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createS3Client, probeS3 } from '@tickwire/aws';
import { mavenFetch } from '../maven-fetch';
import { LOCAL_AWS_CREDENTIALS, STACK_VERSIONS, serverDirs, type StackConfig } from '../stack-config';
import { type LaunchSpec, type StackContext, type StackServer } from './stack-server';

/**
 * S3-compatible server: Adobe S3Mock's Spring Boot jar. Property names are those S3Mock 4 binds
 * (`S3MockProperties`, `StoreProperties`): `com.adobe.testing.s3mock.http-port`, `server.port` (its
 * HTTPS port), and the store's `root`, `retain-files-on-exit` (keep objects across restarts) and
 * `initial-buckets`. (`http.port` is only read when S3Mock is started in-process.)
 */
export function createS3Server(config: StackConfig): StackServer {
  const dirs = serverDirs(config, 's3');
  const version = STACK_VERSIONS.s3mock;
  const jar = join(config.cacheDir, `s3mock-${version}`, `s3mock-${version}-exec.jar`);
  const endpoint = `http://${config.host}:${config.ports.s3}`;

  return {
    name: 's3',
    title: `S3Mock ${version}`,
    mainPort: config.ports.s3,
    ports: ['s3', 's3Https'],
    dirs,
    mainLogFile: join(dirs.logs, 'console.log'),

    async install(context: StackContext): Promise<void> {
      await mavenFetch({
        pom: join(context.stackToolsDir, 'poms', 's3mock.pom.xml'),
        properties: { 's3mock.version': version },
        outputDir: join(config.cacheDir, `s3mock-${version}`),
      });
    },

    async prepare(): Promise<void> {
      for (const dir of [dirs.data, dirs.logs]) mkdirSync(dir, { recursive: true });
    },

    launch(context: StackContext): LaunchSpec {
      return {
        command: context.java.javaBin,
        args: [
          '-Xms64m',
          '-Xmx384m',
          // C1 only: a test double needs no peak throughput, and Spring Boot starts noticeably faster on 2 cores.
          '-XX:TieredStopAtLevel=1',
          '-jar',
          jar,
          `--com.adobe.testing.s3mock.http-port=${config.ports.s3}`,
          `--server.port=${config.ports.s3Https}`,
          `--server.address=${config.host}`,
          `--com.adobe.testing.s3mock.store.root=${dirs.data}`,
          '--com.adobe.testing.s3mock.store.retain-files-on-exit=true',
          `--com.adobe.testing.s3mock.store.initial-buckets=${config.archiveBucket}`,
          '--spring.main.banner-mode=off',
        ],
        env: { ...process.env, JAVA_HOME: context.java.javaHome },
        cwd: dirs.root,
      };
    },

    async probe(timeoutMs: number): Promise<void> {
      const client = createS3Client({ region: config.awsRegion, endpoint, credentials: LOCAL_AWS_CREDENTIALS });
      try {
        await probeS3(client, undefined, timeoutMs);
      } finally {
        client.destroy();
      }
    },
  };
}
