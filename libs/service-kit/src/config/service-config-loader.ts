import { z } from 'zod';

/** One invalid environment variable and why. */
export interface ConfigProblem {
  variable: string;
  reason: string;
}

/**
 * Thrown by {@link loadServiceConfig} when the environment does not satisfy the service's schema.
 * The message names every offending variable on one line (one log line), e.g.
 * `Invalid configuration for enricher: KAFKA_BROKERS must list at least one broker as host:port`.
 */
export class ServiceConfigError extends Error {
  override readonly name = 'ServiceConfigError';

  constructor(
    readonly service: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid configuration for ${service}: ${problems.map(({ variable, reason }) => `${variable} ${reason}`).join('; ')}`,
    );
  }
}

/**
 * Parses `env` with `schema`. Empty optional variables are not special-cased: `KAFKA_BROKERS=` is
 * an error, not "use the default", so a deployment typo fails loudly.
 *
 * @returns the typed, defaulted configuration.
 * @throws ServiceConfigError naming each invalid or missing variable.
 */
export function loadServiceConfig<Schema extends z.ZodType>(
  service: string,
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): z.output<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)';
    const unset = issue.path.length === 1 && env[variable] === undefined && issue.code === 'invalid_type';
    return { variable, reason: unset ? 'is required but not set' : issue.message };
  });
  throw new ServiceConfigError(service, problems);
}

/**
 * Names of the variables `schema` reads, sorted; for tools that check docker-compose files or task
 * definitions against the code. Works for object schemas, also when wrapped in refinements.
 *
 * @throws Error when `schema` is not (a refinement of) a zod object.
 */
export function envVarNames(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (!shape) throw new Error('envVarNames: schema is not a zod object schema');
  return Object.keys(shape).sort();
}
