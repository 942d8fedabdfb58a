import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/** Where a stack keeps its Terraform state. Each stack has its own state: no stack reads another's. */
export type StateBackendProps =
  | { readonly kind: 'local' }
  | {
      readonly kind: 's3';
      /** State bucket in the same account as the stack (never shared across accounts). */
      readonly bucket: string;
      /** DynamoDB-free locking: Terraform >= 1.10 S3 native lock files. */
      readonly useLockfile: true;
    };

/** Settings every Tickwire stack takes. */
export interface TickwireStackProps {
  /** Deployment environment, e.g. `prod`, `staging`; part of every resource name. */
  readonly environment: string;
  /** AWS region, e.g. `us-east-1`. */
  readonly region: string;
  /** State backend; `local` when omitted (synth and tests). */
  readonly backend?: StateBackendProps;
  /** Tags applied to every resource through the provider's `default_tags`. */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Base of every Tickwire stack: one AWS provider with default tags and one state backend per stack.
 *
 * The stacks depend on CDKTF only through this class, the construct files in `constructs/` and
 * `Testing` in specs, so that moving from the archived `cdktf` packages to their drop-in fork is a
 * change of package names in imports (see infra/README.md).
 */
export abstract class TickwireStack extends TerraformStack {
  /** Prefix of resource names: `tickwire-<environment>`. */
  readonly namePrefix: string;
  readonly environment: string;
  readonly region: string;

  protected constructor(scope: Construct, id: string, props: TickwireStackProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{1,15}$/.test(props.environment)) {
      throw new RangeError(
        `environment must be 2-16 lowercase letters, digits or dashes, got "${props.environment}"`,
      );
    }
    this.environment = props.environment;
    this.region = props.region;
    this.namePrefix = `tickwire-${props.environment}`;
    new AwsProvider(this, 'aws', {
      region: props.region,
      defaultTags: [
        { tags: { Project: 'tickwire', Environment: props.environment, Stack: id, ...props.tags } },
      ],
    });
    const backend = props.backend ?? { kind: 'local' };
    if (backend.kind === 's3') {
      new S3Backend(this, {
        bucket: backend.bucket,
        key: `${id}/terraform.tfstate`,
        region: props.region,
        encrypt: true,
      });
      // cdktf 0.21's S3Backend predates Terraform's S3-native locking; set the argument directly.
      this.addOverride('terraform.backend.s3.use_lockfile', backend.useLockfile);
    } else {
      new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    }
  }
}
