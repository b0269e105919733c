import { type CfnResource, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { PORTS, platformNames } from './names';
import type { NetworkProfile, PlatformProfile } from './profiles';

export interface NetworkingStackProps extends StackProps {
  readonly profile: PlatformProfile;
}

/**
 * The seed's networking module: a VPC with one public and one private subnet per
 * availability zone, NAT gateways, the two security groups with the seed's rules,
 * the bucket the load balancer writes its access logs to, and VPC flow logs.
 *
 * What the compute stack places in the network (VPC, subnets, security groups, log bucket) it
 * gets by CloudFormation exports; the NAT gateway IDs, which only a dashboard shows, are
 * published as SSM parameters instead (infra/README.md, "Cross-stack references").
 */
export class NetworkingStack extends Stack {
  /** Key prefix of the load balancer's access logs in {@link albLogsBucket}. */
  public static readonly ALB_LOGS_PREFIX = 'alb';

  public readonly vpc: ec2.IVpc;
  /** Name of the subnet group the load balancer goes into. */
  public readonly publicSubnetGroupName = 'public';
  /** Name of the subnet group the tasks go into. */
  public readonly privateSubnetGroupName = 'private';
  public readonly albSecurityGroup: ec2.ISecurityGroup;
  public readonly serviceSecurityGroup: ec2.ISecurityGroup;
  public readonly albLogsBucket: s3.IBucket;
  public readonly flowLogGroup: logs.ILogGroup;
  /** The NAT gateway IDs, in zone order: within this stack only (other stacks read the parameters). */
  public readonly natGatewayIds: readonly string[];
  /** Names of the SSM parameters holding the NAT gateway IDs, in zone order. */
  public readonly natGatewayIdParameterNames: readonly string[];

  constructor(scope: Construct, id: string, props: NetworkingStackProps) {
    super(scope, id, {
      description:
        'Zama API Platform networking: VPC, subnets, NAT, security groups, ALB log bucket, flow logs',
      ...props,
    });
    const { profile } = props;
    const { network, ingress } = profile;
    const names = platformNames(profile.prefix);
    const logRemovalPolicy =
      profile.onStackDelete === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const natGateways = ec2.NatProvider.gateway();
    const vpc = new ec2.Vpc(this, 'Vpc', {
      vpcName: profile.prefix,
      ipAddresses: new SeedSubnetLayout(network),
      // The stacks stay account-agnostic, so the zones are resolved at deploy time.
      availabilityZones: Array.from({ length: network.availabilityZones }, (_, i) =>
        Fn.select(i, Fn.getAzs()),
      ),
      natGateways: network.natGateways,
      natGatewayProvider: natGateways,
      subnetConfiguration: [
        { name: this.publicSubnetGroupName, subnetType: ec2.SubnetType.PUBLIC },
        {
          name: this.privateSubnetGroupName,
          subnetType:
            network.natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
        },
      ],
      // Nothing here uses the default group; restricting it takes a Lambda-backed custom
      // resource, which no emulator runs (the local profile leaves it).
      restrictDefaultSecurityGroup: network.restrictDefaultSecurityGroup,
    });
    this.vpc = vpc;
    // The CDK's handler of that custom resource lists a DependsOn its Fn::GetAtt already implies
    // (cfn-lint W3005, a warning about generated code we do not own).
    const restrictionHandler = this.node
      .tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider')
      ?.node.tryFindChild('Handler') as CfnResource | undefined;
    restrictionHandler?.addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    // Read by the dashboard at its deploy: changing the number of NAT gateways is then an update
    // of this stack alone, where an export in use would block it.
    this.natGatewayIds = natGateways.configuredGateways.map((gateway) => gateway.gatewayId);
    this.natGatewayIdParameterNames = natGateways.configuredGateways.map((gateway, index) => {
      // The literal name, never the parameter's Ref, which would be an export again.
      const parameterName = names.parameters.natGatewayId(index);
      new ssm.StringParameter(this, `NatGateway${index + 1}IdParameter`, {
        parameterName,
        description: `NAT gateway ${index + 1} of ${profile.prefix} (read by the observability dashboard)`,
        stringValue: gateway.gatewayId,
      });
      return parameterName;
    });

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      logGroupName: names.logGroups.flowLogs,
      retention: profile.logRetentionDays,
      removalPolicy: logRemovalPolicy,
    });
    // Only this account's flow logs of this region may act as the role (confused deputy).
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      description: `Delivers the VPC flow logs of ${profile.prefix} to CloudWatch Logs`,
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }),
          },
        },
      }),
    });
    vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup, flowLogRole),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    this.flowLogGroup = flowLogGroup;

    const albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc,
      description: 'Load balancer: Kong Konnect, admins and in-VPC health checks',
      allowAllOutbound: true,
    });
    // With a certificate, HTTP (the seed's port) only redirects to HTTPS, which they may reach too.
    const listenerPorts = profile.tls.certificateArn === undefined ? [PORTS.api] : [PORTS.api, PORTS.https];
    for (const port of listenerPorts) {
      const suffix = port === PORTS.api ? '' : ', HTTPS';
      for (const cidr of ingress.kongKonnectCidrs) {
        albSecurityGroup.addIngressRule(
          ec2.Peer.ipv4(cidr),
          ec2.Port.tcp(port),
          `Kong Konnect (${cidr})${suffix}`,
        );
      }
      for (const cidr of ingress.adminCidrs) {
        albSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), `Admin (${cidr})${suffix}`);
      }
    }
    albSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(network.vpcCidr),
      ec2.Port.tcp(PORTS.api),
      'Health checks from inside the VPC',
    );
    this.albSecurityGroup = albSecurityGroup;

    const serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc,
      description: 'API tasks: traffic from the load balancer and between tasks',
      allowAllOutbound: true,
    });
    serviceSecurityGroup.addIngressRule(
      albSecurityGroup,
      ec2.Port.tcp(PORTS.api),
      'API from the load balancer',
    );
    serviceSecurityGroup.addIngressRule(
      albSecurityGroup,
      ec2.Port.tcp(PORTS.kongProxy),
      'Kong gateway from the load balancer',
    );
    serviceSecurityGroup.addIngressRule(
      albSecurityGroup,
      ec2.Port.tcp(PORTS.kongAdmin),
      'Kong admin from the load balancer',
    );
    serviceSecurityGroup.addIngressRule(serviceSecurityGroup, ec2.Port.allTraffic(), 'Between tasks');
    this.serviceSecurityGroup = serviceSecurityGroup;

    const albLogsBucket = new s3.Bucket(this, 'AlbLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Load balancers can only write access logs to buckets encrypted with S3-managed keys.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(30),
          // With versioning, expiry only hides a log; drop the hidden version a day later.
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      // Deleting a bucket that still holds logs fails; keep it and its logs instead.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    albLogsBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlbAccessLogDelivery',
        actions: ['s3:PutObject'],
        principals: [albLogDeliveryPrincipal(this.region)],
        resources: [
          albLogsBucket.arnForObjects(`${NetworkingStack.ALB_LOGS_PREFIX}/AWSLogs/${this.account}/*`),
        ],
      }),
    );
    NagSuppressions.addResourceSuppressions(albLogsBucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'This bucket holds access logs itself; logging access to it would need yet another bucket, and only the load balancer writes to it.',
      },
    ]);
    this.albLogsBucket = albLogsBucket;
  }
}

