import { ARCHIVE_BUCKET } from '@tickwire/resources';
import type { ConsumerAccountStackProps } from '../stacks/consumer-account-stack';
import type { ProducerAccountStackProps } from '../stacks/producer-account-stack';

/**
 * Zones of us-east-1 by id (the same physical zones in every account, unlike zone names): three zones
 * with current instance families (use1-az3 has none of the newer ones). Pinned, so the subnets never
 * move when AWS adds a zone.
 */
const US_EAST_1_ZONE_IDS = ['use1-az1', 'use1-az2', 'use1-az4'] as const;

/**
 * The production pair. Account ids are not here: each stack runs with its own account's credentials,
 * and the only cross-account value the producer needs (the consumer account id) is a Terraform variable.
 */
export const PRODUCTION_PRODUCER: ProducerAccountStackProps = {
  environment: 'prod',
  region: 'us-east-1',
  availabilityZoneIds: US_EAST_1_ZONE_IDS,
  vpcCidr: '10.40.0.0/16',
  kafka: { version: '3.8.x', instanceType: 'kafka.m7g.large', volumeSizeGiB: 500, partitions: 6 },
  search: {
    engineVersion: 'OpenSearch_2.19',
    instanceType: 'r7g.large.search',
    instanceCount: 3,
    dedicatedMasterType: 'm7g.large.search',
    volumeSizeGiB: 200,
    replicas: 1,
  },
  customerUsers: ['customer'],
  // S3 names are global: the shared name gets the environment as suffix.
  archive: {
    bucketName: `${ARCHIVE_BUCKET}-prod`,
    tiering: {
      glacierInstantRetrievalAfterDays: 30,
      deepArchiveAfterDays: 180,
      noncurrentVersionExpirationDays: 30,
      errorObjectExpirationDays: 90,
    },
  },
  // A year: incident reviews and audits look back that far (checkov CKV_AWS_338).
  logRetentionDays: 365,
  initialImageTag: 'bootstrap',
};

/** The sample customer account connecting to {@link PRODUCTION_PRODUCER}. */
export const PRODUCTION_CONSUMER: ConsumerAccountStackProps = {
  environment: 'prod',
  region: 'us-east-1',
  customer: 'sample',
  // MSK multi-VPC connectivity needs the client subnets in zones (by id) where the brokers are.
  availabilityZoneIds: US_EAST_1_ZONE_IDS,
  vpcCidr: '10.60.0.0/16',
  sampleConsumerImage: 'apache/kafka:3.9.1',
  logRetentionDays: 365,
};
