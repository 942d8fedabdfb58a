import { leastPrivilegeViolations, policyStatements, type SynthesizedStack } from './synthesized-stack';

const stackWith = (resource: SynthesizedStack['resource']): SynthesizedStack => ({ resource, terraform: {} });
const rolePolicy = (statements: unknown[]): SynthesizedStack =>
  stackWith({
    aws_iam_role_policy: {
      app: { policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) },
    },
  });

describe('least-privilege audit of synthesized policies', () => {
  it('flags "*" and "<service>:*" actions in any Allow statement', () => {
    const stack = rolePolicy([
      { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::bucket/*' },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', '*'],
        Resource: 'arn:aws:dynamodb:us-east-1:1:table/t',
      },
    ]);
    expect(leastPrivilegeViolations(policyStatements(stack), [])).toEqual([
      'aws_iam_role_policy.app allows s3:*',
      'aws_iam_role_policy.app allows *',
    ]);
  });

  it('flags data actions on resource "*" in identity policies, except the allowed unscopable ones', () => {
    const stack = rolePolicy([
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: '*' },
    ]);
    expect(leastPrivilegeViolations(policyStatements(stack), ['ecr:GetAuthorizationToken'])).toEqual([
      'aws_iam_role_policy.app allows secretsmanager:GetSecretValue on resource *',
    ]);
  });

  it('accepts prefixed wildcards and deny statements (a TLS-only deny on s3:* is a safeguard)', () => {
    const stack = stackWith({
      aws_s3_bucket_policy: {
        tls: {
          policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' }],
          }),
        },
      },
      aws_kms_key: {
        key: {
          policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'kms:Describe*', Resource: '*' }],
          }),
        },
      },
    });
    expect(leastPrivilegeViolations(policyStatements(stack), [])).toEqual([]);
  });

  it('refuses a policy it cannot read rather than skipping it', () => {
    const stack = stackWith({
      aws_iam_role_policy: { app: { policy: '${data.aws_iam_policy_document.x.json}' } },
    });
    expect(() => policyStatements(stack)).toThrow(/not a JSON policy document/);
  });
});