/**
 * Who delivers a load balancer's access logs in a region: the regional Elastic Load
 * Balancing account in regions older than August 2022, the log delivery service elsewhere.
 */
function albLogDeliveryPrincipal(region: string): iam.IPrincipal {
  const account = RegionInfo.get(region).elbv2Account;
  return account
    ? new iam.AccountPrincipal(account)
    : new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com');
}

/**
 * The seed's explicit subnet layout (10.0.1.0/24, 10.0.2.0/24 public; 10.0.10.0/24,
 * 10.0.20.0/24 private) instead of CDK's automatic subdivision of the VPC range.
 */
class SeedSubnetLayout implements ec2.IIpAddresses {
  constructor(private readonly network: NetworkProfile) {}

  allocateVpcCidr(): ec2.VpcIpamOptions {
    return { cidrBlock: this.network.vpcCidr };
  }

  allocateSubnetsCidr(request: ec2.AllocateCidrRequest): ec2.SubnetIpamOptions {
    const unallocated = {
      public: [...this.network.publicSubnetCidrs],
      private: [...this.network.privateSubnetCidrs],
    };
    return {
      allocatedSubnets: request.requestedSubnets.map(({ configuration }) => {
        const pool =
          configuration.subnetType === ec2.SubnetType.PUBLIC ? unallocated.public : unallocated.private;
        const cidr = pool.shift();
        if (!cidr) throw new Error(`No CIDR block left for subnet group "${configuration.name}"`);
        return { cidr };
      }),
    };
  }
}
