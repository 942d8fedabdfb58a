/**
 * What a per-service deploy does, computed without touching AWS: image tag, ECR repository and image
 * URI, ECS cluster, service and task-definition family, and the SSM parameters involved.
 *
 * The names follow the convention of the producer-account stack (infra/src/config/service-catalogue.ts,
 * `serviceDeploymentNames`), which also publishes them to SSM under `namesParameter`; a real deploy
 * reads them from there, a dry run uses this convention (checked against the synthesized stack by
 * deployment-plan.spec.ts).
 */

/** Where and what to deploy. */
export interface DeployTarget {
  /** Nx app name = ECS service name, e.g. `enricher`. */
  readonly service: string;
  /** Deployment environment, e.g. `prod`. */
  readonly environment: string;
  /** AWS region, e.g. `us-east-1`. */
  readonly region: string;
  /** 12-digit account id; unknown in a dry run without credentials. */
  readonly accountId?: string;
  /** Immutable image tag (see {@link imageTagFor}). */
  readonly imageTag: string;
}

/** The names a deploy uses, as the stack publishes them. */
export interface DeploymentNames {
  readonly cluster: string;
  readonly service: string;
  readonly repository: string;
  readonly taskFamily: string;
  readonly logGroup: string;
  readonly namesParameter: string;
  readonly imageTagParameter: string;
  /** KMS key (alias) the parameters are encrypted with (SecureString). */
  readonly parameterKey: string;
}

/** A deploy, step by step. */
export interface DeployPlan {
  readonly names: DeploymentNames;
  readonly imageTag: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com`, with `<account-id>` when unknown. */
  readonly registry: string;
  /** Tag `docker build` gives the image locally (repository name and tag). */
  readonly localImage: string;
  /** Image pushed and run. */
  readonly imageUri: string;
  readonly region: string;
}

/** Deployment names of `service` in `environment`, by the stack's convention. */
export function conventionalNames(environment: string, service: string): DeploymentNames {
  return {
    cluster: `tickwire-${environment}`,
    service,
    repository: `tickwire/${service}`,
    taskFamily: `tickwire-${environment}-${service}`,
    logGroup: `/tickwire/${environment}/${service}`,
    namesParameter: `/tickwire/${environment}/deploy/${service}/names`,
    imageTagParameter: `/tickwire/${environment}/deploy/${service}/image-tag`,
    parameterKey: `alias/tickwire-${environment}`,
  };
}

/**
 * Image tag of a build: the 12-character commit id, with `-dirty` when the working tree has
 * uncommitted changes (a real deploy refuses those: an immutable tag must name one source state).
 *
 * @throws RangeError when the commit id is not 7-40 hex characters.
 */
export function imageTagFor(commit: string, dirty: boolean): string {
  if (!/^[0-9a-f]{7,40}$/.test(commit)) throw new RangeError(`not a git commit id: "${commit}"`);
  return `${commit.slice(0, 12)}${dirty ? '-dirty' : ''}`;
}

/**
 * The deploy plan of a target.
 *
 * @param names names read from SSM; defaults to {@link conventionalNames}.
 * @throws RangeError when the account id is given but not 12 digits.
 */
export function planDeployment(
  target: DeployTarget,
  names = conventionalNames(target.environment, target.service),
): DeployPlan {
  if (target.accountId !== undefined && !/^\d{12}$/.test(target.accountId)) {
    throw new RangeError(`AWS account id must be 12 digits, got "${target.accountId}"`);
  }
  const registry = `${target.accountId ?? '<account-id>'}.dkr.ecr.${target.region}.amazonaws.com`;
  return {
    names,
    imageTag: target.imageTag,
    registry,
    localImage: `${names.repository}:${target.imageTag}`,
    imageUri: `${registry}/${names.repository}:${target.imageTag}`,
    region: target.region,
  };
}

/** Human-readable plan, printed by `deploy --dry-run` and before a real deploy. */
export function describePlan(plan: DeployPlan): string {
  const { names } = plan;
  return [
    `service:          ${names.service}`,
    `image tag:        ${plan.imageTag}`,
    `ECR repository:   ${names.repository} (${plan.registry})`,
    `image:            ${plan.imageUri}`,
    `ECS cluster:      ${names.cluster}`,
    `ECS service:      ${names.service}`,
    `task definition:  ${names.taskFamily} (new revision with the image above)`,
    `steps:`,
    `  1. docker push ${plan.imageUri}`,
    `  2. aws ssm put-parameter --name ${names.imageTagParameter} --value ${plan.imageTag} --type SecureString --key-id ${names.parameterKey} --overwrite`,
    `  3. aws ecs register-task-definition (family ${names.taskFamily}, container ${names.service} -> ${plan.imageUri})`,
    `  4. aws ecs update-service --cluster ${names.cluster} --service ${names.service} --task-definition <new revision> --force-new-deployment`,
  ].join('\n');
}

/** Read-only fields of `describe-task-definition` that `register-task-definition` rejects. */
const READ_ONLY_TASK_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
] as const;

/**
 * Input of `aws ecs register-task-definition --cli-input-json` for a new revision that runs `image` in
 * container `containerName`, everything else copied from the current revision.
 *
 * @param current `taskDefinition` object of `aws ecs describe-task-definition`.
 * @throws Error when the task definition has no container of that name.
 */
export function nextTaskDefinition(
  current: Record<string, unknown>,
  containerName: string,
  image: string,
): Record<string, unknown> {
  const containers = current['containerDefinitions'];
  if (!Array.isArray(containers) || !containers.some((c: { name?: string }) => c.name === containerName)) {
    throw new Error(`task definition ${String(current['family'])} has no container "${containerName}"`);
  }
  const next: Record<string, unknown> = { ...current };
  for (const field of READ_ONLY_TASK_FIELDS) delete next[field];
  next['containerDefinitions'] = containers.map((c: { name?: string }) =>
    c.name === containerName ? { ...c, image } : c,
  );
  return next;
}
