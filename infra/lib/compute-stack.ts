import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { API_DOCKERFILE } from './api-image';
import { ApiLoadBalancer } from './api-load-balancer';
import { API_DIR } from './infra-dir';
import { PORTS, platformNames } from './names';
import type { AlarmKey, ImageReference, PlatformProfile } from './profiles';
import { ServiceAlarms } from './service-alarms';
import { formatImageReference } from './settings';

/** Path the load balancer and the container health check probe. */
export const HEALTH_CHECK_PATH = '/healthz';

/**
 * The container health check. It replaces the seed's `curl -f http://localhost:8080/healthz`:
 * the API image has Node.js but no curl. node:http rather than fetch, whose first use loads
 * undici: at 0.25 vCPU that alone took 1.7 s of the check's 2 s timeout.
 */
export const CONTAINER_HEALTH_CHECK_COMMAND = [
  'CMD-SHELL',
  `node -e "require('http').get('http://127.0.0.1:${PORTS.api}${HEALTH_CHECK_PATH}',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"`,
];

/**
 * Metadata key of a scaling policy: the period, in seconds, of the target-tracking alarms that
 * the local data plane creates for it (the profile's `service.scaling.localAlarmPeriodSeconds`).
 */
export const LOCAL_ALARM_PERIOD_METADATA = 'zama:localAlarmPeriodSeconds';

export interface ComputeStackProps extends StackProps {
  readonly profile: PlatformProfile;
  readonly vpc: ec2.IVpc;
  /** Subnet group of the load balancer. */
  readonly publicSubnetGroupName: string;
  /** Subnet group of the tasks. */
  readonly privateSubnetGroupName: string;
  /** Used as is: the networking stack owns every rule (see the seed's rule list). */
  readonly albSecurityGroup: ec2.ISecurityGroup;
  /** Used as is: the networking stack owns every rule (see the seed's rule list). */
  readonly serviceSecurityGroup: ec2.ISecurityGroup;
  /** Bucket whose policy already lets this region's load balancers write under `albLogsPrefix`. */
  readonly albLogsBucket: s3.IBucket;
  readonly albLogsPrefix: string;
  /** Name of the Secrets Manager secret whose JSON reaches the container as `API_KEYS`. */
  readonly apiKeysSecretName: string;
  /**
   * Name of the log group the API container's log driver writes to (it exists before this
   * stack deploys: the observability stack owns it and its metric filter).
   */
  readonly apiLogGroupName: string;
  /** Sum of API error log lines, for the `api_error_count` alarm. */
  readonly apiErrorMetric: cloudwatch.Metric;
  /** Receives every alarm's notifications. */
  readonly alertsTopic: sns.ITopic;
  /**
   * Build context of the API image asset, which the tasks run when the profile names no image
   * (`service.image`): `cdk deploy` builds its `Dockerfile` and publishes the image to the
   * bootstrap ECR repository. Only what its .dockerignore admits counts for the asset hash.
   * @default - this repository's api/ (lib/api-image.ts)
   */
  readonly apiImageContext?: string;
}

/**
 * The seed's compute module: an ECS cluster with Container Insights and ECS Exec, the
 * API as a Fargate service behind an internet-facing load balancer (Kong Konnect calls
 * it), Cloud Map service discovery, CPU and memory auto scaling and the seed's alarms.
 */
