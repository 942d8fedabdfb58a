/** Static AWS credentials (structurally the SDK's AwsCredentialIdentity). */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where the AWS services are: what the validated service config provides. */
export interface AwsConnectionOptions {
  /** AWS region, e.g. `us-east-1`. */
  region: string;
  /**
   * Endpoint override for a local emulator (DynamoDB Local, an S3 mock), e.g. `http://127.0.0.1:8000`.
   * Omit to use the region's real AWS endpoint.
   */
  endpoint?: string;
  /**
   * Explicit credentials. Omit to use the SDK's default provider chain (env, profile, IMDS/ECS role);
   * with an `endpoint` and no `AWS_ACCESS_KEY_ID` in the environment, placeholder credentials are used,
   * since local emulators accept any signature but the SDK refuses to sign without one.
   */
  credentials?: AwsCredentialIdentity;
}

/**
 * Placeholder credentials for local emulators; never valid against AWS. Letters and digits only:
 * DynamoDB Local 2.x rejects access key ids with other characters ("The Access Key ID or security
 * token is invalid").
 */
export const LOCAL_EMULATOR_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'tickwirelocal',
  secretAccessKey: 'tickwirelocal',
};

/**
 * The credentials to configure for `options`: explicit ones, else the local placeholder when an
 * endpoint override is set and the environment has no access key, else undefined (SDK default chain).
 */
export function resolveCredentials(
  options: AwsConnectionOptions,
  env: NodeJS.ProcessEnv = process.env,
): AwsCredentialIdentity | undefined {
  if (options.credentials) return options.credentials;
  if (options.endpoint && !env['AWS_ACCESS_KEY_ID']) return LOCAL_EMULATOR_CREDENTIALS;
  return undefined;
}
