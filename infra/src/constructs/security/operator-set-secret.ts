import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { Construct } from 'constructs';

/** Props of {@link OperatorSetSecret}. */
export interface OperatorSetSecretProps {
  readonly name: string;
  /** What the secret holds and which JSON keys, for whoever sets it. */
  readonly description: string;
  readonly kmsKeyArn: string;
}

/**
 * A Secrets Manager secret whose value an operator sets out of band (`aws secretsmanager
 * put-secret-value`), so the value never passes through Terraform state: third-party API keys,
 * credentials handed over by another account.
 */
export class OperatorSetSecret extends Construct {
  readonly secretArn: string;

  constructor(scope: Construct, id: string, props: OperatorSetSecretProps) {
    super(scope, id);
    this.secretArn = new SecretsmanagerSecret(this, 'secret', {
      name: props.name,
      description: props.description,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: 7,
    }).arn;
  }
}
