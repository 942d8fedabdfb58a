/**
 * IAM policy documents as typed objects, rendered with JSON.stringify (CDKTF tokens inside strings,
 * e.g. a bucket ARN, resolve at synth). Keeping them as plain data lets the specs parse every policy of
 * the synthesized stacks and check that no Allow statement grants `*` or `<service>:*`.
 */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: { readonly AWS?: string | string[]; readonly Service?: string | string[] } | '*';
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | string[] | boolean>>>>;
}

/** An IAM policy document (identity, resource or trust policy). */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** Renders statements as a policy document string for a resource's `policy` argument. */
export function policyJson(statements: readonly PolicyStatement[]): string {
  const document: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  return JSON.stringify(document);
}

/** Trust policy letting an AWS service (e.g. `ecs-tasks.amazonaws.com`) assume a role. */
export function serviceTrustPolicy(service: string, condition?: PolicyStatement['Condition']): string {
  return policyJson([
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: 'sts:AssumeRole',
      ...(condition ? { Condition: condition } : {}),
    },
  ]);
}
