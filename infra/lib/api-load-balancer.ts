import { Token } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Where the load balancer writes its access logs. */
export interface AccessLogsOptions {
  /** A bucket whose policy already lets this region's load balancers write under `prefix`. */
  readonly bucket: s3.IBucket;
  readonly prefix: string;
}

export interface ApiLoadBalancerProps {
  readonly vpc: ec2.IVpc;
  /** Where the load balancer's nodes go. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /**
   * Used as is: who may connect is this group's rules, never "anyone" (no listener opens it).
   * Pass an immutable import to keep every rule with the group's owner.
   */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Receives every request (HTTPS where there is a certificate, else HTTP). */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** @default - a name CloudFormation generates */
  readonly loadBalancerName?: string;
  /**
   * Port of the HTTP listener, which forwards to the target group without a certificate and
   * redirects to HTTPS with one.
   * @default 80
   */
  readonly httpPort?: number;
  /** @default - HTTP only */
  readonly certificate?: acm.ICertificate;
  /**
   * Port of the HTTPS listener; only with `certificate`.
   * @default 443
   */
  readonly httpsPort?: number;
  /**
   * TLS policy of the HTTPS listener; only with `certificate`.
   * @default elbv2.SslPolicy.TLS13_12_PQ (TLS 1.3 and 1.2, post-quantum key exchange)
   */
  readonly sslPolicy?: elbv2.SslPolicy;
  /**
   * Host name clients use, which the certificate covers and which resolves to the load
   * balancer; only with `certificate`.
   * @default - the load balancer's DNS name
   */
  readonly domainName?: string;
  /** @default - no access logs */
  readonly accessLogs?: AccessLogsOptions;
}

/**
 * An internet-facing Application Load Balancer in front of one target group: HTTP only, or,
 * given a certificate, HTTPS with a current TLS policy and HTTP redirected to it.
 */
export class ApiLoadBalancer extends Construct {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener that forwards to the target group. */
  public readonly listener: elbv2.ApplicationListener;
  /** The HTTP listener that redirects to {@link listener}, when there is a certificate. */
  public readonly redirectListener?: elbv2.ApplicationListener;
  /** Where clients reach the API: `https://<domain>` or `http://<DNS name>:<port>`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    super(scope, id);
    const httpPort = props.httpPort ?? 80;
    const httpsPort = props.httpsPort ?? 443;
    const problems = [
      ...checkPort('httpPort', httpPort),
      ...(props.certificate ? checkPort('httpsPort', httpsPort) : []),
      ...(props.certificate && httpPort === httpsPort ? ['httpPort and httpsPort must differ'] : []),
      ...(['httpsPort', 'sslPolicy', 'domainName'] as const)
        .filter((option) => !props.certificate && props[option] !== undefined)
        .map((option) => `${option} needs a certificate`),
    ];
    if (problems.length > 0) throw new Error(`ApiLoadBalancer ${this.node.path}: ${problems.join('; ')}`);

    // 'Default' leaves this construct out of the logical IDs: the load balancer and its
    // listeners keep the IDs they had when the stack created them directly.
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Default', {
      loadBalancerName: props.loadBalancerName,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      internetFacing: true,
      securityGroup: props.securityGroup,
      dropInvalidHeaderFields: true,
    });
    if (props.accessLogs) {
      // Attributes rather than logAccessLogs(), which would add its own bucket policy.
      loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
      loadBalancer.setAttribute('access_logs.s3.bucket', props.accessLogs.bucket.bucketName);
      loadBalancer.setAttribute('access_logs.s3.prefix', props.accessLogs.prefix);
    }

    if (props.certificate) {
      this.listener = loadBalancer.addListener('HttpsListener', {
        port: httpsPort,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [props.certificate],
        sslPolicy: props.sslPolicy ?? elbv2.SslPolicy.TLS13_12_PQ,
        open: false,
        defaultTargetGroups: [props.targetGroup],
      });
      this.redirectListener = loadBalancer.addListener('Listener', {
        port: httpPort,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({
          protocol: elbv2.ApplicationProtocol.HTTPS,
          port: String(httpsPort),
          permanent: true,
        }),
      });
      const host = props.domainName ?? loadBalancer.loadBalancerDnsName;
      this.url = httpsPort === 443 ? `https://${host}` : `https://${host}:${httpsPort}`;
    } else {
      // The same construct ID as before HTTPS existed, so that adding a certificate keeps it.
      this.listener = loadBalancer.addListener('Listener', {
        port: httpPort,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultTargetGroups: [props.targetGroup],
      });
      this.url = `http://${loadBalancer.loadBalancerDnsName}:${httpPort}`;
    }
    this.loadBalancer = loadBalancer;
  }
}

function checkPort(option: string, port: number): string[] {
  return Token.isUnresolved(port) || (Number.isInteger(port) && port >= 1 && port <= 65535)
    ? []
    : [`${option} ${port} is not a port number`];
}
