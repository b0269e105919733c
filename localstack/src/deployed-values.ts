/**
 * What the templates' values are once deployed into an emulator: `Ref`, `Fn::GetAtt`,
 * `Fn::ImportValue`, `Fn::Join`, `Fn::Sub`, `Fn::Select` and `Fn::Split` evaluated against the
 * physical resources the emulator's CloudFormation created. Everything the local platform creates
 * or publishes outside CloudFormation (the alarms and metric filters `deploy:local` fills in, the
 * datapoints of the local data plane) takes its names from here, so they cannot disagree.
 *
 * Where the emulator only deployed a placeholder or skipped a resource (LocalStack's free edition
 * has no ELBv2 or ECS), the values come from the template: names from its name properties and,
 * for load balancer and target group full names, a stable made-up id in AWS's shape.
 */
import {
  type CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListExportsCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeClustersCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import {
  describeResource,
  type ResourceRef,
  type SynthesizedStack,
  standInResourceId,
} from './cloud-assembly';
import type { EmulatorClients } from './emulator-clients';

/** LocalStack's physical ID (and `Ref`) of a resource type it has no provider for. */
export const PLACEHOLDER_PHYSICAL_ID = 'unknown';

/** What to do when the emulator lacks the stacks or their resources. */
export const DEPLOY_FIRST = 'run `make deploy-local` against this emulator first';

/** A template value cannot be evaluated against the emulator. */
export class DeploymentError extends Error {
  override readonly name: string = 'DeploymentError';
}

/** One resource of a deployed stack: what `Ref` and `Fn::GetAtt` yield for it. */
export interface DeployedResource {
  /** Undefined for a stand-in whose `Ref` cannot be derived from the template. */
  readonly ref?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** What the emulator reports about the deployed stacks. */
export interface Deployment {
  readonly account: string;
  readonly region: string;
  /**
   * By stack name, then logical ID. A resource the emulator skipped or faked appears only when
   * its values can be derived from the template.
   */
  readonly resources: ReadonlyMap<string, ReadonlyMap<string, DeployedResource>>;
  /** Every export of the emulator's stacks, by name. */
  readonly exports: ReadonlyMap<string, string>;
}

/** The clients the deployed values are read with (tests hand in fakes of these). */
export type DeploymentClients = Pick<EmulatorClients, 'cloudFormation' | 'elbv2' | 'ecs' | 'sqs'>;

interface DescribeContext {
  readonly clients: DeploymentClients;
  readonly account: string;
  readonly region: string;
}

interface ResourceType {
  /** Ref and attributes of a resource the emulator created, from its service API. */
  readonly describe: (physicalId: string, context: DescribeContext) => Promise<DeployedResource>;
  /** Ref and attributes from the template, for a resource the emulator skipped or faked. */
  readonly standIn?: (ref: ResourceRef, context: DescribeContext) => DeployedResource | undefined;
}

const LOAD_BALANCER_PREFIXES: Readonly<Record<string, string>> = { network: 'net', gateway: 'gwy' };

/** The types whose attributes the templates read; any other type's `Ref` is its physical ID. */
const RESOURCE_TYPES: Readonly<Record<string, ResourceType>> = {
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    describe: async (arn, { clients }) => {
      const { LoadBalancers = [] } = await clients.elbv2.send(
        new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }),
      );
      const loadBalancer = theDescribed(LoadBalancers, arn, 'ELBv2 DescribeLoadBalancers');
      return {
        ref: arn,
        attributes: compact({
          LoadBalancerFullName: arnSuffix(arn, ':loadbalancer/'),
          LoadBalancerName: loadBalancer.LoadBalancerName,
          DNSName: loadBalancer.DNSName,
          CanonicalHostedZoneID: loadBalancer.CanonicalHostedZoneId,
        }),
      };
    },
    standIn: (ref, { account, region }) => {
      const name = literalName(ref, 'Name');
      if (name === undefined) return undefined;
      const type = LOAD_BALANCER_PREFIXES[String(ref.resource.Properties?.Type)] ?? 'app';
      const fullName = `${type}/${name}/${standInResourceId(ref)}`;
      return {
        ref: `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/${fullName}`,
        attributes: { LoadBalancerFullName: fullName, LoadBalancerName: name },
      };
    },
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    describe: async (arn, { clients }) => {
      const { TargetGroups = [] } = await clients.elbv2.send(
        new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }),
      );
      const targetGroup = theDescribed(TargetGroups, arn, 'ELBv2 DescribeTargetGroups');
      return {
        ref: arn,
        attributes: compact({
          TargetGroupFullName: `targetgroup/${arnSuffix(arn, ':targetgroup/')}`,
          TargetGroupName: targetGroup.TargetGroupName,
          TargetGroupArn: arn,
        }),
      };
    },
    standIn: (ref, { account, region }) => {
      const name = literalName(ref, 'Name');
      if (name === undefined) return undefined;
      const fullName = `targetgroup/${name}/${standInResourceId(ref)}`;
      const arn = `arn:aws:elasticloadbalancing:${region}:${account}:${fullName}`;
      return {
        ref: arn,
        attributes: { TargetGroupFullName: fullName, TargetGroupName: name, TargetGroupArn: arn },
      };
    },
  },
  'AWS::ECS::Cluster': {
    describe: async (name, { clients }) => {
      const { clusters = [] } = await clients.ecs.send(new DescribeClustersCommand({ clusters: [name] }));
      const cluster = theDescribed(clusters, name, 'ECS DescribeClusters');
      return { ref: name, attributes: compact({ Arn: cluster.clusterArn }) };
    },
    standIn: (ref, { account, region }) => {
      const name = literalName(ref, 'ClusterName');
      return name === undefined
        ? undefined
        : { ref: name, attributes: { Arn: `arn:aws:ecs:${region}:${account}:cluster/${name}` } };
    },
  },
  'AWS::ECS::Service': {
    describe: async (arn, { clients }) => {
      // arn:aws:ecs:<region>:<account>:service/<cluster>/<service>
      const cluster = /:service\/([^/]+)\/[^/]+$/.exec(arn)?.[1];
      const { services = [] } = await clients.ecs.send(
        new DescribeServicesCommand({ cluster, services: [arn] }),
      );
      const service = theDescribed(services, arn, 'ECS DescribeServices');
      return { ref: arn, attributes: compact({ Name: service.serviceName, ServiceArn: service.serviceArn }) };
    },
    standIn: (ref) => {
      const name = literalName(ref, 'ServiceName');
      return name === undefined ? undefined : { attributes: { Name: name } };
    },
  },
  'AWS::SQS::Queue': {
    describe: async (url, { clients }) => {
      const queueName = url.slice(url.lastIndexOf('/') + 1);
      // The URL the emulator answers at, which its physical ID (AWS's URL form) need not be.
      const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
      const { Attributes = {} } = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      return {
        ref: url,
        attributes: compact({ Arn: Attributes.QueueArn, QueueName: queueName, QueueUrl }),
      };
    },
  },
  'AWS::SNS::Topic': {
    describe: async (arn) => ({
      ref: arn,
      attributes: { TopicArn: arn, TopicName: arn.slice(arn.lastIndexOf(':') + 1) },
    }),
  },
  'AWS::Logs::LogGroup': {
    describe: async (name, { account, region }) => ({
      ref: name,
      attributes: { Arn: `arn:aws:logs:${region}:${account}:log-group:${name}:*` },
    }),
  },
};

