import { z } from 'zod';
import {
  ALARM_STATES,
  type AlarmStatistic,
  type AlarmTransition,
  COMPARISON_OPERATORS,
  formatAwsTimestamp,
  JavaDouble,
  stringifyAwsJson,
} from './alarm-evaluator';

/**
 * The message CloudWatch publishes to an alarm's SNS actions when its state changes, with the
 * fields in the order AWS writes them.
 */

/** Region names as CloudWatch writes them in notifications (e.g. "EU (Paris)", not "Europe (Paris)"). */
const REGION_NAMES: Readonly<Record<string, string>> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'ca-central-1': 'Canada (Central)',
  'sa-east-1': 'South America (Sao Paulo)',
  'eu-west-1': 'EU (Ireland)',
  'eu-west-2': 'EU (London)',
  'eu-west-3': 'EU (Paris)',
  'eu-central-1': 'EU (Frankfurt)',
  'eu-north-1': 'EU (Stockholm)',
  'eu-south-1': 'EU (Milan)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-northeast-3': 'Asia Pacific (Osaka)',
  'ap-east-1': 'Asia Pacific (Hong Kong)',
  'me-south-1': 'Middle East (Bahrain)',
  'af-south-1': 'Africa (Cape Town)',
};

const triggerStatistic = z.enum(['AVERAGE', 'SUM', 'MINIMUM', 'MAXIMUM', 'SAMPLE_COUNT']);

const TRIGGER_STATISTICS: Readonly<Record<AlarmStatistic, z.infer<typeof triggerStatistic>>> = {
  Average: 'AVERAGE',
  Sum: 'SUM',
  Minimum: 'MINIMUM',
  Maximum: 'MAXIMUM',
  SampleCount: 'SAMPLE_COUNT',
};

/** `2026-11-25T10:00:30.123+0000` as AWS writes it; LocalStack writes `...30.123Z`. */
const awsTimestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,6}(\+0000|Z)$/, {
  message: 'expected a CloudWatch timestamp like 2026-11-25T10:00:30.123+0000',
});

export const alarmNotificationSchema = z.object({
  AlarmName: z.string(),
  AlarmDescription: z.string().nullable(),
  AWSAccountId: z.string(),
  AlarmConfigurationUpdatedTimestamp: awsTimestamp,
  NewStateValue: z.enum(ALARM_STATES),
  NewStateReason: z.string(),
  StateChangeTime: awsTimestamp,
  Region: z.string(),
  AlarmArn: z.string(),
  OldStateValue: z.enum(ALARM_STATES),
  OKActions: z.array(z.string()),
  AlarmActions: z.array(z.string()),
  InsufficientDataActions: z.array(z.string()),
  Trigger: z.object({
    MetricName: z.string(),
    Namespace: z.string(),
    StatisticType: z.literal('Statistic'),
    Statistic: triggerStatistic,
    Unit: z.string().nullable(),
    /** LocalStack writes "" for an alarm without dimensions, where AWS writes []. */
    Dimensions: z.union([
      z.array(z.object({ value: z.string(), name: z.string() })),
      z.literal('').transform(() => []),
    ]),
    Period: z.number(),
    EvaluationPeriods: z.number(),
    /** Only for alarms that set it. */
    DatapointsToAlarm: z.number().optional(),
    ComparisonOperator: z.enum(COMPARISON_OPERATORS),
    Threshold: z.number(),
    /** The alarm's setting, or "" when it has none. */
    TreatMissingData: z.string(),
    EvaluateLowSampleCountPercentile: z.string(),
  }),
});

export type AlarmNotification = z.infer<typeof alarmNotificationSchema>;

