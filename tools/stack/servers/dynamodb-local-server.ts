import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createDynamoDbClient, probeDynamoDb } from '@tickwire/aws';
import { mavenFetch } from '../maven-fetch';
import { LOCAL_AWS_CREDENTIALS, STACK_VERSIONS, serverDirs, type StackConfig } from '../stack-config';
import { type LaunchSpec, type StackContext, type StackServer } from './stack-server';

/**
 * DynamoDB Local, file-backed (`-dbPath`) with one database for every access key and region
 * (`-sharedDb`), so apps and tests see the same tables whatever placeholder credentials they sign with.
 */
export function createDynamoDbLocalServer(config: StackConfig): StackServer {
  const dirs = serverDirs(config, 'dynamodb');
  const libDir = join(config.cacheDir, `dynamodb-local-${STACK_VERSIONS.dynamodbLocal}`, 'lib');
  const endpoint = `http://${config.host}:${config.ports.dynamodb}`;

  return {
    name: 'dynamodb',
    title: `DynamoDB Local ${STACK_VERSIONS.dynamodbLocal}`,
    mainPort: config.ports.dynamodb,
    ports: ['dynamodb'],
    dirs,
    mainLogFile: join(dirs.logs, 'console.log'),

    async install(context: StackContext): Promise<void> {
      await mavenFetch({
        pom: join(context.stackToolsDir, 'poms', 'dynamodb-local.pom.xml'),
        properties: {
          'dynamodb-local.version': STACK_VERSIONS.dynamodbLocal,
          'sqlite4java.version': STACK_VERSIONS.sqlite4java,
        },
        outputDir: libDir,
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
          '-Xmx256m',
          // sqlite4java loads libsqlite4java-linux-amd64-<version>.so from here.
          `-Djava.library.path=${libDir}`,
          '-cp',
          join(libDir, '*'),
          'software.amazon.dynamodb.services.local.main.ServerRunner',
          '-port',
          String(config.ports.dynamodb),
          '-dbPath',
          dirs.data,
          '-sharedDb',
        ],
        env: { ...process.env, JAVA_HOME: context.java.javaHome },
        cwd: dirs.root,
      };
    },

    async probe(timeoutMs: number): Promise<void> {
      const client = createDynamoDbClient({ region: config.awsRegion, endpoint, credentials: LOCAL_AWS_CREDENTIALS });
      try {
        await probeDynamoDb(client, undefined, timeoutMs);
      } finally {
        client.destroy();
      }
    },
  };
}
