import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Construct } from 'constructs';

/** Props of {@link ServiceImageRepository}. */
export interface ServiceImageRepositoryProps {
  /** Repository name, e.g. `tickwire/enricher`. */
  readonly name: string;
  readonly kmsKeyArn: string;
  /** Images kept; older ones expire (deploys are by immutable commit tag, so old tags are history). */
  readonly keepImages: number;
}

/**
 * An ECR repository for one service: immutable tags (a tag names one build forever, so a deploy is
 * reproducible and a rollback is exact), scan on push, KMS encryption with the customer-managed key.
 */
export class ServiceImageRepository extends Construct {
  readonly repositoryArn: string;
  readonly repositoryUrl: string;

  constructor(scope: Construct, id: string, props: ServiceImageRepositoryProps) {
    super(scope, id);
    const repository = new EcrRepository(this, 'repository', {
      name: props.name,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: props.kmsKeyArn }],
      forceDelete: false,
    });
    new EcrLifecyclePolicy(this, 'lifecycle', {
      repository: repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Keep the newest ${props.keepImages} images`,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: props.keepImages },
            action: { type: 'expire' },
          },
        ],
      }),
    });
    this.repositoryArn = repository.arn;
    this.repositoryUrl = repository.repositoryUrl;
  }
}
