/**
 * Parity with the seed (seed/INFRASTRUCTURE.md): every row of its resource inventory,
 * security-group rule list, container definition, alarm table and secret contents, and how
 * to find its counterpart in the synthesized templates (a resource, or a property of one where
 * CloudFormation folds the Terraform resource in). docs/inventory.md is rendered from this by
 * `npm run inventory`, and test/parity.test.ts fails when a row loses its counterpart.
 */
import type { CfnTemplate, Module } from './synthesize';

export type Templates = Readonly<Record<Module, CfnTemplate>>;

export type Section =
  | 'Resource inventory'
  | 'Security group rules'
  | 'Container definition'
  | 'Alarms'
  | 'Secret contents';

export interface Counterpart {
  readonly module: Module;
  readonly logicalId: string;
  readonly type: string;
  /** Set when the seed row is a property of the resource rather than the resource itself. */
  readonly property?: string;
}

export interface SeedRow {
  /** The seed module (Terraform state) the row belongs to. */
  readonly module: Module;
  readonly section: Section;
  /** The seed's name for it: a Terraform address, a rule, a container field. */
  readonly seed: string;
  readonly purpose: string;
  /** Terraform instances the seed lists (`[0-1]` is 2); only resource inventory rows count. */
  readonly instances?: number;
  readonly find: (templates: Templates) => Counterpart[];
  /** How the counterpart differs from the seed, and why. */
  readonly note?: string;
}

/** The seed's own totals ("Infrastructure Summary"), per module. */
export const SEED_CLAIMED_TOTALS: Readonly<Record<Module, number>> = {
  networking: 23,
  compute: 15,
  observability: 17,
  secrets: 8,
};

type Properties = Record<string, unknown>;
type Where = (properties: Properties, template: CfnTemplate) => boolean;

/** The value at a path like `ContainerDefinitions.0.HealthCheck.Interval`. */
function valueAt(properties: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], properties);
}

function resources(module: Module, type: string, where: Where = () => true) {
  return (templates: Templates): Counterpart[] => {
    const template = templates[module];
    return Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === type && where(resource.Properties ?? {}, template))
      .map(([logicalId]) => ({ module, logicalId, type }));
  };
}

/** The property `path` of the resources that have it and satisfy `where`. */
function property(
  module: Module,
  type: string,
  path: string,
  where: (value: unknown, properties: Properties) => boolean = () => true,
) {
  return (templates: Templates): Counterpart[] =>
    resources(module, type, (properties) => {
      const value = valueAt(properties, path);
      return value !== undefined && where(value, properties);
    })(templates).map((counterpart) => ({ ...counterpart, property: path }));
}

const equals = (expected: unknown) => (value: unknown) => JSON.stringify(value) === JSON.stringify(expected);
const refTo = (logicalIds: readonly string[]) => (value: unknown) =>
  logicalIds.includes((value as { Ref?: string } | undefined)?.Ref ?? '');