/**
 * Reads from the emulator what the stacks of a cloud assembly became: physical IDs
 * (DescribeStackResources), exports (ListExports) and the attributes the templates read
 * (ELBv2, ECS, SQS).
 */
export async function readDeployment(
  stacks: readonly SynthesizedStack[],
  clients: DeploymentClients,
): Promise<Deployment> {
  const stackIds = await Promise.all(stacks.map((stack) => deployedStackId(clients.cloudFormation, stack)));
  // arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>
  const [, , , region, account] = stackIds[0]?.split(':') ?? [];
  if (!region || !account) {
    throw new DeploymentError(`Cannot read the account and Region from the stack ID ${stackIds[0]}`);
  }
  const context: DescribeContext = { clients, account, region };
  const resources = new Map<string, Map<string, DeployedResource>>();
  for (const stack of stacks) {
    const { StackResources = [] } = await clients.cloudFormation.send(
      new DescribeStackResourcesCommand({ StackName: stack.stackName }),
    );
    // moto lists the resources it skipped without logical or physical IDs.
    const physicalIds = new Map(
      StackResources.filter((resource) => resource.LogicalResourceId && resource.PhysicalResourceId).map(
        (resource) => [resource.LogicalResourceId as string, resource.PhysicalResourceId as string],
      ),
    );
    const deployed = new Map<string, DeployedResource>();
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const ref: ResourceRef = { stack, logicalId, resource };
      const physicalId = physicalIds.get(logicalId);
      const type = RESOURCE_TYPES[resource.Type];
      const value =
        physicalId === undefined || physicalId === PLACEHOLDER_PHYSICAL_ID
          ? type?.standIn?.(ref, context)
          : await describeDeployed(ref, physicalId, type, context);
      if (value) deployed.set(logicalId, value);
    }
    resources.set(stack.stackName, deployed);
  }
  return { account, region, resources, exports: await listExports(clients.cloudFormation) };
}

