import type { PolicyStatement } from '../core/policy-document';

/** The resources the provisioning task's role is granted, each exactly. */
export interface ProvisioningPolicyResources {
  readonly clusterArn: string;
  /** `arn:…:topic/<cluster name>/<cluster uuid>` (MskKafkaCluster.topicArnPrefix). */
  readonly topicArnPrefix: string;
  /** Every topic the task creates (the published topic definitions). */
  readonly topicNames: readonly string[];
  readonly searchDomainArn: string;
}

/**
 * The OpenSearch paths the provisioning task writes (`PUT` only): index templates, security roles and
 * role mappings. Nothing that reads or deletes data.
 */
export const PROVISIONING_SEARCH_PATHS = [
  '_index_template/*',
  '_plugins/_security/api/roles/*',
  '_plugins/_security/api/rolesmapping/*',
] as const;

/**
 * Identity-policy statements of the provisioning task's role: what `provision.js` calls, on the
 * resources it touches, nothing else.
 *
 * - MSK IAM access control ("IAM access control for Amazon MSK", actions and the resources they
 *   apply to): `Connect`, `DescribeCluster` and `AlterCluster` on the cluster (CreateAcls is an
 *   ALTER on the cluster, and AlterCluster needs DescribeCluster); `CreateTopic`, `DescribeTopic`
 *   (listing and waiting for leaders) and `AlterTopic` (adding partitions) on each listed topic, by
 *   exact topic ARN. No data actions (ReadData, WriteData), no group or transactional-id rights, no
 *   DeleteTopic.
 * - OpenSearch: `es:ESHttpPut` on {@link PROVISIONING_SEARCH_PATHS} of the domain. The role is the
 *   domain's FGAC master user, so IAM is what confines it: it cannot search, index or delete.
 */
export function provisioningTaskStatements(resources: ProvisioningPolicyResources): PolicyStatement[] {
  return [
    {
      Sid: 'KafkaClusterAcls',
      Effect: 'Allow',
      Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', 'kafka-cluster:AlterCluster'],
      Resource: resources.clusterArn,
    },
    {
      Sid: 'KafkaTopics',
      Effect: 'Allow',
      Action: ['kafka-cluster:CreateTopic', 'kafka-cluster:DescribeTopic', 'kafka-cluster:AlterTopic'],
      Resource: [...new Set(resources.topicNames)]
        .sort()
        .map((topic) => `${resources.topicArnPrefix}/${topic}`),
    },
    {
      Sid: 'SearchProvisioning',
      Effect: 'Allow',
      Action: 'es:ESHttpPut',
      Resource: PROVISIONING_SEARCH_PATHS.map((path) => `${resources.searchDomainArn}/${path}`),
    },
  ];
}
