/**
 * The `scheduler` service of compose.yaml: the ECS service scheduler and Application Auto
 * Scaling for the api tasks (ecs/service-scheduler.ts, ecs/service-autoscaling.ts), driven by
 * the synthesized compute stack and run through the Docker API.
 *
 * Environment: AWS_ENDPOINT_URL (the emulator), AWS_REGION, AWS_EMULATOR, CLOUD_ASSEMBLY_DIR, DEPLOYED_NAMES_FILE,
 * ALB_ADMIN_URL (the simulated ALB's admin endpoint), ALB_ADMIN_TOKEN_FILE (its token), ADMIN_PORT (this service's, default 8082),
 * TASK_SERVICE (the compose service of the tasks, default `api`). The Docker socket must be
 * mounted; the compose project is read from this container's own labels.
 */
import { once } from 'node:events';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import Dockerode from 'dockerode';
import { readAdminToken } from '../admin-token';
import { loadAlbSettings } from '../alb/settings';
import { requiredEnv } from '../cli';
import { readCloudAssembly } from '../cloud-assembly';
import { readDeployedNames } from '../deployed-names-file';
import { AlbTargetGroup } from '../ecs/alb-target-group';
import { DockerTaskRuntime } from '../ecs/docker-task-runtime';
import { ServiceAutoScaling } from '../ecs/service-autoscaling';
import { readServiceDefinition } from '../ecs/service-definition';
import { ServiceScheduler } from '../ecs/service-scheduler';
import { ownComposeService } from '../ecs/task-containers';
import { selectEmulator } from '../emulator';
import { emulatorClients } from '../emulator-clients';
import { every, serviceLog } from '../long-running';
import { createSchedulerAdmin } from './admin';

export const DEFAULT_SCHEDULER_ADMIN_PORT = 8082;
const RECONCILE_INTERVAL_MS = 1000;
/** After a failed round (the Docker daemon restarting, the ALB away), the wait grows to this. */
const MAX_RETRY_INTERVAL_MS = 15_000;
/** The emulators' account, in the ARNs the events name. */
const EMULATOR_ACCOUNT = '000000000000';

export const log = serviceLog('scheduler');

export async function startScheduler(env: NodeJS.ProcessEnv): Promise<() => Promise<void>> {
  const cloudAssemblyDir = requiredEnv('CLOUD_ASSEMBLY_DIR', env);
  const definition = readServiceDefinition(readCloudAssembly(cloudAssemblyDir));
  const albSettings = loadAlbSettings(cloudAssemblyDir);
  const names = readDeployedNames(requiredEnv('DEPLOYED_NAMES_FILE', env));
  const region = env.AWS_REGION?.trim() || 'us-east-1';
  const docker = new Dockerode();
  const compose = await ownComposeService(docker, env.TASK_SERVICE?.trim() || 'api');

  const targetGroup = new AlbTargetGroup(
    requiredEnv('ALB_ADMIN_URL', env),
    readAdminToken('ALB_ADMIN_TOKEN_FILE', env),
    `arn:aws:elasticloadbalancing:${region}:${EMULATOR_ACCOUNT}:${names.targetGroupFullName}`,
  );
  const scheduler = new ServiceScheduler({
    definition,
    runtime: new DockerTaskRuntime({
      docker,
      compose,
      aliases: [compose.service, ...(definition.discoveryName ? [definition.discoveryName] : [])],
    }),
    targetGroup,
    deregistrationDelaySeconds: albSettings.targetGroup.deregistrationDelaySeconds,
    log,
  });
  const clients = emulatorClients();
  // Where the emulator serves ECS, its DescribeServices shows the desired count too.
  const mirrorDesiredCount = selectEmulator(env).servesEcs
    ? (count: number) =>
        clients.ecs
          .send(
            new UpdateServiceCommand({
              cluster: names.clusterName,
              service: names.serviceName,
              desiredCount: count,
            }),
          )
          .then(
            () => undefined,
            (error: Error) =>
              log({ event: 'desired-count-not-mirrored', desiredCount: count, error: error.message }),
          )
    : async () => undefined;
  const scaling = new ServiceAutoScaling({
    cloudWatch: clients.cloudWatch,
    definition,
    service: {
      clusterName: names.clusterName,
      serviceName: names.serviceName,
      region,
      account: EMULATOR_ACCOUNT,
    },
    desiredCount: () => scheduler.desiredCount,
    setDesiredCount: (count, cause) => {
      scheduler.setDesiredCount(count, cause);
      void mirrorDesiredCount(count);
    },
    log,
  });
  await scaling.putAlarms();
  await mirrorDesiredCount(scheduler.desiredCount);

  let failures = 0;
  const stopRounds = every(
    RECONCILE_INTERVAL_MS,
    'reconcile',
    async () => {
      try {
        await scheduler.reconcile();
        await scaling.evaluate(new Date());
        if (failures > 0) log({ event: 'reconcile-recovered', afterFailures: failures });
        failures = 0;
      } catch (error) {
        failures += 1;
        const retryInMs = Math.min(MAX_RETRY_INTERVAL_MS, RECONCILE_INTERVAL_MS * 2 ** failures);
        log({ event: 'reconcile-failed', error: (error as Error).message, retryInMs });
        await new Promise((resolve) => setTimeout(resolve, retryInMs));
      }
    },
    log,
  );

  const admin = createSchedulerAdmin(scheduler, scaling);
  const adminPort = Number(env.ADMIN_PORT?.trim() || DEFAULT_SCHEDULER_ADMIN_PORT);
  admin.listen(adminPort);
  await once(admin, 'listening');
  log({
    event: 'started',
    compose,
    adminPort,
    desiredCount: scheduler.desiredCount,
    definition,
    scalingAlarms: scaling.alarmNames,
  });

  // The tasks outlive the scheduler, as ECS tasks outlive a control-plane hiccup.
  return async () => {
    await stopRounds();
    await scheduler.settle();
    admin.close();
  };
}