async function describeDeployed(
  ref: ResourceRef,
  physicalId: string,
  type: ResourceType | undefined,
  context: DescribeContext,
): Promise<DeployedResource> {
  if (!type) return { ref: physicalId, attributes: {} };
  try {
    return await type.describe(physicalId, context);
  } catch (error) {
    throw new DeploymentError(
      `${describeResource(ref)} (${ref.resource.Type} ${physicalId}): ${(error as Error).message}: ${DEPLOY_FIRST}`,
    );
  }
}

async function deployedStackId(
  cloudFormation: CloudFormationClient,
  stack: SynthesizedStack,
): Promise<string> {
  let stackId: string | undefined;
  try {
    const { Stacks = [] } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stack.stackName }),
    );
    stackId = Stacks[0]?.StackId;
  } catch (error) {
    throw new DeploymentError(
      `Stack ${stack.stackName} is not deployed in the emulator (${(error as Error).message}): ${DEPLOY_FIRST}`,
    );
  }
  if (!stackId)
    throw new DeploymentError(`Stack ${stack.stackName} is not deployed in the emulator: ${DEPLOY_FIRST}`);
  return stackId;
}

async function listExports(cloudFormation: CloudFormationClient): Promise<Map<string, string>> {
  const exports = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = await cloudFormation.send(new ListExportsCommand({ NextToken }));
    for (const { Name, Value } of page.Exports ?? []) {
      if (Name !== undefined && Value !== undefined) exports.set(Name, Value);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return exports;
}

const PSEUDO_PARAMETERS: Readonly<
  Record<string, (deployment: Deployment, stack: SynthesizedStack) => string>
> = {
  'AWS::AccountId': ({ account }) => account,
  'AWS::Region': ({ region }) => region,
  'AWS::Partition': ({ region }) =>
    region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws',
  'AWS::URLSuffix': ({ region }) => (region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'),
  'AWS::StackName': (_, stack) => stack.stackName,
};

type Fail = (reason: string) => never;

/** Template values evaluated against a deployment. */
export class DeployedValues {
  constructor(readonly deployment: Deployment) {}

  /** A property of a resource, evaluated. */
  property(ref: ResourceRef, name: string): unknown {
    return this.resolve(ref.resource.Properties?.[name], ref.stack, `${ref.logicalId}.${name}`);
  }

  /** A property that must evaluate to a string (numbers are written as CloudFormation would). */
  text(ref: ResourceRef, name: string): string {
    return this.resolveText(ref.resource.Properties?.[name], ref.stack, `${ref.logicalId}.${name}`);
  }

  /** What `Fn::GetAtt` of a resource yields. */
  attribute(ref: ResourceRef, attribute: string): string {
    return this.resolveText({ 'Fn::GetAtt': [ref.logicalId, attribute] }, ref.stack, ref.logicalId);
  }

  /** `value`, written in `stack`'s template at `where` (for messages), with every intrinsic evaluated. */
  resolve(value: unknown, stack: SynthesizedStack, where: string): unknown {
    if (Array.isArray(value))
      return value.map((item, index) => this.resolve(item, stack, `${where}[${index}]`));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
      const [name, argument] = entries[0];
      const fail: Fail = (reason) => {
        throw new DeploymentError(
          `${stack.stackName} ${where}: ${name} ${JSON.stringify(argument)}: ${reason}`,
        );
      };
      return this.intrinsic(name, argument, stack, where, fail);
    }
    return Object.fromEntries(
      entries.map(([key, item]) => [key, this.resolve(item, stack, `${where}.${key}`)]),
    );
  }

  resolveText(value: unknown, stack: SynthesizedStack, where: string): string {
    const resolved = this.resolve(value, stack, where);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new DeploymentError(
      `${stack.stackName} ${where} is ${JSON.stringify(resolved)} (from ${JSON.stringify(value)}), not a string`,
    );
  }

  private intrinsic(
    name: string,
    argument: unknown,
    stack: SynthesizedStack,
    where: string,
    fail: Fail,
  ): unknown {
    const text = (value: unknown) => this.resolveText(value, stack, where);
    const pair = (): [unknown, unknown] => {
      if (!Array.isArray(argument) || argument.length !== 2) fail('expected a list of two');
      return argument as [unknown, unknown];
    };
    const list = (value: unknown): unknown[] => {
      const resolved = this.resolve(value, stack, where);
      if (!Array.isArray(resolved)) fail(`${JSON.stringify(resolved)} is not a list`);
      return resolved as unknown[];
    };
    switch (name) {
      case 'Ref':
        return this.ref(text(argument), stack, fail);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument)
          ? [text(argument[0]), text(argument[1])]
          : splitOnce(text(argument), '.');
        return this.getAtt(logicalId, attribute, stack, fail);
      }
      case 'Fn::ImportValue': {
        const value = this.deployment.exports.get(text(argument));
        return value ?? fail(`no stack in the emulator exports it: ${DEPLOY_FIRST}`);
      }
      case 'Fn::Join': {
        const [delimiter, items] = pair();
        return list(items).map(text).join(text(delimiter));
      }
      case 'Fn::Select': {
        const [index, items] = pair();
        const selected = list(items)[Number(text(index))];
        return selected ?? fail('the index is outside the list');
      }
      case 'Fn::Split': {
        const [delimiter, source] = pair();
        return text(source).split(text(delimiter));
      }
      case 'Fn::Sub': {
        const [template, variables] = typeof argument === 'string' ? [argument, {}] : pair();
        if (typeof variables !== 'object' || variables === null) fail('the variables are not a map');
        const named = variables as Record<string, unknown>;
        return text(template).replace(/\$\{([^}]*)\}/g, (_, expression: string) => {
          if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
          if (expression in named) return text(named[expression]);
          if (expression.includes('.') && !expression.startsWith('AWS::')) {
            return this.getAtt(...splitOnce(expression, '.'), stack, fail);
          }
          return this.ref(expression, stack, fail);
        });
      }
      default:
        return fail('this intrinsic function is not supported outside CloudFormation');
    }
  }

  private ref(logicalId: string, stack: SynthesizedStack, fail: Fail): string {
    const pseudo = PSEUDO_PARAMETERS[logicalId];
    if (pseudo) return pseudo(this.deployment, stack);
    const { ref } = this.deployed(logicalId, stack, fail);
    return (
      ref ??
      fail(
        `the emulator did not create ${stack.stackName}/${logicalId} and its Ref cannot be derived from the template`,
      )
    );
  }

  private getAtt(logicalId: string, attribute: string, stack: SynthesizedStack, fail: Fail): string {
    const value = this.deployed(logicalId, stack, fail).attributes[attribute];
    return (
      value ??
      fail(
        `the attribute ${attribute} of ${stack.stackName}/${logicalId} (${stack.template.Resources?.[logicalId]?.Type}) cannot be read from the emulator`,
      )
    );
  }

  private deployed(logicalId: string, stack: SynthesizedStack, fail: Fail): DeployedResource {
    const resource = stack.template.Resources?.[logicalId];
    if (!resource)
      fail(`${stack.stackName} has no resource ${logicalId} (template parameters are not supported)`);
    const stackResources = this.deployment.resources.get(stack.stackName);
    if (!stackResources) fail(`stack ${stack.stackName} is not deployed in the emulator: ${DEPLOY_FIRST}`);
    return (
      stackResources?.get(logicalId) ??
      fail(
        `the emulator skipped ${stack.stackName}/${logicalId} (${resource?.Type}) or deployed only a placeholder, and its values cannot be derived from the template: ${DEPLOY_FIRST}`,
      )
    );
  }
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, ''] : [text.slice(0, index), text.slice(index + separator.length)];
}

function literalName(ref: ResourceRef, property: string): string | undefined {
  const name = ref.resource.Properties?.[property];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function arnSuffix(arn: string, marker: string): string {
  const index = arn.indexOf(marker);
  if (index < 0) throw new DeploymentError(`${arn} is not an ARN containing ${marker}`);
  return arn.slice(index + marker.length);
}

function theDescribed<T>(described: readonly T[], id: string, call: string): T {
  if (described.length !== 1) throw new DeploymentError(`${call} found no ${id}`);
  return described[0];
}

function compact(attributes: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attributes).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
