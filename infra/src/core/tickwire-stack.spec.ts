import { Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { TickwireStack, type TickwireStackProps } from './tickwire-stack';

class EmptyStack extends TickwireStack {
  constructor(scope: Construct, id: string, props: TickwireStackProps) {
    super(scope, id, props);
  }
}

describe('TickwireStack', () => {
  it('tags everything through the provider and keeps state per stack', () => {
    const stack = JSON.parse(
      Testing.synth(
        new EmptyStack(Testing.app(), 'edge', {
          environment: 'staging',
          region: 'eu-west-1',
          backend: { kind: 's3', bucket: 'state-bucket', useLockfile: true },
        }),
      ),
    ) as {
      provider: { aws: { region: string; default_tags: { tags: Record<string, string> }[] }[] };
      terraform: { backend: Record<string, unknown> };
    };
    expect(stack.provider.aws[0]).toMatchObject({
      region: 'eu-west-1',
      default_tags: [{ tags: { Project: 'tickwire', Environment: 'staging', Stack: 'edge' } }],
    });
    expect(stack.terraform.backend).toEqual({
      s3: {
        bucket: 'state-bucket',
        key: 'edge/terraform.tfstate',
        region: 'eu-west-1',
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  it('rejects an environment name that would make invalid resource names', () => {
    expect(() => new EmptyStack(Testing.app(), 'x', { environment: 'Prod_1', region: 'us-east-1' })).toThrow(
      RangeError,
    );
  });
});
