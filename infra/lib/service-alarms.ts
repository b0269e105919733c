import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { platformNames } from './names';
import { ALARM_KEYS, type AlarmKey, type PlatformProfile } from './profiles';

/** What the seed's alarms watch. */
export interface AlarmSources {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly cluster: ecs.ICluster;
  readonly service: ecs.BaseService;
  /** Sum of API error log lines (the observability stack's metric filter). */
  readonly apiErrorMetric: cloudwatch.Metric;
  /** Name the future Kong service will run under in the cluster. */
  readonly kongServiceName: string;
}

export type AlarmPriority = 'critical' | 'high' | 'medium';

/** One of the seed's alarms: what it measures and when it fires. Periods come from the profile. */
export interface AlarmDefinition {
  readonly priority: AlarmPriority;
  readonly description: string;
  readonly metric: (sources: AlarmSources) => cloudwatch.Metric;
  readonly statistic: string;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly threshold: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
}

const { GREATER_THAN_THRESHOLD: ABOVE, LESS_THAN_THRESHOLD: BELOW } = cloudwatch.ComparisonOperator;

/**
 * A load balancer metric of the target group (or, with `scope: 'loadBalancer'`, of the whole
 * load balancer), with the full names as the load balancer's and target group's own attributes.
 */
function loadBalancing(
  metricName: string,
  { loadBalancer, targetGroup }: AlarmSources,
  scope: 'targetGroup' | 'loadBalancer' = 'targetGroup',
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ApplicationELB',
    metricName,
    dimensionsMap:
      scope === 'targetGroup'
        ? { LoadBalancer: loadBalancer.loadBalancerFullName, TargetGroup: targetGroup.targetGroupFullName }
        : { LoadBalancer: loadBalancer.loadBalancerFullName },
  });
}
const { BREACHING, NOT_BREACHING } = cloudwatch.TreatMissingData;

/**
 * The seed's alarm table with the metrics AWS really publishes: load balancer and target
 * group metrics carry the generated full names (`app/<name>/<id>`, `targetgroup/<name>/<id>`),
 * and RunningTaskCount comes from Container Insights.
 *
 * Missing data is breaching only where AWS publishes a datapoint every period while the
 * resource exists (healthy host count, running task count) or where silence is the
 * symptom (no requests); everything else only has data while there is traffic. A profile
 * may choose otherwise per alarm (`alarms.<key>.treatMissingData`): dev reads a period
 * without requests as OK.
 */
