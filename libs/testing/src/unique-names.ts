import { randomBytes } from 'node:crypto';

/** Short random token of this test process: names from two runs (or two Jest workers) never collide. */
const PROCESS_TOKEN = randomBytes(4).toString('hex');
let counter = 0;

/**
 * A name unique to this test process and call, valid at once as a Kafka topic, an OpenSearch index,
 * an S3 bucket, a DynamoDB table and a consumer group: lowercase letters, digits and hyphens,
 * starting with a letter, at most 63 characters (the S3 bucket limit).
 *
 * @param prefix e.g. `it-kafka`; lowercased, other characters become hyphens.
 * @throws RangeError when the prefix leaves no room for the unique suffix.
 */
export function uniqueName(prefix: string): string {
  counter += 1;
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '');
  const name = `${clean || 'it'}-${PROCESS_TOKEN}-${Date.now().toString(36)}-${counter}`;
  if (name.length > 63) throw new RangeError(`prefix "${prefix}" is too long for a unique name (max 63 chars)`);
  return name;
}
