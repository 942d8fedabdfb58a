import { MskScramSecretError, type MskScramSecretsPort, MskScramUsers, type UnprocessedScramSecret } from './msk-scram-users';

const CLUSTER = 'arn:aws:kafka:us-east-1:111122223333:cluster/tickwire-prod/abc';

/** An in-memory Secrets Manager + MSK association list, recording each call. */
class FakeMskSecrets implements MskScramSecretsPort {
  readonly secrets = new Map<string, { name: string; kmsKeyId: string; value: string; description: string; deletedAfterDays?: number }>();
  readonly associated = new Set<string>();
  readonly calls: string[] = [];
  refuseAssociate: UnprocessedScramSecret[] = [];

  async createSecret(input: { name: string; kmsKeyId: string; secretString: string; description: string }): Promise<string> {
    this.calls.push(`createSecret ${input.name}`);
    const arn = `arn:aws:secretsmanager:us-east-1:111122223333:secret:${input.name}-AbCdEf`;
    this.secrets.set(arn, { name: input.name, kmsKeyId: input.kmsKeyId, value: input.secretString, description: input.description });
    return arn;
  }
  async putSecretValue(secretArn: string, secretString: string): Promise<void> {
    this.calls.push(`putSecretValue ${secretArn}`);
    this.secrets.get(secretArn)!.value = secretString;
  }
  async deleteSecret(secretArn: string, recoveryWindowInDays: number): Promise<void> {
    this.calls.push(`deleteSecret ${secretArn} ${recoveryWindowInDays}`);
    this.secrets.get(secretArn)!.deletedAfterDays = recoveryWindowInDays;
  }
  async listSecrets(namePrefix: string): Promise<{ name: string; arn: string }[]> {
    return [...this.secrets].filter(([, s]) => s.deletedAfterDays === undefined && s.name.startsWith(namePrefix)).map(([arn, s]) => ({ name: s.name, arn }));
  }
  async associate(clusterArn: string, secretArns: readonly string[]): Promise<UnprocessedScramSecret[]> {
    expect(clusterArn).toBe(CLUSTER);
    this.calls.push(`associate ${secretArns.join(',')}`);
    if (this.refuseAssociate.length > 0) return this.refuseAssociate;
    for (const arn of secretArns) this.associated.add(arn);
    return [];
  }
  async disassociate(clusterArn: string, secretArns: readonly string[]): Promise<UnprocessedScramSecret[]> {
    expect(clusterArn).toBe(CLUSTER);
    this.calls.push(`disassociate ${secretArns.join(',')}`);
    const unprocessed = secretArns.filter((arn) => !this.associated.has(arn)).map((secretArn) => ({ secretArn, errorCode: 'ValidationException', errorMessage: 'The secret is not associated with the cluster' }));
    for (const arn of secretArns) this.associated.delete(arn);
    return unprocessed;
  }
}

describe('MskScramUsers (the AWS path of SCRAM users)', () => {
  const options = { clusterArn: CLUSTER, clusterName: 'tickwire-prod', kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/cmk' };

  it('creates an AmazonMSK_ secret under the customer-managed key holding {username,password} and associates it', async () => {
    const aws = new FakeMskSecrets();
    await new MskScramUsers(aws, options).upsert('customer.acme', 'pw1');
    const [arn, secret] = [...aws.secrets][0]!;
    expect(secret).toMatchObject({ name: 'AmazonMSK_tickwire-prod_customer.acme', kmsKeyId: options.kmsKeyId });
    expect(JSON.parse(secret!.value)).toEqual({ username: 'customer.acme', password: 'pw1' });
    expect(aws.associated).toEqual(new Set([arn]));
  });

  it('rotates by a new secret value, then a fresh association (no second secret)', async () => {
    const aws = new FakeMskSecrets();
    const users = new MskScramUsers(aws, options);
    await users.upsert('customer.acme', 'pw1');
    const [arn] = [...aws.secrets.keys()];
    aws.calls.length = 0;
    await users.upsert('customer.acme', 'pw2');
    expect(aws.calls).toEqual([`putSecretValue ${arn}`, `disassociate ${arn}`, `associate ${arn}`]);
    expect(aws.secrets.size).toBe(1);
    expect(JSON.parse(aws.secrets.get(arn!)!.value)).toEqual({ username: 'customer.acme', password: 'pw2' });
    expect(aws.associated.has(arn!)).toBe(true);
  });

  it('heals a secret that exists but is no longer associated (e.g. after a terraform apply)', async () => {
    const aws = new FakeMskSecrets();
    const users = new MskScramUsers(aws, options);
    await users.upsert('customer.acme', 'pw1');
    aws.associated.clear();
    await users.upsert('customer.acme', 'pw2');
    expect(aws.associated.size).toBe(1);
  });

  it('deletes: disassociate first, then delete with the recovery window; false when there is none', async () => {
    const aws = new FakeMskSecrets();
    const users = new MskScramUsers(aws, { ...options, recoveryWindowInDays: 30 });
    await users.upsert('customer.acme', 'pw1');
    const [arn] = [...aws.secrets.keys()];
    aws.calls.length = 0;
    await expect(users.delete('customer.acme')).resolves.toBe(true);
    expect(aws.calls).toEqual([`disassociate ${arn}`, `deleteSecret ${arn} 30`]);
    expect(aws.associated.size).toBe(0);
    await expect(users.delete('customer.acme')).resolves.toBe(false);
    await expect(users.listUsers()).resolves.toEqual([]);
  });

  it("lists the users of the cluster's AmazonMSK_ secrets only", async () => {
    const aws = new FakeMskSecrets();
    const users = new MskScramUsers(aws, options);
    await users.upsert('customer.zeta', 'a');
    await users.upsert('customer.acme', 'b');
    await new MskScramUsers(aws, { ...options, clusterName: 'tickwire-dev' }).upsert('customer.other', 'c');
    await expect(users.listUsers()).resolves.toEqual(['customer.acme', 'customer.zeta']);
  });

  it("surfaces MSK's unprocessed association with its code", async () => {
    const aws = new FakeMskSecrets();
    aws.refuseAssociate = [{ secretArn: 'arn:x', errorCode: 'InvalidSecretKmsKey', errorMessage: 'secret uses the default key' }];
    await expect(new MskScramUsers(aws, options).upsert('customer.acme', 'pw')).rejects.toThrow(MskScramSecretError);
    await expect(new MskScramUsers(aws, options).upsert('customer.acme', 'pw')).rejects.toThrow(/InvalidSecretKmsKey/);
  });
});
