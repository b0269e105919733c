import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { NetworkingStack } from '../lib/networking-stack';
import { type PlatformProfile, PROFILES } from '../lib/profiles';
import { cdkJsonContext } from '../lib/synthesize';
import { logicalIdsOf, templateOf } from './support';

function synthesizeNetworking(profile: PlatformProfile): Template {
  const app = new App({ context: cdkJsonContext(), builtinCloudFormationValidation: false });
  return Template.fromStack(
    new NetworkingStack(app, 'Networking', { env: { region: profile.region }, profile }),
  );
}

describe('NetworkingStack', () => {
  test('creates the VPC with the profile CIDR block and DNS', () => {
    // GIVEN the dev profile (the seed's network)
    // WHEN
    const template = templateOf('dev', 'networking');
    // THEN
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::VPC', {
      CidrBlock: '10.0.0.0/16',
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
    });
  });

  test('puts one public and one private subnet with the seed CIDR blocks in each availability zone', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'networking');
    // THEN
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    for (const [zone, publicCidr, privateCidr] of [
      [0, '10.0.1.0/24', '10.0.10.0/24'],
      [1, '10.0.2.0/24', '10.0.20.0/24'],
    ] as const) {
      const availabilityZone = { 'Fn::Select': [zone, { 'Fn::GetAZs': '' }] };
      template.hasResourceProperties('AWS::EC2::Subnet', {
        CidrBlock: publicCidr,
        AvailabilityZone: availabilityZone,
        MapPublicIpOnLaunch: true,
      });
      template.hasResourceProperties('AWS::EC2::Subnet', {
        CidrBlock: privateCidr,
        AvailabilityZone: availabilityZone,
        MapPublicIpOnLaunch: false,
      });
    }
  });

  test('routes each private subnet through its own NAT gateway and the public ones through the internet gateway', () => {
    // GIVEN the dev profile (2 NAT gateways)
    // WHEN
    const template = templateOf('dev', 'networking');
    // THEN
    template.resourceCountIs('AWS::EC2::InternetGateway', 1);
    template.resourceCountIs('AWS::EC2::VPCGatewayAttachment', 1);
    template.resourceCountIs('AWS::EC2::EIP', 2);
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    expect(logicalIdsOf(template, 'AWS::EC2::Route', { NatGatewayId: Match.anyValue() })).toHaveLength(2);
    expect(logicalIdsOf(template, 'AWS::EC2::Route', { GatewayId: Match.anyValue() })).toHaveLength(2);
    template.resourceCountIs('AWS::EC2::SubnetRouteTableAssociation', 4);
  });

  test('leaves the private subnets isolated when the profile has no NAT gateway', () => {
    // GIVEN the local profile (no NAT gateway)
    // WHEN
    const template = templateOf('local', 'networking');
    // THEN
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    expect(logicalIdsOf(template, 'AWS::EC2::Route', { NatGatewayId: Match.anyValue() })).toHaveLength(0);
    template.resourceCountIs('AWS::EC2::Subnet', 4);
  });

  test('spreads the subnets over as many availability zones as the profile asks for', () => {
    // GIVEN a profile with three zones
    const profile: PlatformProfile = {
      ...PROFILES.dev,
      network: {
        vpcCidr: '10.1.0.0/16',
        availabilityZones: 3,
        publicSubnetCidrs: ['10.1.1.0/24', '10.1.2.0/24', '10.1.3.0/24'],
        privateSubnetCidrs: ['10.1.10.0/24', '10.1.20.0/24', '10.1.30.0/24'],
        natGateways: 1,
        restrictDefaultSecurityGroup: true,
      },
    };
    // WHEN
    const template = synthesizeNetworking(profile);
    // THEN
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::Subnet', {
      CidrBlock: '10.1.30.0/24',
      AvailabilityZone: { 'Fn::Select': [2, { 'Fn::GetAZs': '' }] },
    });
  });

  test('lets only Kong Konnect, the admins and in-VPC health checks reach the load balancer, on 8080', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'networking');
    // THEN
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Load balancer'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '205.234.240.62/32', IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080 }),
        Match.objectLike({ CidrIp: '88.181.233.30/32', IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080 }),
        Match.objectLike({ CidrIp: '10.0.0.0/16', IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080 }),
      ],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })],
    });
  });

  test('takes the allowed addresses from the profile, not from the stack code', () => {
    // GIVEN a profile with other Kong Konnect and admin addresses
    const profile: PlatformProfile = {
      ...PROFILES.dev,
      ingress: { kongKonnectCidrs: ['192.0.2.10/32', '192.0.2.11/32'], adminCidrs: ['198.51.100.7/32'] },
    };
    // WHEN
    const template = synthesizeNetworking(profile);
    // THEN
    const albGroup = Object.values(
      template.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('^Load balancer') },
      }),
    )[0] as { Properties: { SecurityGroupIngress: Array<{ CidrIp: string }> } };
    expect(albGroup.Properties.SecurityGroupIngress.map((rule) => rule.CidrIp)).toEqual([
      '192.0.2.10/32',
      '192.0.2.11/32',
      '198.51.100.7/32',
      '10.0.0.0/16',
    ]);
    expect(JSON.stringify(template.toJSON())).not.toContain('205.234.240.62');
  });

  test('lets the tasks receive the API, Kong gateway and Kong admin ports from the load balancer and each other', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'networking');
    // THEN
    const [albGroup] = logicalIdsOf(template, 'AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Load balancer'),
    });
    const [serviceGroup] = logicalIdsOf(template, 'AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^API tasks'),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^API tasks'),
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })],
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 4);
    for (const port of [8080, 8000, 8001]) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [serviceGroup, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [albGroup, 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
      });
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [serviceGroup, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [serviceGroup, 'GroupId'] },
      IpProtocol: '-1',
    });
  });

  test('keeps the load balancer logs private, encrypted, versioned and for 30 days', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'networking');
    // THEN
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Status: 'Enabled',
              ExpirationInDays: 30,
              NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            }),
          ],
        },
      },
    });
  });

  test('admits only TLS requests and the load balancer log delivery of the region to the log bucket', () => {
    // GIVEN the dev profile in eu-west-3, whose load balancers deliver logs as account 009996457667
    // WHEN
    const template = templateOf('dev', 'networking');
    // THEN
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          {
            Sid: 'AlbAccessLogDelivery',
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: { AWS: 'arn:aws:iam::009996457667:root' },
            Resource: {
              'Fn::Join': ['', [Match.anyValue(), '/alb/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']],
            },
          },
        ],
      },
    });
  });

  test('sends every flow of the VPC to a log group kept as long as the profile says', () => {
    // GIVEN the dev profile (7-day retention)
    // WHEN
    const template = templateOf('dev', 'networking');
    // THEN
    const [flowLogGroup] = logicalIdsOf(template, 'AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vpc/flow-logs/zama-api-platform-dev',
      RetentionInDays: 7,
    });
    expect(flowLogGroup).toBeDefined();
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: flowLogGroup },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'vpc-flow-logs.amazonaws.com' } })],
      },
    });
  });

  test("lets only this account's flow logs of this region assume the flow log role", () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'networking');
    // THEN the trust policy is scoped against the confused deputy
    const [role] = logicalIdsOf(template, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:aws:ec2:eu-west-3:', { Ref: 'AWS::AccountId' }, ':vpc-flow-log/*']],
                },
              },
            },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      DeliverLogsPermissionArn: { 'Fn::GetAtt': [role, 'Arn'] },
    });
  });

  test.each([
    ['dev', 1],
    ['prod', 1],
    ['local', 0],
  ] as const)('%s: restricts the default security group on AWS only (%s)', (profile, count) => {
    // GIVEN the profile
    // WHEN
    const template = templateOf(profile, 'networking');
    // THEN the emulators, which run no Lambda, keep it as it is
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', count);
  });

  test('with a certificate, lets Kong Konnect and the admins reach HTTPS too', () => {
    // GIVEN the prod profile, which has a certificate
    // WHEN
    const template = templateOf('prod', 'networking');
    // THEN
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Load balancer'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '205.234.240.62/32', FromPort: 8080, ToPort: 8080 }),
        Match.objectLike({ CidrIp: '88.181.233.30/32', FromPort: 8080, ToPort: 8080 }),
        Match.objectLike({ CidrIp: '205.234.240.62/32', FromPort: 443, ToPort: 443 }),
        Match.objectLike({ CidrIp: '88.181.233.30/32', FromPort: 443, ToPort: 443 }),
        Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 8080, ToPort: 8080 }),
      ],
    });
  });
});
