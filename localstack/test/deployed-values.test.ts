import {
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
import { albSettingsFromStacks } from '../src/alb/settings';
import type { SynthesizedStack } from '../src/cloud-assembly';
import {
  type DeployedResource,
  DeployedValues,
  type Deployment,
  type DeploymentClients,
  DeploymentError,
  readDeployment,
} from '../src/deployed-values';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function stack(stackName: string, Resources: Resources, Outputs?: Record<string, unknown>): SynthesizedStack {
  return { stackName, template: { Resources, ...(Outputs && { Outputs }) } as SynthesizedStack['template'] };
}

const LB_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/zama-alb/ca0996216cb06990';
const TG_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/zama-api-tg/bd42a098d33a9aeb';
const SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/zama/zama-api';

const compute = stack('zama-compute', {
  Lb: {
    Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    Properties: { Name: 'zama-alb', Type: 'application' },
  },
  Listener: {
    Type: 'AWS::ElasticLoadBalancingV2::Listener',
    Properties: {
      LoadBalancerArn: { Ref: 'Lb' },
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Tg' } }],
    },
  },
  Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Name: 'zama-api-tg', Port: 8080 } },
  Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: 'zama' } },
  Service: {
    Type: 'AWS::ECS::Service',
    Properties: { ServiceName: 'zama-api', Cluster: { Ref: 'Cluster' } },
  },
  Scaling: { Type: 'AWS::ApplicationAutoScaling::ScalableTarget', Properties: {} },
});

/** A deployment as moto reports the compute stack above, and one export of another stack. */
const deployment: Deployment = {
  account: '123456789012',
  region: 'us-east-1',
  resources: new Map([
    [
      'zama-compute',
      new Map<string, DeployedResource>([
        ['Lb', { ref: LB_ARN, attributes: { LoadBalancerFullName: 'app/zama-alb/ca0996216cb06990' } }],
        [
          'Tg',
          { ref: TG_ARN, attributes: { TargetGroupFullName: 'targetgroup/zama-api-tg/bd42a098d33a9aeb' } },
        ],
        ['Cluster', { ref: 'zama', attributes: {} }],
        ['Service', { ref: SERVICE_ARN, attributes: { Name: 'zama-api' } }],
      ]),
    ],
  ]),
  exports: new Map([['zama-observability:AlertsTopic', 'arn:aws:sns:us-east-1:123456789012:zama-alerts']]),
};

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentError);
    return error as Error;
  }
  throw new Error('expected a DeploymentError');
}

describe('DeployedValues.resolve', () => {
  const values = new DeployedValues(deployment);

  it.each<[string, unknown, unknown]>([
    ['a literal', 'HealthyHostCount', 'HealthyHostCount'],
    ['Ref of a resource: its physical ID', { Ref: 'Cluster' }, 'zama'],
    ['Ref of AWS::AccountId', { Ref: 'AWS::AccountId' }, '123456789012'],
    ['Ref of AWS::Region', { Ref: 'AWS::Region' }, 'us-east-1'],
    ['Ref of AWS::Partition', { Ref: 'AWS::Partition' }, 'aws'],
    ['Ref of AWS::URLSuffix', { Ref: 'AWS::URLSuffix' }, 'amazonaws.com'],
    ['Ref of AWS::StackName', { Ref: 'AWS::StackName' }, 'zama-compute'],
    [
      'Fn::GetAtt as a list',
      { 'Fn::GetAtt': ['Lb', 'LoadBalancerFullName'] },
      'app/zama-alb/ca0996216cb06990',
    ],
    ['Fn::GetAtt as a string', { 'Fn::GetAtt': 'Service.Name' }, 'zama-api'],
    [
      'Fn::ImportValue: the export of the emulator',
      { 'Fn::ImportValue': 'zama-observability:AlertsTopic' },
      'arn:aws:sns:us-east-1:123456789012:zama-alerts',
    ],
    [
      'Fn::Join around pseudo parameters',
      {
        'Fn::Join': [
          '',
          ['arn:aws:logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:x'],
        ],
      },
      'arn:aws:logs:us-east-1:123456789012:log-group:x',
    ],
    [
      'Fn::Sub with references, attributes, pseudo parameters and an escaped literal',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own syntax
      { 'Fn::Sub': '${Cluster}/${Service.Name}@${AWS::Region} ${!Literal}' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own syntax
      'zama/zama-api@us-east-1 ${Literal}',
    ],
    [
      'Fn::Sub with its own variables',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own syntax
      { 'Fn::Sub': ['${Prefix}-${Cluster}', { Prefix: { Ref: 'AWS::AccountId' } }] },
      '123456789012-zama',
    ],
    ['Fn::Select of a literal list', { 'Fn::Select': [1, ['a', 'b', 'c']] }, 'b'],
    [
      'Fn::Select of Fn::Split: the load balancer ID from its ARN',
      { 'Fn::Select': [3, { 'Fn::Split': ['/', { Ref: 'Lb' }] }] },
      'ca0996216cb06990',
    ],
    [
      'intrinsics nested in lists and objects, as in alarm dimensions',
      [
        { Name: 'LoadBalancer', Value: { 'Fn::GetAtt': ['Lb', 'LoadBalancerFullName'] } },
        { Name: 'TargetGroup', Value: { 'Fn::GetAtt': ['Tg', 'TargetGroupFullName'] } },
      ],
      [
        { Name: 'LoadBalancer', Value: 'app/zama-alb/ca0996216cb06990' },
        { Name: 'TargetGroup', Value: 'targetgroup/zama-api-tg/bd42a098d33a9aeb' },
      ],
    ],
  ])('evaluates %s', (_, value, expected) => {
    expect(values.resolve(value, compute, 'Alarm.Property')).toEqual(expected);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a resource the emulator skipped',
      { Ref: 'Scaling' },
      /zama-compute Alarm\.Property: Ref "Scaling": the emulator skipped zama-compute\/Scaling \(AWS::ApplicationAutoScaling::ScalableTarget\).*make deploy-local/,
    ],
    ['a resource the template lacks', { Ref: 'Nothing' }, /zama-compute has no resource Nothing/],
    [
      'an attribute the emulator does not report',
      { 'Fn::GetAtt': ['Lb', 'DNSName'] },
      /attribute DNSName of zama-compute\/Lb/,
    ],
    [
      'an export no stack has',
      { 'Fn::ImportValue': 'zama-observability:Missing' },
      /no stack in the emulator exports it: run `make deploy-local`/,
    ],
    ['an unsupported intrinsic', { 'Fn::If': ['IsProd', 'a', 'b'] }, /not supported outside CloudFormation/],
    ['an index outside the list', { 'Fn::Select': [5, ['a']] }, /outside the list/],
  ])('says which value cannot be resolved, and what to do: %s', (_, value, message) => {
    expect(errorOf(() => values.resolve(value, compute, 'Alarm.Property')).message).toMatch(message);
  });

  it('says a stack is not deployed', () => {
    const other = stack('zama-other', { Queue: { Type: 'AWS::SQS::Queue' } });
    expect(errorOf(() => values.resolve({ Ref: 'Queue' }, other, 'X')).message).toMatch(
      /stack zama-other is not deployed in the emulator: run `make deploy-local`/,
    );
  });
});

