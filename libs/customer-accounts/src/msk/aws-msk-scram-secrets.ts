import { BatchAssociateScramSecretCommand, BatchDisassociateScramSecretCommand, KafkaClient } from '@aws-sdk/client-kafka';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  paginateListSecrets,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { MskScramSecretsPort, UnprocessedScramSecret } from './msk-scram-users';

/** The two AWS SDK v3 clients {@link AwsMskScramSecrets} calls (region and credentials from the SDK's chain). */
export interface AwsMskScramClients {
  readonly secretsManager: SecretsManagerClient;
  readonly kafka: KafkaClient;
}

const unprocessedOf = (list: readonly { SecretArn?: string; ErrorCode?: string; ErrorMessage?: string }[] | undefined): UnprocessedScramSecret[] =>
  (list ?? []).map((entry) => ({
    secretArn: entry.SecretArn ?? '',
    ...(entry.ErrorCode !== undefined ? { errorCode: entry.ErrorCode } : {}),
    ...(entry.ErrorMessage !== undefined ? { errorMessage: entry.ErrorMessage } : {}),
  }));

/**
 * {@link MskScramSecretsPort} on the AWS SDK v3: Secrets Manager (`CreateSecret`, `PutSecretValue`,
 * `DeleteSecret`, `ListSecrets` filtered by name prefix, all pages) and Amazon MSK
 * (`BatchAssociateScramSecret`, `BatchDisassociateScramSecret`). Errors are the SDK's (e.g.
 * `ResourceExistsException`, `AccessDeniedException`), thrown unchanged.
 */
export class AwsMskScramSecrets implements MskScramSecretsPort {
  constructor(private readonly clients: AwsMskScramClients = { secretsManager: new SecretsManagerClient({}), kafka: new KafkaClient({}) }) {}

  async createSecret(input: { name: string; kmsKeyId: string; secretString: string; description: string }): Promise<string> {
    const created = await this.clients.secretsManager.send(
      new CreateSecretCommand({ Name: input.name, KmsKeyId: input.kmsKeyId, SecretString: input.secretString, Description: input.description }),
    );
    if (created.ARN === undefined) throw new Error(`CreateSecret ${input.name} returned no ARN`);
    return created.ARN;
  }

  async putSecretValue(secretArn: string, secretString: string): Promise<void> {
    await this.clients.secretsManager.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: secretString }));
  }

  async deleteSecret(secretArn: string, recoveryWindowInDays: number): Promise<void> {
    await this.clients.secretsManager.send(new DeleteSecretCommand({ SecretId: secretArn, RecoveryWindowInDays: recoveryWindowInDays }));
  }

  async listSecrets(namePrefix: string): Promise<{ name: string; arn: string }[]> {
    const secrets: { name: string; arn: string }[] = [];
    // Secrets scheduled for deletion are left out by default (IncludePlannedDeletion false).
    for await (const page of paginateListSecrets({ client: this.clients.secretsManager }, { Filters: [{ Key: 'name', Values: [namePrefix] }] })) {
      for (const secret of page.SecretList ?? []) {
        // The name filter matches by prefix; keep only real prefix matches anyway.
        if (secret.Name?.startsWith(namePrefix) && secret.ARN !== undefined) secrets.push({ name: secret.Name, arn: secret.ARN });
      }
    }
    return secrets;
  }

  async associate(clusterArn: string, secretArns: readonly string[]): Promise<UnprocessedScramSecret[]> {
    const result = await this.clients.kafka.send(new BatchAssociateScramSecretCommand({ ClusterArn: clusterArn, SecretArnList: [...secretArns] }));
    return unprocessedOf(result.UnprocessedScramSecrets);
  }

  async disassociate(clusterArn: string, secretArns: readonly string[]): Promise<UnprocessedScramSecret[]> {
    const result = await this.clients.kafka.send(new BatchDisassociateScramSecretCommand({ ClusterArn: clusterArn, SecretArnList: [...secretArns] }));
    return unprocessedOf(result.UnprocessedScramSecrets);
  }
}