export class ComputeStack extends Stack {
  public readonly cluster: ecs.Cluster;
  public readonly service: ecs.FargateService;
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Where Kong Konnect and the admin addresses reach the API (HTTPS with a certificate). */
  public readonly apiUrl: string;
  public readonly alarms: Readonly<Record<AlarmKey, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, {
      description: 'Zama API Platform compute: ECS cluster and API service, load balancer, scaling, alarms',
      ...props,
    });
    const { profile, vpc } = props;
    const settings = profile.service;
    const names = platformNames(profile.prefix);

    // Imported read-only so that attaching the service to the load balancer cannot add
    // rules beyond the seed's list.
    const albSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
      this,
      'AlbSecurityGroup',
      props.albSecurityGroup.securityGroupId,
      { mutable: false },
    );
    const serviceSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
      this,
      'ServiceSecurityGroup',
      props.serviceSecurityGroup.securityGroupId,
      { mutable: false },
    );

    const execLogGroup = new logs.LogGroup(this, 'ExecLogGroup', {
      logGroupName: names.logGroups.ecsExec,
      retention: profile.logRetentionDays,
      removalPolicy: profile.onStackDelete === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: names.cluster,
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      executeCommandConfiguration: {
        logging: ecs.ExecuteCommandLogging.OVERRIDE,
        logConfiguration: { cloudWatchLogGroup: execLogGroup },
      },
    });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: names.apiService,
      cpu: settings.cpu,
      memoryLimitMiB: settings.memoryMiB,
    });
    const healthCheck = settings.containerHealthCheck;
    taskDefinition.addContainer('api', {
      containerName: 'api',
      image: settings.image ? this.registryImage(settings.image) : this.assetImage(props.apiImageContext),
      cpu: settings.cpu,
      memoryLimitMiB: settings.memoryMiB,
      essential: true,
      portMappings: [{ containerPort: PORTS.api, protocol: ecs.Protocol.TCP }],
      environment: {
        PORT: String(PORTS.api),
        // The seed's GIN_MODE=release for a Go API; the same switch for a Node.js one.
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        ...(settings.faultInjection ? { FAULT_INJECTION_ENABLED: 'true' } : {}),
      },
      secrets: {
        API_KEYS: ecs.Secret.fromSecretsManager(
          secretsmanager.Secret.fromSecretNameV2(this, 'ApiKeysSecret', props.apiKeysSecretName),
        ),
      },
      healthCheck: {
        command: CONTAINER_HEALTH_CHECK_COMMAND,
        interval: Duration.seconds(healthCheck.intervalSeconds),
        timeout: Duration.seconds(healthCheck.timeoutSeconds),
        retries: healthCheck.retries,
        startPeriod: Duration.seconds(healthCheck.startPeriodSeconds),
      },
      logging: ecs.LogDrivers.awsLogs({
        logGroup: logs.LogGroup.fromLogGroupName(this, 'ApiLogGroup', props.apiLogGroupName),
        streamPrefix: 'api',
      }),
    });

    const namespace = new servicediscovery.PrivateDnsNamespace(this, 'ServiceDiscoveryNamespace', {
      name: names.serviceDiscoveryNamespace,
      vpc,
      description: `Private DNS of ${profile.prefix}: the API answers at api.${names.serviceDiscoveryNamespace}`,
    });
    const service = new ecs.FargateService(this, 'Service', {
      serviceName: names.apiService,
      cluster,
      taskDefinition,
      // No DesiredCount: auto scaling owns the count (from minCount up), and a deploy that set one
      // would reset a scaled-out service. CloudFormation starts a new service with one task.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      vpcSubnets: { subnetGroupName: props.privateSubnetGroupName },
      securityGroups: [serviceSecurityGroup],
      assignPublicIp: false,
      circuitBreaker: { enable: true, rollback: true },
      enableExecuteCommand: true,
      healthCheckGracePeriod: Duration.seconds(healthCheck.startPeriodSeconds),
      cloudMapOptions: {
        cloudMapNamespace: namespace,
        name: 'api',
        dnsRecordType: servicediscovery.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
      },
    });
    // The registry ARN built from the Cloud Map service's Ref (its ID) equals its Arn
    // attribute on AWS; moto's CloudFormation skips Cloud Map and fails a stack on any
    // Fn::GetAtt of a skipped resource, but leaves a Ref unresolved.
    const cloudMapService = service.cloudMapService?.node.defaultChild as servicediscovery.CfnService;
    (service.node.defaultChild as ecs.CfnService).addPropertyOverride(
      'ServiceRegistries.0.RegistryArn',
      this.formatArn({ service: 'servicediscovery', resource: 'service', resourceName: cloudMapService.ref }),
    );

    const targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      // Generated on AWS: a change of port or protocol replaces a target group, which a fixed
      // name would make fail. The emulators' stand-in needs the name (see the profile).
      targetGroupName: settings.namedTargetGroup ? names.targetGroup : undefined,
      vpc,
      port: PORTS.api,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(settings.deregistrationDelaySeconds),
      healthCheck: {
        path: HEALTH_CHECK_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(settings.targetHealthCheck.intervalSeconds),
        timeout: Duration.seconds(settings.targetHealthCheck.timeoutSeconds),
        healthyThresholdCount: settings.targetHealthCheck.healthyThreshold,
        unhealthyThresholdCount: settings.targetHealthCheck.unhealthyThreshold,
      },
      targets: [service.loadBalancerTarget({ containerName: 'api', containerPort: PORTS.api })],
    });

    const api = new ApiLoadBalancer(this, 'LoadBalancer', {
      loadBalancerName: names.loadBalancer,
      vpc,
      vpcSubnets: { subnetGroupName: props.publicSubnetGroupName },
      securityGroup: albSecurityGroup,
      targetGroup,
      httpPort: PORTS.api,
      ...(profile.tls.certificateArn !== undefined
        ? {
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', profile.tls.certificateArn),
            httpsPort: PORTS.https,
            domainName: profile.tls.domainName,
          }
        : {}),
      // The networking stack's bucket policy already admits this region's log delivery.
      accessLogs: { bucket: props.albLogsBucket, prefix: props.albLogsPrefix },
    });
    const loadBalancer = api.loadBalancer;

    const scaling = service.autoScaleTaskCount({
      minCapacity: settings.minCount,
      maxCapacity: settings.maxCount,
    });
    const cooldowns = {
      scaleOutCooldown: Duration.seconds(settings.scaling.scaleOutCooldownSeconds),
      scaleInCooldown: Duration.seconds(settings.scaling.scaleInCooldownSeconds),
    };
    scaling.scaleOnCpuUtilization('CpuScaling', {
      targetUtilizationPercent: settings.cpuTargetPercent,
      ...cooldowns,
    });
    scaling.scaleOnMemoryUtilization('MemoryScaling', {
      targetUtilizationPercent: settings.memoryTargetPercent,
      ...cooldowns,
    });
    const { localAlarmPeriodSeconds } = settings.scaling;
    if (localAlarmPeriodSeconds !== undefined) {
      for (const policy of scaling.node.findAll()) {
        if (policy instanceof appscaling.CfnScalingPolicy) {
          policy.cfnOptions.metadata = { [LOCAL_ALARM_PERIOD_METADATA]: localAlarmPeriodSeconds };
        }
      }
    }

    this.alarms = new ServiceAlarms(this, 'Alarms', {
      profile,
      loadBalancer,
      targetGroup,
      cluster,
      service,
      apiErrorMetric: props.apiErrorMetric,
      kongServiceName: names.kongService,
      alertsTopic: props.alertsTopic,
    }).alarms;

    // Kong Konnect's upstream (README, "Kong Konnect (AWS)"): HTTPS wherever there is a certificate.
    new CfnOutput(this, 'ApiUrl', {
      description: 'Where Kong Konnect (and the admin addresses) reach the API',
      value: api.url,
    });
    new CfnOutput(this, 'LoadBalancerDnsName', {
      description: 'The DNS name a record of tls.domainName points at (CNAME or alias)',
      value: loadBalancer.loadBalancerDnsName,
    });
    this.apiUrl = api.url;

    this.cluster = cluster;
    this.service = service;
    this.loadBalancer = loadBalancer;
    this.targetGroup = targetGroup;

    NagSuppressions.addResourceSuppressions(taskDefinition, [
      {
        id: 'AwsSolutions-ECS2',
        reason:
          'The environment holds only non-secret settings (port, log level and format, the local fault switch); API keys arrive as ECS secrets.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      taskDefinition,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'ECS Exec needs the ssmmessages channel actions, which support no resource-level permissions (as ecr:GetAuthorizationToken, when the image is in ECR), and may write any stream of its one exec log group ("<log group ARN>:*"); the awslogs driver writes one stream per task to the API log group, so the execution role may write any stream of that one group.',
          appliesTo: [
            'Resource::*',
            {
              regex:
                '/^Resource::arn:aws:logs:[a-z0-9-]+:<AWS::AccountId>:log-group:<ExecLogGroup[0-9A-F]+>:\\*$/',
            },
            {
              regex:
                '/^Resource::arn:aws:logs:[a-z0-9-]+:<AWS::AccountId>:log-group:\\/aws\\/ecs\\/[a-z0-9-]+\\/api:\\*$/',
            },
          ],
        },
      ],
      true,
    );
  }

  /**
   * The API image asset: built from the context's Dockerfile by `cdk deploy` (and by `make
   * build-image-assets`, from the asset manifest, as the CLI would) and pushed to the bootstrap
   * ECR repository, which the execution role is then allowed to pull from.
   */
  private assetImage(context: string = API_DIR): ecs.ContainerImage {
    // A missing Dockerfile would otherwise surface only as the CLI's docker build failing.
    if (!existsSync(join(context, API_DOCKERFILE))) {
      throw new Error(`The API image asset's build context ${context} has no ${API_DOCKERFILE}`);
    }
    return ecs.ContainerImage.fromAsset(context, {
      file: API_DOCKERFILE,
      // The task definition names no runtime platform, so Fargate runs it on X86_64: an image
      // built on an arm64 machine must still be amd64 (the CLI passes --platform).
      platform: Platform.LINUX_AMD64,
      displayName: 'API image (api/Dockerfile)',
    });
  }

  /**
   * The image from its registry; one in an ECR repository is pulled with the execution role,
   * which is then allowed to read that repository.
   */
  private registryImage(image: ImageReference): ecs.ContainerImage {
    const ecrImage = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/(.+)$/.exec(image.repository);
    if (!ecrImage) return ecs.ContainerImage.fromRegistry(formatImageReference(image));
    const [, account, region, repositoryName] = ecrImage as unknown as [string, string, string, string];
    const repository = ecr.Repository.fromRepositoryAttributes(this, 'ApiImageRepository', {
      repositoryName,
      repositoryArn: `arn:${this.partition}:ecr:${region}:${account}:repository/${repositoryName}`,
    });
    return ecs.ContainerImage.fromEcrRepository(repository, image.digest ?? image.tag ?? 'latest');
  }
}
