import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/** The repository root (docker-compose.yml's folder). */
const WORKSPACE = join(__dirname, '..', '..', '..');

interface ComposeFile {
  services: Record<
    string,
    { environment?: Record<string, string | number | boolean | null>; volumes?: string[] }
  >;
}

/**
 * The environment docker-compose.yml gives `service`'s container, as the app would read it: YAML
 * merge keys applied (`<<: *app-environment`), `${VAR:-default}` interpolated with the default (the
 * file documents its variables' defaults; the caller's shell is not consulted), values as strings.
 * A path inside a bind-mounted folder (`./data:/app/data:ro`) is translated to the host folder, so
 * a schema that checks the path exists checks the folder the container would see.
 *
 * @throws Error when the file has no such service
 */
export function composeServiceEnvironment(
  service: string,
  file = join(WORKSPACE, 'docker-compose.yml'),
): Record<string, string> {
  const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
  const definition = compose.services[service];
  if (!definition) throw new Error(`${file} has no service ${service}`);
  const mounts = (definition.volumes ?? [])
    .map((volume) => volume.split(':'))
    .filter(([source]) => source?.startsWith('.') === true)
    .map(([source, target]) => ({ host: resolve(WORKSPACE, source as string), container: target as string }));
  const env: Record<string, string> = {};
  for (const [name, raw] of Object.entries(definition.environment ?? {})) {
    if (raw === null) continue;
    let value = String(raw).replace(
      /\$\{(\w+)(?::?-([^}]*))?\}/g,
      (_, _variable: string, fallback?: string) => fallback ?? '',
    );
    const mount = mounts.find(({ container }) => value === container || value.startsWith(`${container}/`));
    if (mount) value = mount.host + value.slice(mount.container.length);
    env[name] = value;
  }
  return env;
}

/** Variables the AWS SDK reads itself (credentials), which no service schema lists. */
export const AWS_SDK_ENV_NAMES: readonly string[] = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
];

/**
 * {@link composeServiceEnvironment} of `service`, and the variables set for it alone (not by the shared
 * `x-app-environment` block, which every app gets) that nobody reads: not in `schemaNames` (the app's
 * schema, see service-kit's envVarNames) nor read by the AWS SDK.
 */
export function composeEnvironmentFor(
  service: string,
  schemaNames: readonly string[],
  file = join(WORKSPACE, 'docker-compose.yml'),
): { env: Record<string, string>; unread: string[] } {
  const env = composeServiceEnvironment(service, file);
  // Without merge keys applied, the service's own mapping holds only its own variables (and `<<`).
  const unmerged = parse(readFileSync(file, 'utf8'), { merge: false }) as ComposeFile;
  const own = Object.keys(unmerged.services[service]?.environment ?? {}).filter((name) => name !== '<<');
  const unread = own.filter((name) => !schemaNames.includes(name) && !AWS_SDK_ENV_NAMES.includes(name));
  return { env, unread };
}