/** The notification CloudWatch publishes for a state change. */
export function alarmNotification(transition: AlarmTransition): AlarmNotification {
  const { alarm } = transition;
  const { region, account } = alarmArnParts(alarm.AlarmArn);
  return {
    AlarmName: alarm.AlarmName,
    AlarmDescription: alarm.AlarmDescription ?? null,
    AWSAccountId: account,
    AlarmConfigurationUpdatedTimestamp: formatAwsTimestamp(alarm.AlarmConfigurationUpdatedTimestamp),
    NewStateValue: transition.NewStateValue,
    NewStateReason: transition.NewStateReason,
    StateChangeTime: formatAwsTimestamp(transition.StateChangeTime),
    Region: regionLongName(region),
    AlarmArn: alarm.AlarmArn,
    OldStateValue: transition.OldStateValue,
    OKActions: [...alarm.OKActions],
    AlarmActions: [...alarm.AlarmActions],
    InsufficientDataActions: [...alarm.InsufficientDataActions],
    Trigger: {
      MetricName: alarm.MetricName,
      Namespace: alarm.Namespace,
      StatisticType: 'Statistic',
      Statistic: TRIGGER_STATISTICS[alarm.Statistic],
      Unit: null,
      Dimensions: alarm.Dimensions.map(({ Name, Value }) => ({ value: Value, name: Name })),
      Period: alarm.Period,
      EvaluationPeriods: alarm.EvaluationPeriods,
      ...(alarm.DatapointsToAlarm !== undefined && { DatapointsToAlarm: alarm.DatapointsToAlarm }),
      ComparisonOperator: alarm.ComparisonOperator,
      Threshold: alarm.Threshold,
      TreatMissingData: alarm.TreatMissingData ?? '',
      EvaluateLowSampleCountPercentile: '',
    },
  };
}

/** The SNS message body, byte for byte as CloudWatch writes it (`"Threshold":5.0`). */
export function formatAlarmNotification(notification: AlarmNotification): string {
  return stringifyAwsJson({
    ...notification,
    Trigger: { ...notification.Trigger, Threshold: new JavaDouble(notification.Trigger.Threshold) },
  });
}

/** SNS rejects subjects of 100 characters or more. */
const MAX_SUBJECT_LENGTH = 99;

/**
 * The SNS subject CloudWatch uses, e.g. `ALARM: "my-alarm" in US East (N. Virginia)`; a long
 * alarm name is cut so that SNS accepts the subject.
 */
export function alarmNotificationSubject({ NewStateValue, AlarmName, Region }: AlarmNotification): string {
  const subject = (name: string) => `${NewStateValue}: "${name}" in ${Region}`;
  const overflow = subject(AlarmName).length - MAX_SUBJECT_LENGTH;
  return subject(overflow > 0 ? AlarmName.slice(0, AlarmName.length - overflow) : AlarmName);
}

/** "US East (N. Virginia)" for us-east-1, as CloudWatch names Regions in notifications. */
export function regionLongName(region: string): string {
  const name = REGION_NAMES[region];
  if (name === undefined) {
    throw new Error(
      `No CloudWatch notification name is known for Region "${region}"; add it to REGION_NAMES in ` +
        'localstack/src/cloudwatch/alarm-notification.ts or deploy to a listed Region.',
    );
  }
  return name;
}

const snsEnvelopeSchema = z.object({ Type: z.literal('Notification'), Message: z.string() });

/**
 * Reads an alarm notification from an SQS message body: the SNS envelope
 * (`{"Type":"Notification","Message":"<json>",...}`) or, with raw message delivery, the
 * notification itself.
 */
export function parseAlarmNotification(body: string): AlarmNotification {
  const message = parseJson(body, 'The message body');
  const envelope = snsEnvelopeSchema.safeParse(message);
  const notification = envelope.success ? parseJson(envelope.data.Message, 'The SNS Message') : message;
  const result = alarmNotificationSchema.safeParse(notification);
  if (!result.success) {
    throw new Error(
      `The message is not a CloudWatch alarm notification: ${z.prettifyError(result.error)}\n` +
        'Read only queues subscribed to alarm topics, or skip messages of other publishers.',
    );
  }
  return result.data;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not JSON (${(error as Error).message}): ${text.slice(0, 200)}`);
  }
}

function alarmArnParts(alarmArn: string): { region: string; account: string } {
  const [arn, , service, region, account, resourceType] = alarmArn.split(':');
  if (arn !== 'arn' || service !== 'cloudwatch' || resourceType !== 'alarm' || !region || !account) {
    throw new Error(
      `"${alarmArn}" is not a CloudWatch alarm ARN (arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>); ` +
        'take AlarmArn from DescribeAlarms.',
    );
  }
  return { region, account };
}