const getAttOf = (logicalIds: readonly string[]) => (value: unknown) =>
  logicalIds.includes(((value as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt'] ?? [])[0] ?? '');
const logicalIds = (counterparts: Counterpart[]) => counterparts.map((counterpart) => counterpart.logicalId);
const all =
  (...finders: Array<(templates: Templates) => Counterpart[]>) =>
  (templates: Templates) =>
    finders.flatMap((find) => find(templates));

// Networking lookups shared by several rows.
const subnets = (mapPublicIp: boolean) =>
  resources('networking', 'AWS::EC2::Subnet', (p) => p.MapPublicIpOnLaunch === mapPublicIp);
const routeTablesOf = (mapPublicIp: boolean) => (templates: Templates) => {
  const subnetIds = logicalIds(subnets(mapPublicIp)(templates));
  const associations = resources('networking', 'AWS::EC2::SubnetRouteTableAssociation', (p) =>
    refTo(subnetIds)(p.SubnetId),
  )(templates);
  const tableIds = associations.map((association) =>
    valueAt(templates.networking.Resources[association.logicalId]?.Properties, 'RouteTableId.Ref'),
  );
  const tables = resources(
    'networking',
    'AWS::EC2::RouteTable',
  )(templates).filter((c) => tableIds.includes(c.logicalId));
  return { associations, tables };
};
const securityGroup = (descriptionPrefix: string) =>
  resources('networking', 'AWS::EC2::SecurityGroup', (p) =>
    String(p.GroupDescription).startsWith(descriptionPrefix),
  );
const ALB_GROUP = 'Load balancer';
const SERVICE_GROUP = 'API tasks';

/** An inline rule of a security group, as `SecurityGroupIngress.<i>` / `SecurityGroupEgress.<i>`. */
function inlineRule(
  groupDescription: string,
  list: 'SecurityGroupIngress' | 'SecurityGroupEgress',
  rule: Properties,
) {
  return (templates: Templates): Counterpart[] =>
    securityGroup(groupDescription)(templates).flatMap((group) => {
      const rules = (templates.networking.Resources[group.logicalId]?.Properties?.[list] ??
        []) as Properties[];
      return rules
        .map((candidate, index) => ({ candidate, index }))
        .filter(({ candidate }) => Object.entries(rule).every(([key, value]) => candidate[key] === value))
        .map(({ index }) => ({ ...group, property: `${list}.${index}` }));
    });
}

/** A separate ingress resource into the service group from `source` on `port` (undefined: all traffic). */
function serviceIngress(sourceGroup: string, port: number | undefined) {
  return (templates: Templates): Counterpart[] => {
    const target = logicalIds(securityGroup(SERVICE_GROUP)(templates));
    const source = logicalIds(securityGroup(sourceGroup)(templates));
    return resources(
      'networking',
      'AWS::EC2::SecurityGroupIngress',
      (p) =>
        getAttOf(target)(p.GroupId) &&
        getAttOf(source)(p.SourceSecurityGroupId) &&
        (port === undefined
          ? p.IpProtocol === '-1'
          : p.IpProtocol === 'tcp' && p.FromPort === port && p.ToPort === port),
    )(templates);
  };
}

/** A log group by the shape of its name (the prefix left out). */
const logGroup = (module: Module, pattern: RegExp) =>
  resources(module, 'AWS::Logs::LogGroup', (p) => pattern.test(String(p.LogGroupName)));

/** The execution or task role, found through the task definition. */
function taskRole(kind: 'ExecutionRoleArn' | 'TaskRoleArn') {
  return (templates: Templates): Counterpart[] => {
    const taskDefinitions = Object.values(templates.compute.Resources).filter(
      (r) => r.Type === 'AWS::ECS::TaskDefinition',
    );
    const roleIds = taskDefinitions.map((r) => valueAt(r.Properties, `${kind}.Fn::GetAtt.0`));
    return resources('compute', 'AWS::IAM::Role')(templates).filter((c) => roleIds.includes(c.logicalId));
  };
}

function rolePolicy(kind: 'ExecutionRoleArn' | 'TaskRoleArn', grants: (statements: Properties[]) => boolean) {
  return (templates: Templates): Counterpart[] => {
    const roles = logicalIds(taskRole(kind)(templates));
    return resources('compute', 'AWS::IAM::Policy', (p) => {
      const attached = ((p.Roles ?? []) as unknown[]).some(refTo(roles));
      const statements = (valueAt(p, 'PolicyDocument.Statement') ?? []) as Properties[];
      return attached && grants(statements);
    })(templates);
  };
}
const actionsOf = (statements: Properties[]) => statements.flatMap((s) => [s.Action].flat() as string[]);

const container = (path: string, expected?: unknown) =>
  property(
    'compute',
    'AWS::ECS::TaskDefinition',
    `ContainerDefinitions.0.${path}`,
    expected === undefined ? undefined : equals(expected),
  );
const environment = (name: string, value: string) => (templates: Templates) =>
  resources(
    'compute',
    'AWS::ECS::TaskDefinition',
  )(templates).flatMap((taskDefinition) => {
    const variables = (valueAt(
      templates.compute.Resources[taskDefinition.logicalId]?.Properties,
      'ContainerDefinitions.0.Environment',
    ) ?? []) as Array<{ Name: string; Value: string }>;
    const index = variables.findIndex((variable) => variable.Name === name && variable.Value === value);
    return index < 0 ? [] : [{ ...taskDefinition, property: `ContainerDefinitions.0.Environment.${index}` }];
  });

function alarm(suffix: string, metric: string, comparison: string, threshold: number) {
  return resources(
    'compute',
    'AWS::CloudWatch::Alarm',
    (p) =>
      String(p.AlarmName).endsWith(`-${suffix}`) &&
      p.MetricName === metric &&
      p.ComparisonOperator === comparison &&
      p.Threshold === threshold,
  );
}

const secret = (name: string) =>
  resources('secrets', 'AWS::SecretsManager::Secret', (p) => String(p.Name).endsWith(`/${name}`));
const secretProperty =
  (name: string, path: string, where?: (value: unknown) => boolean) => (templates: Templates) =>
    property(
      'secrets',
      'AWS::SecretsManager::Secret',
      path,
      where,
    )(templates).filter((c) => logicalIds(secret(name)(templates)).includes(c.logicalId));

/** Why an alarm differs from the seed's row, where it does. */
const ALARM_NOTES: Readonly<Partial<Record<string, string>>> = {
  no_healthy_targets:
    'Dimensions `LoadBalancer=app/<name>/<id>`, `TargetGroup=targetgroup/<name>/<id>` (the seed used bare names, which never receive data).',
  unhealthy_tasks: 'Namespace `ECS/ContainerInsights` (the seed used `AWS/ECS`, which has no such metric).',
  health_endpoint_slow_response:
    'Load balancers publish no per-path metric: the slowest response above the 5 s health-check timeout stands for a slow health endpoint.',
  kong_cpu_high:
    'Watches `ServiceName=<prefix>-kong` in the cluster; no Kong service runs yet, so it stays OK.',
};

export const SEED_ROWS: readonly SeedRow[] = [
  // Networking module: resource inventory.
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_vpc.main',
    purpose: 'VPC 10.0.0.0/16',
    find: resources('networking', 'AWS::EC2::VPC', (p) => p.CidrBlock === '10.0.0.0/16'),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_internet_gateway.main',
    purpose: 'Internet access for the public subnets',
    find: all(
      resources('networking', 'AWS::EC2::InternetGateway'),
      resources('networking', 'AWS::EC2::VPCGatewayAttachment'),
    ),
    note: 'CloudFormation attaches the gateway with a separate resource (Terraform folds it into `vpc_id`).',
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_subnet.public[0-1]',
    purpose: 'Public subnets 10.0.1.0/24, 10.0.2.0/24',
    instances: 2,
    find: resources(
      'networking',
      'AWS::EC2::Subnet',
      (p) => ['10.0.1.0/24', '10.0.2.0/24'].includes(String(p.CidrBlock)) && p.MapPublicIpOnLaunch === true,
    ),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_subnet.private[0-1]',
    purpose: 'Private subnets 10.0.10.0/24, 10.0.20.0/24',
    instances: 2,
    find: resources(
      'networking',
      'AWS::EC2::Subnet',
      (p) =>
        ['10.0.10.0/24', '10.0.20.0/24'].includes(String(p.CidrBlock)) && p.MapPublicIpOnLaunch === false,
    ),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_eip.nat[0-1]',
    purpose: 'Elastic IPs of the NAT gateways',
    instances: 2,
    find: resources('networking', 'AWS::EC2::EIP'),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_nat_gateway.main[0-1]',
    purpose: 'Outbound internet for the private subnets',
    instances: 2,
    find: resources('networking', 'AWS::EC2::NatGateway'),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_route_table.public',
    purpose: 'Routes to the internet gateway',
    instances: 1,
    find: all(
      (t) => routeTablesOf(true)(t).tables,
      resources('networking', 'AWS::EC2::Route', (p) => p.GatewayId !== undefined),
    ),
    note: 'The CDK gives each public subnet its own table with the same route; the default route is an `AWS::EC2::Route` (inline in Terraform).',
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_route_table.private[0-1]',
    purpose: 'Routes to the NAT gateways',
    instances: 2,
    find: all(
      (t) => routeTablesOf(false)(t).tables,
      resources('networking', 'AWS::EC2::Route', (p) => p.NatGatewayId !== undefined),
    ),
    note: "The default route through the zone's NAT gateway is an `AWS::EC2::Route`.",
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_route_table_association.public[0-1]',
    purpose: 'Public subnets to their route table',
    instances: 2,
    find: (t) => routeTablesOf(true)(t).associations,
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_route_table_association.private[0-1]',
    purpose: 'Private subnets to their route tables',
    instances: 2,
    find: (t) => routeTablesOf(false)(t).associations,
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_security_group.alb',
    purpose: 'Inbound traffic to the load balancer',
    find: securityGroup(ALB_GROUP),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_security_group.ecs_tasks',
    purpose: 'Traffic to the ECS tasks',
    find: securityGroup(SERVICE_GROUP),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_s3_bucket.alb_logs',
    purpose: 'Load balancer access logs',
    find: resources('networking', 'AWS::S3::Bucket'),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_s3_bucket_versioning.alb_logs',
    purpose: 'Versioning of the log bucket',
    find: property('networking', 'AWS::S3::Bucket', 'VersioningConfiguration.Status', equals('Enabled')),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_s3_bucket_server_side_encryption_configuration.alb_logs',
    purpose: 'Encryption of the logs at rest',
    find: property('networking', 'AWS::S3::Bucket', 'BucketEncryption'),
    note: 'SSE-S3: load balancers cannot write to buckets encrypted with KMS keys. Public access is blocked too (`PublicAccessBlockConfiguration`).',
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_s3_bucket_lifecycle_configuration.alb_logs',
    purpose: 'Deletes logs after 30 days',
    find: property(
      'networking',
      'AWS::S3::Bucket',
      'LifecycleConfiguration.Rules.0.ExpirationInDays',
      equals(30),
    ),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_s3_bucket_policy.alb_logs',
    purpose: 'Lets the load balancer write logs',
    find: resources('networking', 'AWS::S3::BucketPolicy'),
    note: 'Also denies any request without TLS.',
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_cloudwatch_log_group.vpc_flow_log',
    purpose: 'VPC flow log storage',
    find: resources('networking', 'AWS::Logs::LogGroup', (p) =>
      String(p.LogGroupName).startsWith('/aws/vpc/flow-logs/'),
    ),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_flow_log.vpc',
    purpose: 'Network traffic monitoring',
    find: resources('networking', 'AWS::EC2::FlowLog', (p) => p.TrafficType === 'ALL'),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_iam_role.flow_log',
    purpose: 'Role of the flow logs',
    find: resources('networking', 'AWS::IAM::Role', (p) =>
      JSON.stringify(p.AssumeRolePolicyDocument).includes('vpc-flow-logs.amazonaws.com'),
    ),
  },
  {
    module: 'networking',
    section: 'Resource inventory',
    seed: 'aws_iam_role_policy.flow_log',
    purpose: 'CloudWatch Logs write permissions',
    find: resources('networking', 'AWS::IAM::Policy', (p) =>
      actionsOf((valueAt(p, 'PolicyDocument.Statement') ?? []) as Properties[]).includes('logs:PutLogEvents'),
    ),
  },

  // Networking module: security group rules.
  {
    module: 'networking',
    section: 'Security group rules',
    seed: 'ALB ← 205.234.240.62/32:8080',
    purpose: 'Kong Konnect',
    find: inlineRule(ALB_GROUP, 'SecurityGroupIngress', {
      CidrIp: '205.234.240.62/32',
      FromPort: 8080,
      ToPort: 8080,
    }),
    note: 'Address from the profile (`ingress.kongKonnectCidrs`).',
  },
  {
    module: 'networking',
    section: 'Security group rules',
    seed: 'ALB ← 88.181.233.30/32:8080',
    purpose: 'Management access',
    find: inlineRule(ALB_GROUP, 'SecurityGroupIngress', {
      CidrIp: '88.181.233.30/32',
      FromPort: 8080,
      ToPort: 8080,
    }),
    note: 'Address from the profile (`ingress.adminCidrs`).',
  },
  {
    module: 'networking',
    section: 'Security group rules',
    seed: 'ALB ← VPC CIDR:8080',
    purpose: 'Internal health checks',
    find: inlineRule(ALB_GROUP, 'SecurityGroupIngress', {
      CidrIp: '10.0.0.0/16',
      FromPort: 8080,
      ToPort: 8080,
    }),
  },
  {
    module: 'networking',
    section: 'Security group rules',
    seed: 'ALB → 0.0.0.0/0',
    purpose: 'Unrestricted egress',
    find: inlineRule(ALB_GROUP, 'SecurityGroupEgress', { CidrIp: '0.0.0.0/0', IpProtocol: '-1' }),
  },
  {
    module: 'networking',
    section: 'Security group rules',
    seed: 'ECS ← ALB SG:8080',
    purpose: 'HTTP from the load balancer',
    find: serviceIngress(ALB_GROUP, 8080),
  },
  {
    module: 'networking',
    section: 'Security group rules',
    seed: 'ECS ← ALB SG:8000',
    purpose: 'Kong gateway',
    find: serviceIngress(ALB_GROUP, 8000),
  },
  {
    module: 'networking',
    section: 'Security group rules',
    seed: 'ECS ← ALB SG:8001',
    purpose: 'Kong admin',
    find: serviceIngress(ALB_GROUP, 8001),
  },
  {
    module: 'networking',
    section: 'Security group rules',
    seed: 'ECS ← ECS SG (self)',
    purpose: 'Inter-service',
    find: serviceIngress(SERVICE_GROUP, undefined),
  },
  {
    module: 'networking',
    section: 'Security group rules',
    seed: 'ECS → 0.0.0.0/0',
    purpose: 'Unrestricted egress',
    find: inlineRule(SERVICE_GROUP, 'SecurityGroupEgress', { CidrIp: '0.0.0.0/0', IpProtocol: '-1' }),
  },

  // Compute module: resource inventory.
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_ecs_cluster.main',
    purpose: 'Container orchestration cluster',
    find: resources('compute', 'AWS::ECS::Cluster'),
    note: 'With Container Insights, which publishes `RunningTaskCount`.',
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_ecs_service.api',
    purpose: 'Runs the API tasks',
    find: resources('compute', 'AWS::ECS::Service'),
    note: 'Deployment circuit breaker with rollback, ECS Exec enabled.',
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_ecs_task_definition.api',
    purpose: 'API container specification',
    find: resources('compute', 'AWS::ECS::TaskDefinition'),
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_cloudwatch_log_group.ecs_exec',
    purpose: 'ECS Exec session logs',
    find: all(
      logGroup('compute', /^\/aws\/ecs\/[^/]+\/exec$/),
      property('compute', 'AWS::ECS::Cluster', 'Configuration.ExecuteCommandConfiguration.LogConfiguration'),
    ),
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_service_discovery_private_dns_namespace.main',
    purpose: 'Private DNS namespace',
    find: resources('compute', 'AWS::ServiceDiscovery::PrivateDnsNamespace', (p) =>
      String(p.Name).endsWith('.local'),
    ),
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_service_discovery_service.api',
    purpose: 'api.zama-api-platform-dev.local',
    find: resources('compute', 'AWS::ServiceDiscovery::Service', (p) => p.Name === 'api'),
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_lb.main',
    purpose: 'Application load balancer',
    find: resources('compute', 'AWS::ElasticLoadBalancingV2::LoadBalancer'),
    note: 'Access logs to the networking bucket are load balancer attributes.',
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_lb_target_group.api',
    purpose: 'API targets, health check on /healthz',
    find: resources(
      'compute',
      'AWS::ElasticLoadBalancingV2::TargetGroup',
      (p) => p.HealthCheckPath === '/healthz',
    ),
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_lb_listener.api',
    purpose: 'Routes traffic to the API',
    find: resources('compute', 'AWS::ElasticLoadBalancingV2::Listener', (p) => p.Port === 8080),
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_appautoscaling_target.api',
    purpose: 'Scaling between 1 and 5 tasks',
    find: resources(
      'compute',
      'AWS::ApplicationAutoScaling::ScalableTarget',
      (p) => p.MinCapacity === 1 && p.MaxCapacity === 5,
    ),
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_appautoscaling_policy.api_cpu',
    purpose: 'CPU target tracking at 70 %',
    find: resources(
      'compute',
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      (p) =>
        valueAt(
          p,
          'TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType',
        ) === 'ECSServiceAverageCPUUtilization' &&
        valueAt(p, 'TargetTrackingScalingPolicyConfiguration.TargetValue') === 70,
    ),
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_appautoscaling_policy.api_memory',
    purpose: 'Memory target tracking at 70 %',
    find: resources(
      'compute',
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      (p) =>
        valueAt(
          p,
          'TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType',
        ) === 'ECSServiceAverageMemoryUtilization' &&
        valueAt(p, 'TargetTrackingScalingPolicyConfiguration.TargetValue') === 70,
    ),
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_iam_role.ecs_task_execution_role',
    purpose: 'Task startup permissions',
    find: taskRole('ExecutionRoleArn'),
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_iam_role.ecs_task_role',
    purpose: 'Task runtime permissions',
    find: taskRole('TaskRoleArn'),
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_iam_role_policy_attachment.ecs_task_execution_role_policy',
    purpose: 'AWS managed AmazonECSTaskExecutionRolePolicy',
    find: rolePolicy('ExecutionRoleArn', (statements) => actionsOf(statements).includes('logs:PutLogEvents')),
    note: "Replaced by the execution role's own policy with the part of the managed policy this task uses: writing to its log group, and pulling the API image from the bootstrap ECR repository (the image asset) or the one a profile names.",
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_iam_role_policy.ecs_task_execution_secrets',
    purpose: 'Secrets Manager access',
    find: rolePolicy('ExecutionRoleArn', (statements) =>
      statements.some(
        (s) =>
          actionsOf([s]).includes('secretsmanager:GetSecretValue') &&
          /:secret:[^/]+\/api-keys-\?{6}"/.test(JSON.stringify(s.Resource)),
      ),
    ),
    note: 'A statement of the same policy, limited to the API keys secret.',
  },
  {
    module: 'compute',
    section: 'Resource inventory',
    seed: 'aws_iam_role_policy.ecs_task_policy',
    purpose: 'CloudWatch logging permissions',
    find: rolePolicy('TaskRoleArn', (statements) => actionsOf(statements).includes('logs:PutLogEvents')),
    note: 'ECS Exec channels and session logging to the exec log group.',
  },

  // Compute module: container definition.
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'name: "api"',
    purpose: 'Container name',
    find: container('Name', 'api'),
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'image: "flentier/demo-go-api-kong:latest"',
    purpose: 'Container image',
    find: container('Image'),
    note: "The image of this repository's API, from the profile (`service.image`).",
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'cpu: 256',
    purpose: 'CPU units',
    find: container('Cpu', 256),
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'memory: 512',
    purpose: 'Memory (MiB)',
    find: container('Memory', 512),
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'essential: true',
    purpose: 'Task stops with the container',
    find: container('Essential', true),
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'portMappings: [{containerPort: 8080}]',
    purpose: 'API port',
    find: container('PortMappings.0.ContainerPort', 8080),
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'healthCheck.command: curl -f http://localhost:8080/healthz',
    purpose: 'Container health check',
    find: container('HealthCheck.Command'),
    note: 'The API image has no curl: Node.js `fetch` of the same URL (CMD-SHELL).',
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'healthCheck.interval: 30',
    purpose: 'Seconds between checks',
    find: container('HealthCheck.Interval', 30),
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'healthCheck.timeout: 5',
    purpose: 'Seconds per check',
    find: container('HealthCheck.Timeout', 5),
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'healthCheck.retries: 3',
    purpose: 'Failures before unhealthy',
    find: container('HealthCheck.Retries', 3),
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'healthCheck.startPeriod: 60',
    purpose: 'Grace period after start',
    find: container('HealthCheck.StartPeriod', 60),
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'PORT=8080',
    purpose: 'Environment',
    find: environment('PORT', '8080'),
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'GIN_MODE=release',
    purpose: 'Environment',
    find: environment('NODE_ENV', 'production'),
    note: "The release switch of a Go/Gin API; the Node.js API's is `NODE_ENV=production`.",
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'LOG_LEVEL=info',
    purpose: 'Environment',
    find: environment('LOG_LEVEL', 'info'),
  },
  {
    module: 'compute',
    section: 'Container definition',
    seed: 'LOG_FORMAT=json',
    purpose: 'Environment',
    find: environment('LOG_FORMAT', 'json'),
  },

  // Observability module: resource inventory.
  {
    module: 'observability',
    section: 'Resource inventory',
    seed: 'aws_cloudwatch_log_group.ecs',
    purpose: 'ECS task logs (/aws/ecs/zama-api-platform-dev)',
    find: logGroup('observability', /^\/aws\/ecs\/[^/]+$/),
  },
  {
    module: 'observability',
    section: 'Resource inventory',
    seed: 'aws_cloudwatch_log_group.api',
    purpose: 'API application logs',
    find: logGroup('observability', /^\/aws\/ecs\/[^/]+\/api$/),
    note: "The API container's log driver writes here.",
  },
  {
    module: 'observability',
    section: 'Resource inventory',
    seed: 'aws_cloudwatch_log_group.kong',
    purpose: 'Kong gateway logs (future)',
    find: logGroup('observability', /^\/aws\/ecs\/[^/]+\/kong$/),
  },
  {
    module: 'observability',
    section: 'Resource inventory',
    seed: 'aws_cloudwatch_dashboard.main',
    purpose: 'Metrics visualization',
    find: resources('observability', 'AWS::CloudWatch::Dashboard'),
  },
  {
    module: 'observability',
    section: 'Resource inventory',
    seed: 'aws_sns_topic.alerts',
    purpose: 'Alert notification hub',
    find: resources('observability', 'AWS::SNS::Topic'),
  },
  {
    module: 'observability',
    section: 'Resource inventory',
    seed: 'aws_sns_topic_policy.alerts',
    purpose: 'CloudWatch publish permissions',
    find: resources('observability', 'AWS::SNS::TopicPolicy', (p) =>
      JSON.stringify(p).includes('cloudwatch.amazonaws.com'),
    ),
  },
  {
    module: 'observability',
    section: 'Resource inventory',
    seed: 'aws_sns_topic_subscription.email_alerts',
    purpose: 'E-mail notifications',
    find: resources('observability', 'AWS::SNS::Subscription', (p) => p.Protocol === 'email'),
    note: 'Address from the profile (`alerts.email`).',
  },
  {
    module: 'observability',
    section: 'Resource inventory',
    seed: 'aws_cloudwatch_log_metric_filter.api_errors',
    purpose: 'Counts API error logs',
    find: resources(
      'observability',
      'AWS::Logs::MetricFilter',
      (p) => valueAt(p, 'MetricTransformations.0.MetricName') === 'ApiErrorCount',
    ),
    note: 'Pattern `{ ($.level = "error") || ($.level = "fatal") }` on the API\'s pino JSON lines.',
  },
  {
    module: 'observability',
    section: 'Resource inventory',
    seed: 'aws_cloudwatch_log_metric_filter.kong_errors',
    purpose: 'Counts Kong errors (future)',
    find: resources(
      'observability',
      'AWS::Logs::MetricFilter',
      (p) => valueAt(p, 'MetricTransformations.0.MetricName') === 'KongErrorCount',
    ),
  },

  // Observability module: alarms (they live in the compute stack, next to what they watch).
  ...(
    [
      ['no_healthy_targets', 'HealthyHostCount', 'LessThanThreshold', 1, 'HealthyHostCount < 1'],
      [
        'unhealthy_tasks',
        'RunningTaskCount',
        'LessThanThreshold',
        1,
        'RunningTaskCount < 1 (Container Insights)',
      ],
      [
        'high_error_rate',
        'HTTPCode_Target_5XX_Count',
        'GreaterThanThreshold',
        10,
        'HTTPCode_Target_5XX_Count > 10',
      ],
      ['alb_unhealthy_targets', 'UnHealthyHostCount', 'GreaterThanThreshold', 0, 'UnHealthyHostCount > 0'],
      ['api_error_count', 'ApiErrorCount', 'GreaterThanThreshold', 5, 'API error log lines > 5'],
      [
        'alb_connection_errors',
        'TargetConnectionErrorCount',
        'GreaterThanThreshold',
        5,
        'TargetConnectionErrorCount > 5',
      ],
      [
        'high_response_time',
        'TargetResponseTime',
        'GreaterThanThreshold',
        2,
        'TargetResponseTime (average) > 2 s',
      ],
      [
        'health_endpoint_slow_response',
        'TargetResponseTime',
        'GreaterThanThreshold',
        5,
        'TargetResponseTime (maximum) > 5 s',
      ],
      ['low_request_count', 'RequestCount', 'LessThanThreshold', 1, 'RequestCount < 1'],
      ['api_cpu_high', 'CPUUtilization', 'GreaterThanThreshold', 80, 'CPUUtilization > 80 %'],
      ['api_memory_high', 'MemoryUtilization', 'GreaterThanThreshold', 80, 'MemoryUtilization > 80 %'],
      ['kong_cpu_high', 'CPUUtilization', 'GreaterThanThreshold', 80, 'Kong CPUUtilization > 80 % (future)'],
    ] as const
  ).map(
    ([key, metric, comparison, threshold, purpose]): SeedRow => ({
      module: 'observability',
      section: 'Alarms',
      seed: key,
      purpose,
      find: alarm(key.replaceAll('_', '-'), metric, comparison, threshold),
      note: ALARM_NOTES[key],
    }),
  ),

  // Secrets module.
  {
    module: 'secrets',
    section: 'Resource inventory',
    seed: 'aws_secretsmanager_secret.api_keys',
    purpose: 'API keys',
    find: secret('api-keys'),
  },
  {
    module: 'secrets',
    section: 'Resource inventory',
    seed: 'aws_secretsmanager_secret_version.api_keys',
    purpose: 'API key values',
    find: secretProperty('api-keys', 'GenerateSecretString'),
    note: 'CloudFormation stores the first version from `GenerateSecretString`: a generated value, none in the template.',
  },
  {
    module: 'secrets',
    section: 'Resource inventory',
    seed: 'aws_secretsmanager_secret.database_credentials',
    purpose: 'Future database credentials',
    find: secret('database-credentials'),
  },
  {
    module: 'secrets',
    section: 'Resource inventory',
    seed: 'aws_secretsmanager_secret.kong_konnect_config',
    purpose: 'Kong Konnect API tokens',
    find: secret('kong-konnect-config'),
  },
  {
    module: 'secrets',
    section: 'Resource inventory',
    seed: 'aws_secretsmanager_secret_version.kong_konnect_config',
    purpose: 'Kong configuration',
    find: secretProperty('kong-konnect-config', 'GenerateSecretString'),
  },
  {
    module: 'secrets',
    section: 'Resource inventory',
    seed: 'random_id.suffix',
    purpose: 'Unique naming suffix',
    find: (t) => property('secrets', 'AWS::SecretsManager::Secret', 'Name')(t),
    note: "Not needed: CloudFormation deletes a secret without a recovery window, so the fixed `<prefix>/<name>` names can be reused at once, and Secrets Manager suffixes every ARN itself. The seed's 7-day recovery window is an API setting (`DeleteSecret`) CloudFormation does not expose; prod keeps secrets on stack deletion instead.",
  },
  {
    module: 'secrets',
    section: 'Secret contents',
    seed: 'api_keys.api_key_demo',
    purpose: 'Demo API key',
    find: secretProperty('api-keys', 'GenerateSecretString.GenerateStringKey', equals('api_key_demo')),
    note: 'Generated: `{"api_key_demo":"<40 random characters>"}`; reaches the tasks as `API_KEYS`.',
  },
  {
    module: 'secrets',
    section: 'Secret contents',
    seed: 'kong_konnect_config.kong_admin_token',
    purpose: 'PLACEHOLDER_REPLACE_IN_CONSOLE',
    find: secretProperty(
      'kong-konnect-config',
      'GenerateSecretString.GenerateStringKey',
      equals('kong_admin_token'),
    ),
    note: 'Starts random rather than as a well-known placeholder; replace it in the console.',
  },
  {
    module: 'secrets',
    section: 'Secret contents',
    seed: 'kong_konnect_config.kong_api_url',
    purpose: 'PLACEHOLDER_REPLACE_IN_CONSOLE',
    find: secretProperty('kong-konnect-config', 'GenerateSecretString.SecretStringTemplate', (v) =>
      String(v).includes('"kong_api_url":"PLACEHOLDER_REPLACE_IN_CONSOLE"'),
    ),
  },
];
