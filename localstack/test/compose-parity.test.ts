/**
 * compose.yaml plays the ECS service and the ALB of the local profile; these tests fail when
 * it and the synthesized templates disagree.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnResource } from '@zama/infra';
import { parse } from 'yaml';
import { templatesOf } from './templates';

interface ComposeService {
  image?: string;
  command?: string[];
  cpus?: number;
  mem_limit?: string;
  deploy?: { replicas?: number };
  environment?: Record<string, string>;
  expose?: string[];
  ports?: string[];
  healthcheck?: { test: string[]; interval: string; timeout: string; retries: number; start_period: string };
  networks?: string[] | Record<string, { aliases?: string[] } | null>;
  restart?: string;
  secrets?: string[];
  init?: boolean;
}

const compose = parse(readFileSync(join(__dirname, '..', '..', 'compose.yaml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService>; networks?: Record<string, { internal?: boolean } | null> };
const templates = templatesOf('local');

const networksOf = ({ networks }: ComposeService) =>
  networks === undefined ? ['default'] : Array.isArray(networks) ? networks : Object.keys(networks);

function only(type: string): CfnResource {
  const found = Object.values(templates)
    .flatMap((template) => Object.values(template.Resources))
    .filter((resource) => resource.Type === type);
  expect(found).toHaveLength(1);
  return found[0];
}

interface ContainerDefinition {
  Name: string;
  Image: string;
  PortMappings: Array<{ ContainerPort: number }>;
  Environment: Array<{ Name: string; Value: string }>;
  Secrets?: Array<{ Name: string }>;
  HealthCheck: { Command: string[]; Interval: number; Timeout: number; Retries: number; StartPeriod: number };
}

const taskDefinition = only('AWS::ECS::TaskDefinition').Properties as {
  Cpu: string;
  Memory: string;
  ContainerDefinitions: ContainerDefinition[];
};
const container = taskDefinition.ContainerDefinitions.find((definition) => definition.Name === 'api');
const api = compose.services.api;
// Compose durations are written in seconds here ("5s").
const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1]);
// Compose's ${VAR:-default}: the default is what runs when nothing overrides it.
const withDefaults = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

describe('compose.yaml api service and the task definition', () => {
  it('runs the image of the task definition', () => {
    expect(withDefaults(api.image ?? '')).toBe(container?.Image);
  });

  it('runs as many tasks as the ECS service starts with: the minimum auto scaling keeps', () => {
    // Auto scaling owns the count, so the service has no DesiredCount (infra/README.md).
    expect(only('AWS::ECS::Service').Properties?.DesiredCount).toBeUndefined();
    const target = only('AWS::ApplicationAutoScaling::ScalableTarget').Properties as { MinCapacity: number };
    expect(api.deploy?.replicas).toBe(target.MinCapacity);
  });

  it('has the task CPU and memory as limits (1024 CPU units = 1 CPU)', () => {
    expect(api.cpus).toBe(Number(taskDefinition.Cpu) / 1024);
    expect(api.mem_limit).toBe(`${taskDefinition.Memory}m`);
  });

  it('sets exactly the environment of the container definition', () => {
    const environment = Object.fromEntries(
      (container?.Environment ?? []).map(({ Name, Value }) => [Name, Value]),
    );
    expect(api.environment).toEqual(environment);
  });

  it('exposes the container port, which is the target group port', () => {
    const ports = container?.PortMappings.map((mapping) => String(mapping.ContainerPort));
    expect(api.expose).toEqual(ports);
    const targetGroup = only('AWS::ElasticLoadBalancingV2::TargetGroup').Properties as { Port: number };
    expect(api.expose).toEqual([String(targetGroup.Port)]);
  });

  it('injects the container secrets through the ECS agent stand-in', () => {
    expect(container?.Secrets?.map((secret) => secret.Name)).toEqual(['API_KEYS']);
    expect(api.command?.slice(0, 2)).toEqual(['node', '/opt/platform/bin/launch-task.js']);
  });

  it('has the container health check of the task definition', () => {
    const check = container?.HealthCheck;
    expect(api.healthcheck?.test).toEqual(check?.Command);
    expect({
      interval: seconds(api.healthcheck?.interval ?? ''),
      timeout: seconds(api.healthcheck?.timeout ?? ''),
      retries: api.healthcheck?.retries,
      startPeriod: seconds(api.healthcheck?.start_period ?? ''),
    }).toEqual({
      interval: check?.Interval,
      timeout: check?.Timeout,
      retries: check?.Retries,
      startPeriod: check?.StartPeriod,
    });
  });
});

describe('compose.yaml alb service and the load balancer', () => {
  it('publishes the listener port', () => {
    const listener = only('AWS::ElasticLoadBalancingV2::Listener').Properties as { Port: number };
    const publishedContainerPorts = (compose.services.alb.ports ?? []).map((spec) => spec.split(':').pop());
    expect(publishedContainerPorts).toContain(String(listener.Port));
  });

  it('answers on the tasks network to the Cloud Map name the compute stack registers', () => {
    const discovery = only('AWS::ServiceDiscovery::Service').Properties as { Name: string };
    const namespace = only('AWS::ServiceDiscovery::PrivateDnsNamespace').Properties as { Name: string };
    const [network] = networksOf(api);
    const aliases = Array.isArray(api.networks) ? [] : (api.networks?.[network as string]?.aliases ?? []);
    expect(aliases).toEqual([`${discovery.Name}.${namespace.Name}`]);
  });
});

describe('compose.yaml scheduler service', () => {
  it('reaches the ALB admin endpoint and the Docker API, as the ECS scheduler reaches both', () => {
    const scheduler = compose.services.scheduler as ComposeService & { volumes?: string[] };
    expect(scheduler.environment?.ALB_ADMIN_URL).toBe('http://alb:8081');
    expect(scheduler.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
  });
});

describe('compose.yaml and the managed services it stands for', () => {
  it.each(['emulator', 'alb', 'monitor', 'scheduler'])(
    'restarts %s after a crash, as AWS keeps its services up',
    (service) => {
      expect(compose.services[service].restart).toBe('unless-stopped');
    },
  );

  it.each(['alb', 'monitor', 'scheduler'])(
    'runs %s under an init, so that its crash ends the container',
    (service) => {
      expect(compose.services[service].init).toBe(true);
    },
  );

  it('hands the ALB admin token to the ALB and the scheduler only', () => {
    const holders = Object.entries(compose.services)
      .filter(([, service]) => service.secrets?.includes('alb-admin-token'))
      .map(([name]) => name);
    expect(holders.sort()).toEqual(['alb', 'scheduler']);
    expect(compose.services.alb.environment?.ADMIN_TOKEN_FILE).toBe('/run/secrets/alb-admin-token');
  });
});

describe('compose.yaml alb service and service discovery', () => {
  it('discovers the api service by name, as Cloud Map would', () => {
    expect(compose.services.alb.environment?.TARGET_HOST).toBe('api');
  });
});

describe('compose.yaml networks and the security groups', () => {
  // The compose service each security group of the networking stack guards.
  const SERVICE_OF_SECURITY_GROUP: Record<string, string> = {
    AlbSecurityGroup: 'alb',
    ServiceSecurityGroup: 'api',
  };
  const resources = Object.values(templates).flatMap((template) => Object.entries(template.Resources));
  const serviceOf = (logicalId: string) =>
    Object.entries(SERVICE_OF_SECURITY_GROUP).find(([prefix]) => logicalId.startsWith(prefix))?.[1];
  const groupIdOf = (value: unknown) =>
    (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0] ?? '';

  it('puts the api tasks only with the services their security group admits', () => {
    // GIVEN the services whose security groups the task security group admits
    const admitted = new Set(
      resources
        .filter(([, resource]) => resource.Type === 'AWS::EC2::SecurityGroupIngress')
        .map(([, resource]) => resource.Properties as { GroupId: unknown; SourceSecurityGroupId?: unknown })
        .filter((rule) => serviceOf(groupIdOf(rule.GroupId)) === 'api')
        .map((rule) => serviceOf(groupIdOf(rule.SourceSecurityGroupId))),
    );
    // WHEN we list the services that share a network with the api tasks
    const apiNetworks = networksOf(compose.services.api);
    const neighbours = Object.entries(compose.services)
      .filter(([, service]) => networksOf(service).some((network) => apiNetworks.includes(network)))
      .map(([name]) => name);
    // THEN they are exactly those: the ALB and the tasks themselves
    expect(new Set(neighbours)).toEqual(admitted);
    expect([...admitted].sort()).toEqual(['alb', 'api']);
    expect(compose.services.api.ports).toBeUndefined();
  });

  it('gives the tasks no way out, like private subnets without a NAT gateway', () => {
    expect(resources.filter(([, resource]) => resource.Type === 'AWS::EC2::NatGateway')).toHaveLength(0);
    for (const network of networksOf(compose.services.api)) {
      expect(compose.networks?.[network]?.internal).toBe(true);
    }
  });
});
