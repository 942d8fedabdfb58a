import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';

/** SSM's Standard tier holds up to 4 KB; Advanced up to 8 KB. */
const STANDARD_TIER_MAX_BYTES = 4096;
const ADVANCED_TIER_MAX_BYTES = 8192;

/** Props of {@link JsonParameter}. */
export interface JsonParameterProps {
  /** Parameter name, e.g. `/tickwire/prod/kafka/topics`. */
  readonly name: string;
  readonly description: string;
  /** A JSON-serializable value without CDKTF tokens (its size picks the tier at synth time). */
  readonly value: unknown;
  /** Customer-managed key the value is encrypted with at rest. */
  readonly kmsKeyArn: string;
}

/**
 * An SSM parameter holding JSON: how one stack hands definitions to a task or to another stack without
 * shared Terraform state. A SecureString encrypted with the stack's key, though the definitions are
 * not secrets: everything at rest is encrypted with the CMK, and readers need `kms:Decrypt` on it
 * (`--with-decryption`), which scopes who reads topology and ACLs. The tier is chosen from the
 * rendered size.
 *
 * @throws RangeError when the JSON exceeds the 8 KB SSM limit.
 */
export class JsonParameter extends Construct {
  readonly parameterName: string;
  readonly parameterArn: string;
  /** Version SSM gives each new value: a change of the definitions changes it. */
  readonly parameterVersion: number;

  constructor(scope: Construct, id: string, props: JsonParameterProps) {
    super(scope, id);
    const json = JSON.stringify(props.value);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > ADVANCED_TIER_MAX_BYTES) {
      throw new RangeError(`SSM parameter ${props.name} would hold ${bytes} bytes, above the 8 KB limit`);
    }
    const parameter = new SsmParameter(this, 'parameter', {
      name: props.name,
      description: props.description,
      type: 'SecureString',
      keyId: props.kmsKeyArn,
      tier: bytes > STANDARD_TIER_MAX_BYTES ? 'Advanced' : 'Standard',
      value: json,
    });
    this.parameterName = parameter.name;
    this.parameterArn = parameter.arn;
    this.parameterVersion = parameter.version;
  }
}
