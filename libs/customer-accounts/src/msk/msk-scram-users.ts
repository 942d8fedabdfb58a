import type { ScramUserPort } from '../customer-account-ports';

/** A secret MSK could not (dis)associate, as BatchAssociateScramSecret / BatchDisassociateScramSecret report it. */
export interface UnprocessedScramSecret {
  secretArn: string;
  errorCode?: string;
  errorMessage?: string;
}

/**
 * The AWS calls the MSK path needs, one method each, so the logic here is unit-tested with a fake and
 * the SDK stays in an adapter: Secrets Manager (`CreateSecret`, `PutSecretValue`, `DeleteSecret`,
 * `ListSecrets` by name prefix) and MSK (`BatchAssociateScramSecret`, `BatchDisassociateScramSecret`;
 * @aws-sdk/client-secrets-manager and @aws-sdk/client-kafka).
 */
export interface MskScramSecretsPort {
  /** `CreateSecret` with `KmsKeyId`; returns the secret's ARN. */
  createSecret(input: { name: string; kmsKeyId: string; secretString: string; description: string }): Promise<string>;
  /** `PutSecretValue`: a new current version. */
  putSecretValue(secretArn: string, secretString: string): Promise<void>;
  /** `DeleteSecret` with a recovery window (7-30 days), during which the name stays taken. */
  deleteSecret(secretArn: string, recoveryWindowInDays: number): Promise<void>;
  /** `ListSecrets` filtered by name prefix (all pages), without secrets scheduled for deletion. */
  listSecrets(namePrefix: string): Promise<{ name: string; arn: string }[]>;
  /** `BatchAssociateScramSecret`; returns what MSK did not process. */
  associate(clusterArn: string, secretArns: readonly string[]): Promise<UnprocessedScramSecret[]>;
  /** `BatchDisassociateScramSecret`; returns what MSK did not process. */
  disassociate(clusterArn: string, secretArns: readonly string[]): Promise<UnprocessedScramSecret[]>;
}

/** Where {@link MskScramUsers} keeps the users. */
export interface MskScramUsersOptions {
  /** ARN of the MSK cluster (producer stack output `msk_cluster_arn`). */
  clusterArn: string;
  /** Cluster name: secrets are named `AmazonMSK_<clusterName>_<user>`, as infra names its own. */
  clusterName: string;
  /** Customer-managed KMS key (id or ARN) of the secrets: MSK refuses secrets under `aws/secretsmanager`. */
  kmsKeyId: string;
  /** Recovery window of deleted secrets, days (Secrets Manager: 7-30); default 7, as infra's. */
  recoveryWindowInDays?: number;
}

/** Thrown when MSK does not process a (dis)association; the message has MSK's codes. */
export class MskScramSecretError extends Error {
  override readonly name = 'MskScramSecretError';
}

/**
 * SCRAM users of an Amazon MSK cluster. MSK does not accept AlterUserScramCredentials: a user is a
 * Secrets Manager secret named `AmazonMSK_<cluster>_<user>`, encrypted with a customer-managed KMS
 * key, holding `{"username","password"}`, and associated with the cluster (see the MSK Developer
 * Guide, "Sign-in credentials authentication with AWS Secrets Manager").
 *
 * - upsert: a new secret is created and associated; an existing one gets the new value and is
 *   disassociated and associated again, so MSK takes the new password from the association rather
 *   than from whenever it re-reads the secret (the user cannot log in for that moment).
 * - delete: disassociate (no new logins), then delete with the recovery window.
 *
 * Infra's `aws_msk_scram_secret_association` (producer stack) owns the cluster's association list
 * exclusively: a `terraform apply` would disassociate the secrets made here. See the README
 * ("Customer accounts" on AWS) for what infra must change before this path is used.
 */
export class MskScramUsers implements ScramUserPort {
  constructor(
    private readonly aws: MskScramSecretsPort,
    private readonly options: MskScramUsersOptions,
  ) {}

  /** The secret name of `user`, e.g. `AmazonMSK_tickwire-prod_customer.acme`. */
  secretName(user: string): string {
    return `${this.prefix()}${user}`;
  }

  /**
   * Creates or updates the secret of `user` and associates it with the cluster.
   * @throws MskScramSecretError when MSK does not process the association; the SDK's errors.
   */
  async upsert(user: string, password: string): Promise<void> {
    const secretString = JSON.stringify({ username: user, password });
    const existing = await this.find(user);
    if (existing) {
      await this.aws.putSecretValue(existing.arn, secretString);
      this.checked('disassociate', await this.aws.disassociate(this.options.clusterArn, [existing.arn]));
      this.checked('associate', await this.aws.associate(this.options.clusterArn, [existing.arn]));
      return;
    }
    const arn = await this.aws.createSecret({
      name: this.secretName(user),
      kmsKeyId: this.options.kmsKeyId,
      secretString,
      description: `Tickwire SASL/SCRAM credentials of Kafka user ${user} (npm run customers)`,
    });
    this.checked('associate', await this.aws.associate(this.options.clusterArn, [arn]));
  }

  /**
   * Disassociates and deletes the secret of `user`.
   * @returns false when there was none.
   * @throws MskScramSecretError when MSK does not process the disassociation (the secret is then kept).
   */
  async delete(user: string): Promise<boolean> {
    const existing = await this.find(user);
    if (!existing) return false;
    this.checked('disassociate', await this.aws.disassociate(this.options.clusterArn, [existing.arn]));
    await this.aws.deleteSecret(existing.arn, this.options.recoveryWindowInDays ?? 7);
    return true;
  }

  /** Users of the secrets named `AmazonMSK_<clusterName>_*`, sorted (services', the admin's and customers'). */
  async listUsers(): Promise<string[]> {
    const prefix = this.prefix();
    return (await this.aws.listSecrets(prefix))
      .filter((secret) => secret.name.startsWith(prefix))
      .map((secret) => secret.name.slice(prefix.length))
      .sort();
  }

  private prefix(): string {
    return `AmazonMSK_${this.options.clusterName}_`;
  }

  private async find(user: string): Promise<{ name: string; arn: string } | undefined> {
    const name = this.secretName(user);
    return (await this.aws.listSecrets(name)).find((secret) => secret.name === name);
  }

  private checked(what: 'associate' | 'disassociate', unprocessed: UnprocessedScramSecret[]): void {
    // Disassociating a secret MSK no longer has associated is what we wanted.
    const failures = unprocessed.filter((entry) => !(what === 'disassociate' && /not.*associated/i.test(`${entry.errorCode} ${entry.errorMessage}`)));
    if (failures.length > 0) {
      throw new MskScramSecretError(
        `MSK did not ${what} ${failures.map((entry) => `${entry.secretArn} (${entry.errorCode ?? '?'}: ${entry.errorMessage ?? ''})`).join(', ')}`,
      );
    }
  }
}
