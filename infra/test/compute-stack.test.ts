import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ApiLoadBalancer, type ApiLoadBalancerProps } from '../lib/api-load-balancer';
import { CONTAINER_HEALTH_CHECK_COMMAND, LOCAL_ALARM_PERIOD_METADATA } from '../lib/compute-stack';
import { PROFILE_NAMES, PROFILES } from '../lib/profiles';
import { EXAMPLE_SETTINGS } from '../lib/settings';
import { logicalIdsOf, rawTemplateOf, templateOf, templatesWith } from './support';

/** `Fn::ImportValue` of an export of one of the other stacks, matched by the exported logical ID. */
const importOf = (stack: string, exported: RegExp | string) => ({
  'Fn::ImportValue': Match.stringLikeRegexp(`^zama-api-platform-dev-${stack}:ExportsOutput.*${exported}`),
});

describe('ComputeStack', () => {
  test('runs a cluster with Container Insights and ECS Exec sessions logged to their own log group', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    const [execLogGroup] = logicalIdsOf(template, 'AWS::Logs::LogGroup', {
      LogGroupName: '/aws/ecs/zama-api-platform-dev/exec',
      RetentionInDays: 7,
    });
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: 'zama-api-platform-dev',
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      Configuration: {
        ExecuteCommandConfiguration: {
          Logging: 'OVERRIDE',
          LogConfiguration: { CloudWatchLogGroupName: { Ref: execLogGroup } },
        },
      },
    });
  });

  test('defines the seed container with its port, environment and API keys as an ECS secret', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'zama-api-platform-dev-api',
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '256',
      Memory: '512',
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'api',
          // The image asset cdk deploy builds from api/ (test/api-image.test.ts).
          Image: { 'Fn::Sub': Match.stringLikeRegexp(':[0-9a-f]{64}$') },
          Cpu: 256,
          Memory: 512,
          Essential: true,
          PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }],
          Environment: [
            { Name: 'PORT', Value: '8080' },
            { Name: 'NODE_ENV', Value: 'production' },
            { Name: 'LOG_LEVEL', Value: 'info' },
            { Name: 'LOG_FORMAT', Value: 'json' },
          ],
          Secrets: [
            {
              Name: 'API_KEYS',
              ValueFrom: {
                'Fn::Join': [
                  '',
                  [
                    'arn:aws:secretsmanager:eu-west-3:',
                    { Ref: 'AWS::AccountId' },
                    ':secret:zama-api-platform-dev/api-keys',
                  ],
                ],
              },
            },
          ],
          LogConfiguration: {
            LogDriver: 'awslogs',
            Options: {
              // By name: the observability stack owns the group (no export).
              'awslogs-group': '/aws/ecs/zama-api-platform-dev/api',
              'awslogs-stream-prefix': 'api',
              'awslogs-region': 'eu-west-3',
            },
          },
        }),
      ],
    });
  });

  test.each([
    ['local', true],
    ['dev', false],
    ['prod', false],
  ] as const)(
    '%s: the fault injection switch is on only in the local task definition (%s)',
    (profile, on) => {
      // GIVEN the profile
      // WHEN
      const template = templateOf(profile, 'compute');
      // THEN
      const faultSwitch = { Name: 'FAULT_INJECTION_ENABLED', Value: 'true' };
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [
          Match.objectLike({
            Name: 'api',
            Environment: on
              ? Match.arrayWith([faultSwitch])
              : Match.not(Match.arrayWith([Match.objectLike({ Name: 'FAULT_INJECTION_ENABLED' })])),
          }),
        ],
      });
    },
  );

  test('checks the container health on /healthz with Node.js and the seed timings', () => {
    // GIVEN the dev profile (interval 30 s, timeout 5 s, 3 retries, 60 s start period)
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    expect(CONTAINER_HEALTH_CHECK_COMMAND).toEqual([
      'CMD-SHELL',
      `node -e "require('http').get('http://127.0.0.1:8080/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"`,
    ]);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          HealthCheck: {
            Command: CONTAINER_HEALTH_CHECK_COMMAND,
            Interval: 30,
            Timeout: 5,
            Retries: 3,
            StartPeriod: 60,
          },
        }),
      ],
    });
  });

  test('lets the execution role pull the image and read exactly the API keys secret and write exactly the API log group', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    const executionRole = rawTemplateOf('dev', 'compute').Resources.TaskDefinitionB36D86D9?.Properties
      ?.ExecutionRoleArn;
    expect(executionRole).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^TaskDefinitionExecutionRole/), 'Arn'],
    });
    const roleId = (executionRole as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })],
      },
      ManagedPolicyArns: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          // Pulling the image asset from the bootstrap repository (test/api-image.test.ts).
          Match.objectLike({ Action: Match.arrayWith(['ecr:BatchGetImage']) }),
          Match.objectLike({ Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:aws:logs:eu-west-3:',
                  { Ref: 'AWS::AccountId' },
                  ':log-group:/aws/ecs/zama-api-platform-dev/api:*',
                ],
              ],
            },
          },
          {
            Effect: 'Allow',
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:aws:secretsmanager:eu-west-3:',
                  { Ref: 'AWS::AccountId' },
                  ':secret:zama-api-platform-dev/api-keys-??????',
                ],
              ],
            },
          },
        ],
      },
    });
  });

  test('gives the tasks only what ECS Exec needs', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    const taskRole = rawTemplateOf('dev', 'compute').Resources.TaskDefinitionB36D86D9?.Properties
      ?.TaskRoleArn as {
      'Fn::GetAtt': string[];
    };
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: taskRole['Fn::GetAtt'][0] }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'logs:DescribeLogGroups',
              'ssmmessages:CreateControlChannel',
              'ssmmessages:CreateDataChannel',
              'ssmmessages:OpenControlChannel',
              'ssmmessages:OpenDataChannel',
            ],
            Resource: '*',
          },
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
            Resource: Match.objectLike({
              'Fn::Join': ['', Match.arrayWith([{ Ref: Match.stringLikeRegexp('^ExecLogGroup') }])],
            }),
          },
        ],
      },
    });
  });

  test('runs the service on Fargate in the private subnets with circuit breaker, rollback and ECS Exec', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'zama-api-platform-dev-api',
      LaunchType: 'FARGATE',
      EnableExecuteCommand: true,
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
      HealthCheckGracePeriodSeconds: 60,
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          SecurityGroups: [importOf('networking', 'ServiceSecurityGroup')],
          Subnets: [importOf('networking', 'VpcprivateSubnet1'), importOf('networking', 'VpcprivateSubnet2')],
        },
      },
      LoadBalancers: [
        {
          ContainerName: 'api',
          ContainerPort: 8080,
          TargetGroupArn: { Ref: Match.stringLikeRegexp('^TargetGroup') },
        },
      ],
    });
  });

  test('registers the tasks in Cloud Map as api.<prefix>.local', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    const [namespace] = logicalIdsOf(template, 'AWS::ServiceDiscovery::PrivateDnsNamespace', {
      Name: 'zama-api-platform-dev.local',
    });
    const [cloudMapService] = logicalIdsOf(template, 'AWS::ServiceDiscovery::Service', {
      Name: 'api',
      NamespaceId: { 'Fn::GetAtt': [namespace, 'Id'] },
      DnsConfig: Match.objectLike({ DnsRecords: [{ Type: 'A', TTL: 10 }] }),
    });
    expect(cloudMapService).toBeDefined();
    // The registry ARN is built from the Cloud Map service's Ref, never a Fn::GetAtt (see emulators test).
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceRegistries: [
        {
          RegistryArn: {
            'Fn::Join': [
              '',
              [
                'arn:aws:servicediscovery:eu-west-3:',
                { Ref: 'AWS::AccountId' },
                ':service/',
                { Ref: cloudMapService },
              ],
            ],
          },
        },
      ],
    });
  });

  test('puts an internet-facing load balancer with access logs in the public subnets, listening on 8080', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    const [loadBalancer] = logicalIdsOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Name: 'zama-api-platform-dev-alb',
      Scheme: 'internet-facing',
      Type: 'application',
      SecurityGroups: [importOf('networking', 'AlbSecurityGroup')],
      Subnets: [importOf('networking', 'VpcpublicSubnet1'), importOf('networking', 'VpcpublicSubnet2')],
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: importOf('networking', 'RefAlbLogsBucket') },
        { Key: 'access_logs.s3.prefix', Value: 'alb' },
      ]),
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      LoadBalancerArn: { Ref: loadBalancer },
      Port: 8080,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^TargetGroup') } }],
    });
  });

  test('health-checks the targets on /healthz with the profile timings', () => {
    // GIVEN the dev and local profiles
    // WHEN
    const dev = templateOf('dev', 'compute');
    const local = templateOf('local', 'compute');
    // THEN
    const common = {
      Port: 8080,
      Protocol: 'HTTP',
      TargetType: 'ip',
      HealthCheckPath: '/healthz',
      Matcher: { HttpCode: '200' },
    };
    dev.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      ...common,
      Name: Match.absent(),
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
    local.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      ...common,
      Name: 'zama-api-platform-local-api-tg',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      UnhealthyThresholdCount: 2,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }]),
    });
  });

  test('scales between 1 and 5 tasks on CPU and memory at 70 %', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 5,
      ScalableDimension: 'ecs:service:DesiredCount',
      ServiceNamespace: 'ecs',
    });
    for (const metric of ['ECSServiceAverageCPUUtilization', 'ECSServiceAverageMemoryUtilization']) {
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          PredefinedMetricSpecification: { PredefinedMetricType: metric },
          TargetValue: 70,
          ScaleOutCooldown: 60,
          ScaleInCooldown: 300,
        },
      });
    }
  });

  test('adds no security group rule of its own: the networking stack owns them all', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });

  test('publishes where the API answers', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    template.hasOutput('ApiUrl', {
      Value: {
        'Fn::Join': [
          '',
          ['http://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^LoadBalancer'), 'DNSName'] }, ':8080'],
        ],
      },
    });
  });

  test.each(PROFILE_NAMES)(
    '%s: auto scaling owns the task count, so the service has no DesiredCount and starts at minCount',
    (profile) => {
      // GIVEN the profile
      // WHEN
      const template = templateOf(profile, 'compute');
      // THEN a deploy never resets a scaled-out service
      template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: Match.absent() });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        MinCapacity: PROFILES[profile].service.minCount,
        MaxCapacity: PROFILES[profile].service.maxCount,
      });
    },
  );

  test.each(PROFILE_NAMES)(
    '%s: both target-tracking policies use the profile cooldowns, and only local names its alarm period',
    (profile) => {
      // GIVEN
      const { scaling, cpuTargetPercent, memoryTargetPercent } = PROFILES[profile].service;
      // WHEN
      const template = templateOf(profile, 'compute');
      // THEN
      const policies = template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy');
      const targets = Object.values(policies).map(({ Properties, Metadata }) => ({
        metric:
          Properties.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification
            .PredefinedMetricType,
        target: Properties.TargetTrackingScalingPolicyConfiguration.TargetValue,
        out: Properties.TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown,
        in: Properties.TargetTrackingScalingPolicyConfiguration.ScaleInCooldown,
        period: Metadata?.[LOCAL_ALARM_PERIOD_METADATA],
      }));
      const expected = {
        out: scaling.scaleOutCooldownSeconds,
        in: scaling.scaleInCooldownSeconds,
        period: profile === 'local' ? 10 : undefined,
      };
      expect(targets.sort((a, b) => a.metric.localeCompare(b.metric))).toEqual([
        { metric: 'ECSServiceAverageCPUUtilization', target: cpuTargetPercent, ...expected },
        { metric: 'ECSServiceAverageMemoryUtilization', target: memoryTargetPercent, ...expected },
      ]);
    },
  );

  test('serves HTTPS with a current TLS policy where the profile has a certificate, and redirects HTTP to it', () => {
    // GIVEN the prod profile, which requires a certificate
    // WHEN
    const template = templateOf('prod', 'compute');
    // THEN
    const [loadBalancer] = logicalIdsOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      LoadBalancerArn: { Ref: loadBalancer },
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-PQ-2025-09',
      Certificates: [{ CertificateArn: EXAMPLE_SETTINGS.prod.certificateArn }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^TargetGroup') } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      LoadBalancerArn: { Ref: loadBalancer },
      Port: 8080,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ],
    });
    // Kong Konnect's upstream is the API URL: HTTPS.
    template.hasOutput('ApiUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [loadBalancer, 'DNSName'] }]] },
    });
  });

  test('gives Kong Konnect the certificate domain as upstream when the profile names one', () => {
    // GIVEN dev with a certificate and the domain it covers
    const certificateArn =
      'arn:aws:acm:eu-west-3:111122223333:certificate/11111111-2222-4333-8444-555555555555';
    // WHEN
    const template = Template.fromJSON(
      templatesWith('dev', { certificateArn, domainName: 'api.dev.example.com' }).compute,
    );
    // THEN
    template.hasOutput('ApiUrl', { Value: 'https://api.dev.example.com' });
    template.hasOutput('LoadBalancerDnsName', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LoadBalancer'), 'DNSName'] },
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: certificateArn }],
    });
  });

  test('pulls the image the settings name, pinned by its digest', () => {
    // GIVEN an image reference with a digest
    const digest = `sha256:${'ab'.repeat(32)}`;
    // WHEN
    const template = Template.fromJSON(
      templatesWith('dev', { apiImage: `ghcr.io/zama/api:1.2.3@${digest}` }).compute,
    );
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Image: `ghcr.io/zama/api@${digest}` })],
    });
  });

  test('lets the execution role pull an ECR image from exactly its repository', () => {
    // GIVEN an image in an ECR repository
    const repository = '123456789012.dkr.ecr.eu-west-3.amazonaws.com/zama/api';
    // WHEN
    const template = Template.fromJSON(templatesWith('dev', { apiImage: `${repository}:1.2.3` }).compute);
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Image: Match.objectLike({ 'Fn::Join': Match.anyValue() }) })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Resource: 'arn:aws:ecr:eu-west-3:123456789012:repository/zama/api',
          }),
          Match.objectLike({ Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
        ]),
      },
    });
  });
});

