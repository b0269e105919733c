import type { AlarmKey } from './profiles';

/** Ports the seed's security groups open towards the tasks. */
export const PORTS = {
  /** The API (container port, target group port and the load balancer's HTTP listener). */
  api: 8080,
  /** The load balancer's HTTPS listener, where the profile has a certificate. */
  https: 443,
  /** Kong gateway proxy, for a Kong data plane in the cluster (future). */
  kongProxy: 8000,
  /** Kong admin API (future). */
  kongAdmin: 8001,
} as const;

/**
 * Physical names derived from a profile's prefix. They are the contract between the
 * stacks that cannot reference each other through CloudFormation (the dashboard in the
 * observability stack shows resources and alarms the compute stack creates later), with
 * operators, and with the local data plane, which finds resources by these names.
 * infra/README.md ("Physical names") lists which resources carry one and why.
 */
export interface PlatformNames {
  readonly cluster: string;
  readonly apiService: string;
  /** The Kong service the seed reserves names, logs and an alarm for; nothing runs it yet. */
  readonly kongService: string;
  readonly loadBalancer: string;
  /** Only the local profile names its target group (`service.namedTargetGroup`). */
  readonly targetGroup: string;
  /** Cloud Map private DNS namespace: the API answers at `api.<namespace>`. */
  readonly serviceDiscoveryNamespace: string;
  /** Namespace of the metrics the log metric filters publish. */
  readonly metricNamespace: string;
  readonly logGroups: {
    readonly flowLogs: string;
    readonly ecs: string;
    readonly api: string;
    readonly kong: string;
    readonly ecsExec: string;
  };
  readonly secrets: {
    readonly apiKeys: string;
    readonly databaseCredentials: string;
    readonly kongKonnectConfig: string;
  };
  /** SSM parameters one stack publishes for another to read at deploy time. */
  readonly parameters: {
    /** The ID of the n-th NAT gateway (0-based), for the dashboard. */
    natGatewayId(index: number): string;
  };
  alarm(key: AlarmKey): string;
}

export function platformNames(prefix: string): PlatformNames {
  return {
    cluster: prefix,
    apiService: `${prefix}-api`,
    kongService: `${prefix}-kong`,
    loadBalancer: `${prefix}-alb`,
    targetGroup: `${prefix}-api-tg`,
    serviceDiscoveryNamespace: `${prefix}.local`,
    metricNamespace: prefix,
    logGroups: {
      flowLogs: `/aws/vpc/flow-logs/${prefix}`,
      ecs: `/aws/ecs/${prefix}`,
      api: `/aws/ecs/${prefix}/api`,
      kong: `/aws/ecs/${prefix}/kong`,
      ecsExec: `/aws/ecs/${prefix}/exec`,
    },
    secrets: {
      apiKeys: `${prefix}/api-keys`,
      databaseCredentials: `${prefix}/database-credentials`,
      kongKonnectConfig: `${prefix}/kong-konnect-config`,
    },
    parameters: {
      natGatewayId: (index) => `/${prefix}/networking/nat-gateway-${index + 1}/id`,
    },
    alarm: (key) => `${prefix}-${key.replaceAll('_', '-')}`,
  };
}
