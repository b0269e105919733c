import { platformNames } from '../lib/names';
import { ALARM_KEYS, type AlarmKey, PROFILES, type ProfileName } from '../lib/profiles';
import type { CfnResource } from '../lib/synthesize';
import { logicalIdsOf, rawTemplateOf, templateOf } from './support';

interface AlarmProperties {
  AlarmName: string;
  Namespace: string;
  MetricName: string;
  Statistic: string;
  ComparisonOperator: string;
  Threshold: number;
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  TreatMissingData: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
  AlarmActions: unknown[];
  OKActions: unknown[];
}

function alarmsOf(profile: ProfileName): Map<AlarmKey, AlarmProperties> {
  const names = platformNames(PROFILES[profile].prefix);
  const alarms = Object.values(rawTemplateOf(profile, 'compute').Resources)
    .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map((resource) => resource.Properties as unknown as AlarmProperties);
  return new Map(
    ALARM_KEYS.map((key) => [
      key,
      alarms.find((alarm) => alarm.AlarmName === names.alarm(key)) as AlarmProperties,
    ]),
  );
}

/** The seed's alarm table, read with the metrics AWS publishes. */
const SEED_ALARMS: Record<
  AlarmKey,
  [
    namespace: string,
    metric: string,
    statistic: string,
    comparison: string,
    threshold: number,
    missingData: string,
  ]
> = {
  no_healthy_targets: [
    'AWS/ApplicationELB',
    'HealthyHostCount',
    'Minimum',
    'LessThanThreshold',
    1,
    'breaching',
  ],
  unhealthy_tasks: [
    'ECS/ContainerInsights',
    'RunningTaskCount',
    'Minimum',
    'LessThanThreshold',
    1,
    'breaching',
  ],
  high_error_rate: [
    'AWS/ApplicationELB',
    'HTTPCode_Target_5XX_Count',
    'Sum',
    'GreaterThanThreshold',
    10,
    'notBreaching',
  ],
  alb_unhealthy_targets: [
    'AWS/ApplicationELB',
    'UnHealthyHostCount',
    'Maximum',
    'GreaterThanThreshold',
    0,
    'notBreaching',
  ],
  api_error_count: [
    'zama-api-platform-dev',
    'ApiErrorCount',
    'Sum',
    'GreaterThanThreshold',
    5,
    'notBreaching',
  ],
  alb_connection_errors: [
    'AWS/ApplicationELB',
    'TargetConnectionErrorCount',
    'Sum',
    'GreaterThanThreshold',
    5,
    'notBreaching',
  ],
  high_response_time: [
    'AWS/ApplicationELB',
    'TargetResponseTime',
    'Average',
    'GreaterThanThreshold',
    2,
    'notBreaching',
  ],
  health_endpoint_slow_response: [
    'AWS/ApplicationELB',
    'TargetResponseTime',
    'Maximum',
    'GreaterThanThreshold',
    5,
    'notBreaching',
  ],
  low_request_count: ['AWS/ApplicationELB', 'RequestCount', 'Sum', 'LessThanThreshold', 1, 'breaching'],
  api_cpu_high: ['AWS/ECS', 'CPUUtilization', 'Average', 'GreaterThanThreshold', 80, 'notBreaching'],
  api_memory_high: ['AWS/ECS', 'MemoryUtilization', 'Average', 'GreaterThanThreshold', 80, 'notBreaching'],
  kong_cpu_high: ['AWS/ECS', 'CPUUtilization', 'Average', 'GreaterThanThreshold', 80, 'notBreaching'],
};

/**
 * The dimension sets CloudWatch publishes each metric with (AWS documentation: "CloudWatch
 * metrics for your Application Load Balancer", "Amazon ECS CloudWatch metrics", "Amazon ECS
 * Container Insights metrics"); metric filters publish without dimensions unless told to.
 */