describe('ApiLoadBalancer', () => {
  function given(props: (stack: Stack) => Partial<ApiLoadBalancerProps> = () => ({})) {
    const stack = new Stack(new App(), 'Stack', { env: { region: 'eu-west-3' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    const targetGroup = new elbv2.ApplicationTargetGroup(stack, 'Targets', {
      vpc,
      port: 8080,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
    });
    const securityGroup = new ec2.SecurityGroup(stack, 'Group', { vpc });
    const create = () =>
      new ApiLoadBalancer(stack, 'Api', {
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
        securityGroup,
        targetGroup,
        ...props(stack),
      });
    return { stack, create };
  }
  const certificate = (stack: Stack) =>
    acm.Certificate.fromCertificateArn(
      stack,
      'Certificate',
      'arn:aws:acm:eu-west-3:111122223333:certificate/00000000-0000-4000-8000-000000000000',
    );

  test('serves HTTP on port 80 by default and opens no security group rule', () => {
    // GIVEN no certificate
    const { stack, create } = given();
    // WHEN
    const api = create();
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(api.redirectListener).toBeUndefined();
    expect(JSON.stringify(stack.resolve(api.url))).toMatch(
      /^\{"Fn::Join":\["",\["http:\/\/",.*"DNSName"\]\},":80"\]\]\}$/,
    );
  });

  test('takes the HTTPS port and TLS policy it is given', () => {
    // GIVEN a certificate, a port and an explicit policy
    const { stack, create } = given((scope) => ({
      certificate: certificate(scope),
      sslPolicy: elbv2.SslPolicy.TLS13_13,
      httpsPort: 8443,
    }));
    // WHEN
    const api = create();
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [
        Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '8443' }) }),
      ],
    });
    expect(api.redirectListener).toBeDefined();
    expect(JSON.stringify(stack.resolve(api.url))).toMatch(
      /^\{"Fn::Join":\["",\["https:\/\/",.*":8443"\]\]\}$/,
    );
  });

  test.each<[string, (stack: Stack) => Partial<ApiLoadBalancerProps>, RegExp]>([
    ['an HTTPS port without a certificate', () => ({ httpsPort: 443 }), /httpsPort needs a certificate/],
    [
      'a TLS policy without a certificate',
      () => ({ sslPolicy: elbv2.SslPolicy.TLS13_13 }),
      /sslPolicy needs a certificate/,
    ],
    [
      'a domain name without a certificate',
      () => ({ domainName: 'api.example.com' }),
      /domainName needs a certificate/,
    ],
    ['a port out of range', () => ({ httpPort: 70000 }), /httpPort 70000 is not a port number/],
    [
      'the same port for HTTP and HTTPS',
      (stack) => ({ certificate: certificate(stack), httpPort: 443 }),
      /httpPort and httpsPort must differ/,
    ],
  ])('rejects %s', (_, props, message) => {
    // GIVEN invalid props
    const { create } = given(props);
    // WHEN / THEN
    expect(create).toThrow(message);
  });
});