export const ALARM_DEFINITIONS: Readonly<Record<AlarmKey, AlarmDefinition>> = {
  no_healthy_targets: {
    priority: 'critical',
    description: 'No healthy target behind the load balancer: the service is down',
    metric: (sources) => loadBalancing('HealthyHostCount', sources),
    statistic: cloudwatch.Stats.MINIMUM,
    comparisonOperator: BELOW,
    threshold: 1,
    treatMissingData: BREACHING,
  },
  unhealthy_tasks: {
    priority: 'critical',
    description: 'No running API task',
    metric: ({ cluster, service }) =>
      new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights',
        metricName: 'RunningTaskCount',
        dimensionsMap: { ClusterName: cluster.clusterName, ServiceName: service.serviceName },
      }),
    statistic: cloudwatch.Stats.MINIMUM,
    comparisonOperator: BELOW,
    threshold: 1,
    treatMissingData: BREACHING,
  },
  high_error_rate: {
    priority: 'high',
    description: 'More than 10 5XX responses from the API tasks',
    metric: (sources) => loadBalancing('HTTPCode_Target_5XX_Count', sources),
    statistic: cloudwatch.Stats.SUM,
    comparisonOperator: ABOVE,
    threshold: 10,
    treatMissingData: NOT_BREACHING,
  },
  alb_unhealthy_targets: {
    priority: 'high',
    description: 'Some targets fail their health checks',
    metric: (sources) => loadBalancing('UnHealthyHostCount', sources),
    statistic: cloudwatch.Stats.MAXIMUM,
    comparisonOperator: ABOVE,
    threshold: 0,
    treatMissingData: NOT_BREACHING,
  },
  api_error_count: {
    priority: 'high',
    description: 'More than 5 API log lines at level error or fatal',
    metric: ({ apiErrorMetric }) => apiErrorMetric,
    statistic: cloudwatch.Stats.SUM,
    comparisonOperator: ABOVE,
    threshold: 5,
    treatMissingData: NOT_BREACHING,
  },
  alb_connection_errors: {
    priority: 'high',
    description: 'More than 5 failed connections from the load balancer to the tasks',
    metric: (sources) => loadBalancing('TargetConnectionErrorCount', sources),
    statistic: cloudwatch.Stats.SUM,
    comparisonOperator: ABOVE,
    threshold: 5,
    treatMissingData: NOT_BREACHING,
  },
  high_response_time: {
    priority: 'medium',
    description: 'Average response time of the API tasks above 2 s',
    metric: (sources) => loadBalancing('TargetResponseTime', sources),
    statistic: cloudwatch.Stats.AVERAGE,
    comparisonOperator: ABOVE,
    threshold: 2,
    treatMissingData: NOT_BREACHING,
  },
  // Load balancers publish no per-path metrics; the slowest response above 5 s (the health
  // check timeout) is the closest real signal for a slow health endpoint.
  health_endpoint_slow_response: {
    priority: 'medium',
    description: 'Slowest response of the API tasks above 5 s, the health check timeout',
    metric: (sources) => loadBalancing('TargetResponseTime', sources),
    statistic: cloudwatch.Stats.MAXIMUM,
    comparisonOperator: ABOVE,
    threshold: 5,
    treatMissingData: NOT_BREACHING,
  },
  low_request_count: {
    priority: 'medium',
    description: 'No request reached the load balancer (possible outage upstream)',
    // Without requests the load balancer publishes no RequestCount at all.
    metric: (sources) => loadBalancing('RequestCount', sources, 'loadBalancer'),
    statistic: cloudwatch.Stats.SUM,
    comparisonOperator: BELOW,
    threshold: 1,
    treatMissingData: BREACHING,
  },
  api_cpu_high: {
    priority: 'medium',
    description: 'API service CPU above 80 %',
    metric: ({ service }) => service.metricCpuUtilization(),
    statistic: cloudwatch.Stats.AVERAGE,
    comparisonOperator: ABOVE,
    threshold: 80,
    treatMissingData: NOT_BREACHING,
  },
  api_memory_high: {
    priority: 'medium',
    description: 'API service memory above 80 %',
    metric: ({ service }) => service.metricMemoryUtilization(),
    statistic: cloudwatch.Stats.AVERAGE,
    comparisonOperator: ABOVE,
    threshold: 80,
    treatMissingData: NOT_BREACHING,
  },
  kong_cpu_high: {
    priority: 'medium',
    description: 'Kong service CPU above 80 % (no Kong service runs yet, so this stays OK)',
    metric: ({ cluster, kongServiceName }) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ECS',
        metricName: 'CPUUtilization',
        dimensionsMap: { ClusterName: cluster.clusterName, ServiceName: kongServiceName },
      }),
    statistic: cloudwatch.Stats.AVERAGE,
    comparisonOperator: ABOVE,
    threshold: 80,
    treatMissingData: NOT_BREACHING,
  },
};

export interface ServiceAlarmsProps extends AlarmSources {
  readonly profile: PlatformProfile;
  /** Receives every alarm's ALARM and OK notifications. */
  readonly alertsTopic: sns.ITopic;
}

/** The seed's twelve alarms, each notifying the alerts topic when it fires and when it clears. */
export class ServiceAlarms extends Construct {
  public readonly alarms: Readonly<Record<AlarmKey, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const names = platformNames(props.profile.prefix);
    const notify = new actions.SnsAction(props.alertsTopic);

    const alarms = {} as Record<AlarmKey, cloudwatch.Alarm>;
    for (const key of ALARM_KEYS) {
      const definition = ALARM_DEFINITIONS[key];
      const { periodSeconds, evaluationPeriods, treatMissingData } = props.profile.alarms[key];
      const alarm = new cloudwatch.Alarm(this, pascalCase(key), {
        alarmName: names.alarm(key),
        alarmDescription: `[${definition.priority}] ${definition.description}`,
        metric: definition
          .metric(props)
          .with({ statistic: definition.statistic, period: Duration.seconds(periodSeconds) }),
        comparisonOperator: definition.comparisonOperator,
        threshold: definition.threshold,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        // The profile may read silence otherwise (an idle dev stack has no requests).
        treatMissingData:
          (treatMissingData as cloudwatch.TreatMissingData | undefined) ?? definition.treatMissingData,
      });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      alarms[key] = alarm;
    }
    this.alarms = alarms;
  }
}

function pascalCase(key: string): string {
  return key.replace(/(^|_)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
}