const PUBLISHED_DIMENSIONS: Record<string, string[][]> = {
  'AWS/ApplicationELB/HealthyHostCount': [
    ['LoadBalancer', 'TargetGroup'],
    ['AvailabilityZone', 'LoadBalancer', 'TargetGroup'],
  ],
  'AWS/ApplicationELB/UnHealthyHostCount': [
    ['LoadBalancer', 'TargetGroup'],
    ['AvailabilityZone', 'LoadBalancer', 'TargetGroup'],
  ],
  ...Object.fromEntries(
    ['HTTPCode_Target_5XX_Count', 'TargetConnectionErrorCount', 'TargetResponseTime', 'RequestCount'].map(
      (metric) => [
        `AWS/ApplicationELB/${metric}`,
        [
          ['LoadBalancer'],
          ['AvailabilityZone', 'LoadBalancer'],
          ['LoadBalancer', 'TargetGroup'],
          ['AvailabilityZone', 'LoadBalancer', 'TargetGroup'],
        ],
      ],
    ),
  ),
  'AWS/ECS/CPUUtilization': [['ClusterName'], ['ClusterName', 'ServiceName']],
  'AWS/ECS/MemoryUtilization': [['ClusterName'], ['ClusterName', 'ServiceName']],
  'ECS/ContainerInsights/RunningTaskCount': [['ClusterName'], ['ClusterName', 'ServiceName']],
  'zama-api-platform-dev/ApiErrorCount': [[]],
};

/**
 * Resolves a dimension value the way CloudFormation would, given the physical IDs AWS assigns
 * (load balancer and target group names with generated hexadecimal IDs).
 */
function resolve(value: unknown, resources: Record<string, CfnResource>): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, unknown>;
  if ('Ref' in intrinsic) return physicalId(intrinsic.Ref as string, resources);
  if ('Fn::GetAtt' in intrinsic) {
    const [logicalId, attribute] = intrinsic['Fn::GetAtt'] as [string, string];
    switch (`${resources[logicalId]?.Type}.${attribute}`) {
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer.LoadBalancerFullName':
        return physicalId(logicalId, resources).split(':loadbalancer/')[1] as string;
      case 'AWS::ElasticLoadBalancingV2::TargetGroup.TargetGroupFullName':
        return physicalId(logicalId, resources).split(':')[5] as string;
      case 'AWS::ECS::Service.Name':
        return resources[logicalId]?.Properties?.ServiceName as string;
    }
    throw new Error(`unexpected Fn::GetAtt ${logicalId}.${attribute}`);
  }
  if ('Fn::Join' in intrinsic) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolve(part, resources)).join(separator);
  }
  if ('Fn::Select' in intrinsic) {
    const [index, list] = intrinsic['Fn::Select'] as [number, unknown];
    return resolveList(list, resources)[index] as string;
  }
  throw new Error(`unexpected intrinsic ${JSON.stringify(value)}`);
}

function resolveList(value: unknown, resources: Record<string, CfnResource>): string[] {
  const [separator, source] = (value as { 'Fn::Split': [string, unknown] })['Fn::Split'];
  return resolve(source, resources).split(separator);
}

function physicalId(logicalId: string, resources: Record<string, CfnResource>): string {
  const resource = resources[logicalId];
  const properties = resource?.Properties ?? {};
  const arn = 'arn:aws:elasticloadbalancing:eu-west-3:111122223333';
  switch (resource?.Type) {
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
      return `${arn}:loadbalancer/app/${properties.Name}/50dc6c495c0c9188`;
    case 'AWS::ElasticLoadBalancingV2::Listener': {
      const loadBalancer = physicalId((properties.LoadBalancerArn as { Ref: string }).Ref, resources);
      return `${loadBalancer.replace(':loadbalancer/', ':listener/')}/f2f7dc8efc522ab2`;
    }
    case 'AWS::ElasticLoadBalancingV2::TargetGroup':
      // Without a Name, CloudFormation generates one (at most 32 characters).
      return `${arn}:targetgroup/${properties.Name ?? 'zama-a-Targe-1VZ2QZ4A9UQXN'}/73e2d6bc24d8a067`;
    case 'AWS::ECS::Cluster':
      return properties.ClusterName as string;
  }
  throw new Error(`unexpected Ref ${logicalId}`);
}

