import { type CfnTemplate, MODULES } from '@zama/infra';
import { rawTemplateOf } from '../templates';

/**
 * What moto 5.2's CloudFormation does with the resource types of the templates, read from its
 * source (moto/cloudformation/parsing.py and each model's get_cfn_attribute): the types it
 * creates, with the Fn::GetAtt attributes it resolves. It skips every other type with a warning;
 * a Fn::GetAtt of a skipped resource fails the stack, a Ref of one resolves to nothing.
 */
const MOTO_CREATES: Readonly<Record<string, readonly string[]>> = {
  'AWS::EC2::VPC': [],
  'AWS::EC2::Subnet': ['AvailabilityZone'],
  'AWS::EC2::RouteTable': [],
  'AWS::EC2::Route': [],
  'AWS::EC2::SubnetRouteTableAssociation': [],
  'AWS::EC2::InternetGateway': [],
  'AWS::EC2::VPCGatewayAttachment': [],
  'AWS::EC2::EIP': ['AllocationId', 'PublicIp'],
  'AWS::EC2::NatGateway': [],
  'AWS::EC2::SecurityGroup': ['GroupId'],
  'AWS::EC2::SecurityGroupIngress': [],
  'AWS::EC2::FlowLog': [],
  'AWS::IAM::Role': ['Arn', 'RoleId'],
  'AWS::IAM::Policy': [],
  'AWS::Logs::LogGroup': ['Arn'],
  'AWS::S3::Bucket': ['Arn', 'DomainName'],
  'AWS::SNS::Topic': ['TopicName'],
  'AWS::SQS::Queue': ['Arn', 'QueueName'],
  'AWS::CloudWatch::Dashboard': [],
  'AWS::ECS::Cluster': ['Arn'],
  'AWS::ECS::TaskDefinition': [],
  'AWS::ECS::Service': ['Name'],
  'AWS::ElasticLoadBalancingV2::LoadBalancer': ['DNSName', 'LoadBalancerName'],
  'AWS::ElasticLoadBalancingV2::TargetGroup': [],
  'AWS::ElasticLoadBalancingV2::Listener': [],
};

interface Reference {
  readonly kind: 'Ref' | 'Fn::GetAtt';
  readonly target: string;
  readonly attribute?: string;
  /** Whether the reference is an element of a Fn::Join, where moto renders a skipped one as "None". */
  readonly joined: boolean;
}

function referencesIn(value: unknown, joined = false): Reference[] {
  if (Array.isArray(value)) return value.flatMap((item) => referencesIn(item, joined));
  if (value === null || typeof value !== 'object') return [];
  const node = value as Record<string, unknown>;
  if (typeof node.Ref === 'string' && !node.Ref.startsWith('AWS::'))
    return [{ kind: 'Ref', target: node.Ref, joined }];
  if (Array.isArray(node['Fn::GetAtt'])) {
    const [target, attribute] = node['Fn::GetAtt'] as [string, string];
    return [{ kind: 'Fn::GetAtt', target, attribute, joined }];
  }
  if (Array.isArray(node['Fn::Join'])) return referencesIn((node['Fn::Join'] as unknown[])[1], true);
  return Object.values(node).flatMap((child) => referencesIn(child, joined));
}

/** Every reference moto cannot resolve, as "<where>: <reference>". */
function motoProblems(template: CfnTemplate): string[] {
  const typeOf = (logicalId: string) => template.Resources[logicalId]?.Type ?? 'unknown';
  const created = (logicalId: string) => typeOf(logicalId) in MOTO_CREATES;
  const describe = (reference: Reference) =>
    `${reference.kind} ${reference.target}${reference.attribute ? `.${reference.attribute}` : ''} (${typeOf(reference.target)})`;
  const problems: string[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (!created(logicalId)) continue;
    for (const reference of referencesIn(resource.Properties)) {
      if (
        reference.kind === 'Fn::GetAtt' &&
        !MOTO_CREATES[typeOf(reference.target)]?.includes(reference.attribute ?? '')
      ) {
        problems.push(`${logicalId}: ${describe(reference)}`);
      }
      if (reference.kind === 'Ref' && !created(reference.target) && !reference.joined) {
        problems.push(`${logicalId}: ${describe(reference)}`);
      }
    }
  }
  for (const [outputId, output] of Object.entries(template.Outputs ?? {})) {
    for (const reference of referencesIn(output.Value)) {
      const resolvable =
        created(reference.target) &&
        (reference.kind === 'Ref' ||
          MOTO_CREATES[typeOf(reference.target)]?.includes(reference.attribute ?? ''));
      if (!resolvable) problems.push(`output ${outputId}: ${describe(reference)}`);
    }
  }
  return problems;
}

describe('emulator compatibility of the local profile', () => {
  test.each(MODULES)('moto can resolve every reference of the %s stack', (module) => {
    // GIVEN the local profile, which CI deploys into moto
    // WHEN
    const template = rawTemplateOf('local', module);
    // THEN
    expect(motoProblems(template)).toEqual([]);
  });

  test('the check catches what breaks a moto deploy', () => {
    // GIVEN a service registered through the Fn::GetAtt CDK renders, and an export of a secret
    const template: CfnTemplate = {
      Resources: {
        Registry: { Type: 'AWS::ServiceDiscovery::Service' },
        Secret: { Type: 'AWS::SecretsManager::Secret' },
        Service: {
          Type: 'AWS::ECS::Service',
          Properties: { ServiceRegistries: [{ RegistryArn: { 'Fn::GetAtt': ['Registry', 'Arn'] } }] },
        },
      },
      Outputs: { SecretArn: { Value: { Ref: 'Secret' }, Export: { Name: 'secret' } } },
    };
    // WHEN / THEN
    expect(motoProblems(template)).toEqual([
      'Service: Fn::GetAtt Registry.Arn (AWS::ServiceDiscovery::Service)',
      'output SecretArn: Ref Secret (AWS::SecretsManager::Secret)',
    ]);
  });

  test('creates no NAT gateway, which LocalStack cannot', () => {
    // GIVEN the local profile
    // WHEN
    const types = MODULES.flatMap((module) =>
      Object.values(rawTemplateOf('local', module).Resources).map((r) => r.Type),
    );
    // THEN
    expect(types).not.toContain('AWS::EC2::NatGateway');
    expect(types).not.toContain('AWS::EC2::EIP');
  });
});