/** A client whose `send` answers each command class from a table, and fails on any other. */
function fakeClient(answers: Record<string, (input: Record<string, unknown>) => unknown>) {
  return {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const answer = answers[command.constructor.name];
      if (!answer) throw new Error(`unexpected ${command.constructor.name}`);
      return answer(command.input);
    },
  };
}

function clients(
  physicalIds: Record<string, string | undefined>,
  others: Partial<
    Record<keyof Omit<DeploymentClients, 'cloudFormation'>, ReturnType<typeof fakeClient>>
  > = {},
): DeploymentClients {
  return {
    cloudFormation: fakeClient({
      [DescribeStacksCommand.name]: ({ StackName }) => ({
        Stacks: [{ StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${StackName}/0a1b` }],
      }),
      [DescribeStackResourcesCommand.name]: () => ({
        StackResources: [
          ...Object.entries(physicalIds).map(([LogicalResourceId, PhysicalResourceId]) => ({
            LogicalResourceId,
            PhysicalResourceId,
          })),
          // moto's entry for a resource it skipped
          { StackName: 'zama-compute', ResourceStatus: 'CREATE_COMPLETE' },
        ],
      }),
      [ListExportsCommand.name]: () => ({
        Exports: [{ Name: 'zama-observability:AlertsTopic', Value: 'arn' }],
      }),
    }),
    elbv2: fakeClient({}),
    ecs: fakeClient({}),
    sqs: fakeClient({}),
    ...others,
  } as unknown as DeploymentClients;
}

describe('readDeployment', () => {
  it('reads full names, service names and queue URLs from the service APIs of an emulator that created them (moto)', async () => {
    // GIVEN moto's physical IDs and its ELBv2, ECS and SQS
    const withQueue = stack('zama-compute', {
      ...compute.template.Resources,
      Inbox: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'zama-inbox' } },
    });
    const emulator = clients(
      {
        Lb: LB_ARN,
        Tg: TG_ARN,
        Cluster: 'zama',
        Service: SERVICE_ARN,
        Inbox: 'https://sqs.us-east-1.amazonaws.com/123456789012/zama-inbox',
      },
      {
        elbv2: fakeClient({
          [DescribeLoadBalancersCommand.name]: ({ LoadBalancerArns }) => ({
            LoadBalancers: [
              {
                LoadBalancerArn: (LoadBalancerArns as string[])[0],
                LoadBalancerName: 'zama-alb',
                DNSName: 'zama-alb-1.elb',
              },
            ],
          }),
          [DescribeTargetGroupsCommand.name]: ({ TargetGroupArns }) => ({
            TargetGroups: [
              { TargetGroupArn: (TargetGroupArns as string[])[0], TargetGroupName: 'zama-api-tg' },
            ],
          }),
        }),
        ecs: fakeClient({
          [DescribeClustersCommand.name]: () => ({
            clusters: [{ clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/zama' }],
          }),
          [DescribeServicesCommand.name]: ({ cluster }) =>
            cluster === 'zama'
              ? { services: [{ serviceName: 'zama-api', serviceArn: SERVICE_ARN }] }
              : { services: [] },
        }),
        sqs: fakeClient({
          [GetQueueUrlCommand.name]: ({ QueueName }) => ({
            QueueUrl: `http://127.0.0.1:5000/123456789012/${QueueName}`,
          }),
          [GetQueueAttributesCommand.name]: () => ({
            Attributes: { QueueArn: 'arn:aws:sqs:us-east-1:123456789012:zama-inbox' },
          }),
        }),
      },
    );

    // WHEN
    const values = new DeployedValues(await readDeployment([withQueue], emulator));

    // THEN
    const value = (logicalId: string, attribute: string) =>
      values.resolve({ 'Fn::GetAtt': [logicalId, attribute] }, withQueue, 'Test');
    expect({
      account: values.deployment.account,
      loadBalancer: value('Lb', 'LoadBalancerFullName'),
      dnsName: value('Lb', 'DNSName'),
      targetGroup: value('Tg', 'TargetGroupFullName'),
      cluster: values.resolve({ Ref: 'Cluster' }, withQueue, 'Test'),
      service: value('Service', 'Name'),
      queueArn: value('Inbox', 'Arn'),
      queueUrl: value('Inbox', 'QueueUrl'),
      skipped: values.deployment.resources.get('zama-compute')?.has('Scaling'),
    }).toEqual({
      account: '123456789012',
      loadBalancer: 'app/zama-alb/ca0996216cb06990',
      dnsName: 'zama-alb-1.elb',
      targetGroup: 'targetgroup/zama-api-tg/bd42a098d33a9aeb',
      cluster: 'zama',
      service: 'zama-api',
      queueArn: 'arn:aws:sqs:us-east-1:123456789012:zama-inbox',
      queueUrl: 'http://127.0.0.1:5000/123456789012/zama-inbox',
      skipped: false,
    });
  });

  it('stands in for placeholders (LocalStack without ELBv2 and ECS) with the names the simulated ALB uses', async () => {
    // GIVEN LocalStack's placeholders: every Ref is "unknown", and its ELBv2 and ECS APIs are never asked
    const emulator = clients({
      Lb: 'unknown',
      Tg: 'unknown',
      Cluster: 'unknown',
      Service: 'unknown',
      Scaling: 'unknown',
    });

    // WHEN
    const values = new DeployedValues(await readDeployment([compute], emulator));

    // THEN names come from the template, and full names carry the simulated ALB's stable ID
    const alb = albSettingsFromStacks([compute], { account: '123456789012', region: 'us-east-1' });
    expect({
      loadBalancer: values.resolve({ 'Fn::GetAtt': ['Lb', 'LoadBalancerFullName'] }, compute, 'Test'),
      targetGroup: values.resolve({ 'Fn::GetAtt': ['Tg', 'TargetGroupFullName'] }, compute, 'Test'),
      targetGroupArn: values.resolve({ Ref: 'Tg' }, compute, 'Test'),
      cluster: values.resolve({ Ref: 'Cluster' }, compute, 'Test'),
      service: values.resolve({ 'Fn::GetAtt': ['Service', 'Name'] }, compute, 'Test'),
    }).toEqual({
      loadBalancer: alb.loadBalancer.fullName,
      targetGroup: `targetgroup/${alb.targetGroup.arn.split(':targetgroup/')[1]}`,
      targetGroupArn: alb.targetGroup.arn,
      cluster: 'zama',
      service: 'zama-api',
    });
    expect(alb.loadBalancer.fullName).toMatch(/^app\/zama-alb\/[0-9a-f]{16}$/);
  });

  it('says which stack is not deployed, and what to do', async () => {
    const emulator = clients({});
    (emulator.cloudFormation as unknown as ReturnType<typeof fakeClient>).send = async () => {
      throw new Error('Stack with id zama-compute does not exist');
    };
    await expect(readDeployment([compute], emulator)).rejects.toThrow(
      /Stack zama-compute is not deployed in the emulator \(Stack with id zama-compute does not exist\): run `make deploy-local`/,
    );
  });

  it('says which resource the emulator cannot describe', async () => {
    const emulator = clients(
      { Lb: LB_ARN },
      { elbv2: fakeClient({ [DescribeLoadBalancersCommand.name]: () => ({ LoadBalancers: [] }) }) },
    );
    await expect(readDeployment([compute], emulator)).rejects.toThrow(
      `zama-compute/Lb (AWS::ElasticLoadBalancingV2::LoadBalancer ${LB_ARN}): ELBv2 DescribeLoadBalancers found no ${LB_ARN}`,
    );
  });
});