describe('the seed alarms', () => {
  test.each(ALARM_KEYS)('%s has the seed threshold on the real metric', (key) => {
    // GIVEN the dev profile
    // WHEN
    const alarm = alarmsOf('dev').get(key) as AlarmProperties;
    // THEN
    const [namespace, metric, statistic, comparison, threshold, missingData] = SEED_ALARMS[key];
    expect(alarm).toMatchObject({
      Namespace: namespace,
      MetricName: metric,
      Statistic: statistic,
      ComparisonOperator: comparison,
      Threshold: threshold,
      // The profile may read missing data otherwise (see the low_request_count test).
      TreatMissingData: PROFILES.dev.alarms[key].treatMissingData ?? missingData,
    });
  });

  test.each(ALARM_KEYS)('%s notifies the alerts topic when it fires and when it clears', (key) => {
    // GIVEN the dev profile
    // WHEN
    const alarm = alarmsOf('dev').get(key) as AlarmProperties;
    // THEN
    const alertsTopic = {
      'Fn::ImportValue': expect.stringMatching(
        /^zama-api-platform-dev-observability:ExportsOutputRefAlertsTopic/,
      ),
    };
    expect(alarm.AlarmActions).toEqual([alertsTopic]);
    expect(alarm.OKActions).toEqual([alertsTopic]);
  });

  test('take their periods and evaluation periods from the profile', () => {
    // GIVEN the dev and local profiles
    // WHEN
    const dev = alarmsOf('dev');
    const local = alarmsOf('local');
    // THEN
    for (const key of ALARM_KEYS) {
      const { periodSeconds, evaluationPeriods } = PROFILES.dev.alarms[key];
      expect(dev.get(key)).toMatchObject({
        Period: periodSeconds,
        EvaluationPeriods: evaluationPeriods,
        DatapointsToAlarm: evaluationPeriods,
      });
      expect(local.get(key)).toMatchObject({
        Period: 10,
        EvaluationPeriods: PROFILES.local.alarms[key].evaluationPeriods,
      });
    }
    expect(dev.get('no_healthy_targets')).toMatchObject({ Period: 60, EvaluationPeriods: 2 });
    expect(local.get('no_healthy_targets')).toMatchObject({ Period: 10, EvaluationPeriods: 1 });
  });

  test('are twelve, all in the compute stack', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    template.resourceCountIs('AWS::CloudWatch::Alarm', 12);
    expect(logicalIdsOf(templateOf('dev', 'observability'), 'AWS::CloudWatch::Alarm')).toEqual([]);
  });

  test.each(ALARM_KEYS)('%s watches a metric with the dimensions AWS publishes it with', (key) => {
    // GIVEN the dev profile
    // WHEN
    const alarm = alarmsOf('dev').get(key) as AlarmProperties;
    // THEN
    const dimensionNames = (alarm.Dimensions ?? []).map((dimension) => dimension.Name).sort();
    expect(PUBLISHED_DIMENSIONS[`${alarm.Namespace}/${alarm.MetricName}`]).toContainEqual(dimensionNames);
  });

  test.each(ALARM_KEYS)(
    '%s names the load balancer, target group, cluster and service as AWS does',
    (key) => {
      // GIVEN the dev profile and the IDs AWS generates for the load balancer and target group
      const resources = rawTemplateOf('dev', 'compute').Resources;
      const names = platformNames('zama-api-platform-dev');
      // WHEN the dimension values are resolved
      const alarm = alarmsOf('dev').get(key) as AlarmProperties;
      const dimensions = Object.fromEntries(
        (alarm.Dimensions ?? []).map((d) => [d.Name, resolve(d.Value, resources)]),
      );
      // THEN they are the full names AWS publishes (never the bare `<prefix>-alb` the seed used)
      const expected: Record<string, RegExp> = {
        LoadBalancer: new RegExp(`^app/${names.loadBalancer}/[0-9a-f]{16}$`),
        TargetGroup: /^targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/,
        ClusterName: new RegExp(`^${names.cluster}$`),
        ServiceName: new RegExp(`^${key === 'kong_cpu_high' ? names.kongService : names.apiService}$`),
      };
      for (const [name, value] of Object.entries(dimensions)) expect(value).toMatch(expected[name] as RegExp);
    },
  );

  test('watch Container Insights metrics on a cluster that publishes them', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'compute');
    // THEN
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  test('low_request_count reads silence per profile: OK in an idle dev stack, ALARM in prod and locally', () => {
    // GIVEN the three profiles; without requests the load balancer publishes no RequestCount
    // WHEN
    const missingData = Object.fromEntries(
      (['local', 'dev', 'prod'] as const).map((profile) => [
        profile,
        alarmsOf(profile).get('low_request_count')?.TreatMissingData,
      ]),
    );
    // THEN only a published count below 1 alarms in dev; elsewhere silence is the outage
    expect(missingData).toEqual({ local: 'breaching', dev: 'notBreaching', prod: 'breaching' });
    // and every other alarm keeps the seed's treatment in every profile
    for (const profile of ['local', 'dev', 'prod'] as const) {
      for (const key of ALARM_KEYS.filter((k) => k !== 'low_request_count')) {
        expect(alarmsOf(profile).get(key)?.TreatMissingData).toBe(SEED_ALARMS[key][5]);
      }
    }
  });
});
