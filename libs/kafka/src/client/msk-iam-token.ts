import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';

/** AWS credentials as the SDK's providers return them. */
export interface AwsSigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Options of {@link mskIamAuthToken}. */
export interface MskIamTokenOptions {
  /** Region of the MSK cluster, e.g. `us-east-1`. */
  readonly region: string;
  /** Where the credentials come from (e.g. the SDK's default chain: the ECS task role). */
  readonly getCredentials: () => Promise<AwsSigningCredentials>;
}

/** An MSK IAM authentication token and when it stops being accepted. */
export interface MskIamToken {
  /** The SASL/OAUTHBEARER token: the base64url (unpadded) presigned `kafka-cluster:Connect` URL. */
  readonly token: string;
  /** Epoch ms after which the brokers refuse it. */
  readonly expiresAtMs: number;
}

/**
 * A token for Amazon MSK's IAM access control over SASL/OAUTHBEARER, made by AWS's own signer
 * (aws-msk-iam-sasl-signer-js, `generateAuthTokenFromCredentialsProvider`): a SigV4-presigned GET of
 * `https://kafka.<region>.amazonaws.com/?Action=kafka-cluster:Connect`, valid 15 minutes, base64url-encoded.
 * kafkajs asks for a new one on every (re)authentication.
 *
 * @throws the credential provider's error when no credentials can be found
 */
export async function mskIamAuthToken(options: MskIamTokenOptions): Promise<MskIamToken> {
  const { token, expiryTime } = await generateAuthTokenFromCredentialsProvider({
    region: options.region,
    awsCredentialsProvider: options.getCredentials,
  });
  return { token, expiresAtMs: expiryTime };
}
