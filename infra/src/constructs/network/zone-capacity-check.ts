import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DataAwsEc2InstanceTypeOfferings } from '@cdktf/provider-aws/lib/data-aws-ec2-instance-type-offerings';
import { Construct } from 'constructs';

/** An instance type a managed service runs on, by the service's own name for it. */
export interface ManagedInstanceType {
  /** Who runs it, for the error message, e.g. `MSK brokers`. */
  readonly role: string;
  /** The service's name, e.g. `kafka.m7g.large` (MSK) or `r7g.large.search` (OpenSearch). */
  readonly instanceType: string;
}

/** Props of {@link ZoneCapacityCheck}. */
export interface ZoneCapacityCheckProps {
  /** The zones the stack places subnets in, by id (e.g. `use1-az1`). */
  readonly availabilityZoneIds: readonly string[];
  /** Instance types that must be offered in every one of those zones (none: only the zones are checked). */
  readonly instanceTypes: readonly ManagedInstanceType[];
}

/**
 * The EC2 instance type behind a managed service's name: MSK prefixes `kafka.` (`kafka.m7g.large`),
 * OpenSearch appends `.search` (`r7g.large.search`); both run on the EC2 type in between.
 *
 * @throws RangeError for a name that is neither plain EC2 nor one of those two shapes.
 */
export function ec2InstanceType(instanceType: string): string {
  const ec2 = instanceType.replace(/^kafka\./, '').replace(/\.search$/, '');
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(ec2))
    throw new RangeError(`not an instance type: ${instanceType}`);
  return ec2;
}

/**
 * Fails `terraform plan` with a clear message when a configured zone does not exist (or is not
 * available) in the region, or an instance type is not offered in every configured zone. Without it
 * the mistake shows only minutes into an apply, as an MSK or OpenSearch creation error after the VPC
 * is already built (us-east-1's use1-az3, for one, has none of the Graviton 3 families).
 *
 * Two data sources with postconditions: `aws_availability_zones` filtered by zone id, and
 * `aws_ec2_instance_type_offerings` by zone id and type. MSK and OpenSearch publish no per-zone offering
 * API of their own; they run on the EC2 type inside their name, so its EC2 offering per zone is the
 * proxy (a necessary condition, not a guarantee of the managed service's capacity). Fargate needs no
 * check: it has no instance types.
 */
export class ZoneCapacityCheck extends Construct {
  constructor(scope: Construct, id: string, props: ZoneCapacityCheckProps) {
    super(scope, id);
    const zones = [...props.availabilityZoneIds];
    const zoneList = JSON.stringify(zones);
    new DataAwsAvailabilityZones(this, 'zones', {
      state: 'available',
      filter: [{ name: 'zone-id', values: zones }],
      lifecycle: {
        postcondition: [
          {
            condition: `\${alltrue([for id in ${zoneList} : contains(self.zone_ids, id)])}`,
            errorMessage: `Availability zones ${zones.join(', ')} must all exist and be available in this region (availabilityZoneIds in infra/src/config/environments.ts).`,
          },
        ],
      },
    });
    if (props.instanceTypes.length === 0) return;

    const types = [...new Set(props.instanceTypes.map((t) => ec2InstanceType(t.instanceType)))];
    const wanted = props.instanceTypes.map(
      (t) => `${t.instanceType} (${t.role}, EC2 ${ec2InstanceType(t.instanceType)})`,
    );
    new DataAwsEc2InstanceTypeOfferings(this, 'instance-types', {
      locationType: 'availability-zone-id',
      filter: [
        { name: 'location', values: zones },
        { name: 'instance-type', values: types },
      ],
      lifecycle: {
        postcondition: [
          {
            // instance_types[i] is offered in locations[i]: every (type, zone) pair must be among them.
            condition:
              `\${alltrue([for pair in setproduct(${JSON.stringify(types)}, ${zoneList}) : ` +
              `contains(formatlist("%s@%s", self.instance_types, self.locations), join("@", pair))])}`,
            errorMessage: `Every instance type must be offered in every availability zone of the stack: ${wanted.join('; ')} in ${zones.join(', ')}. Pick other zones or instance types in infra/src/config/environments.ts.`,
          },
        ],
      },
    });
  }
}
