import { z } from 'zod';

/**
 * CloudWatch metric alarm evaluation for single-metric alarms, as AWS documents it in
 * "Evaluating an alarm" and "Configuring how CloudWatch alarms treat missing data". Pure: the
 * caller fetches the statistics (see `metricStatisticsRequest`) and records the state changes.
 */

export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

export const ALARM_STATISTICS = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'] as const;
export type AlarmStatistic = (typeof ALARM_STATISTICS)[number];

export const COMPARISON_OPERATORS = [
  'GreaterThanThreshold',
  'GreaterThanOrEqualToThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export const TREAT_MISSING_DATA = ['missing', 'notBreaching', 'breaching', 'ignore'] as const;
export type TreatMissingData = (typeof TREAT_MISSING_DATA)[number];

export interface MetricDimension {
  readonly Name: string;
  readonly Value: string;
}

/** A single-metric alarm, with the field names of `DescribeAlarms`' MetricAlarm. */
export interface AlarmDefinition {
  readonly AlarmName: string;
  readonly AlarmArn: string;
  readonly AlarmDescription?: string;
  readonly AlarmConfigurationUpdatedTimestamp: Date;
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: readonly MetricDimension[];
  readonly Statistic: AlarmStatistic;
  /** Seconds. */
  readonly Period: number;
  readonly EvaluationPeriods: number;
  /** M of an "M out of N" alarm; EvaluationPeriods when absent. */
  readonly DatapointsToAlarm?: number;
  readonly ComparisonOperator: ComparisonOperator;
  readonly Threshold: number;
  /** `missing` when absent. */
  readonly TreatMissingData?: TreatMissingData;
  readonly AlarmActions: readonly string[];
  readonly OKActions: readonly string[];
  readonly InsufficientDataActions: readonly string[];
}

/** The value of the alarm's statistic over one period; periods without data have none. */
export interface AlarmDatapoint {
  /** Start of the period. */
  readonly Timestamp: Date;
  readonly Value: number;
  /** Number of samples in the period; CloudWatch reports it in the state reason data. */
  readonly SampleCount?: number;
}

/** What `SetAlarmState` records when the state changes. */
export interface AlarmEvaluation {
  readonly StateValue: AlarmState;
  readonly StateReason: string;
  /** JSON, in CloudWatch's format (numbers written as Java doubles, e.g. `5.0`). */
  readonly StateReasonData: string;
}

/**
 * The input of `GetMetricStatistics` (compatible with the AWS SDK's command input) that
 * returns every datapoint the alarm evaluates.
 */
export interface MetricStatisticsRequest {
  readonly Namespace: string;
  readonly MetricName: string;
  /** Absent for a metric without dimensions. */
  readonly Dimensions?: { Name: string; Value: string }[];
  readonly StartTime: Date;
  /** Exclusive: the start of the current, incomplete period. */
  readonly EndTime: Date;
  readonly Period: number;
  readonly Statistics: AlarmStatistic[];
}

/** One datapoint of a `GetMetricStatistics` response. */
export type MetricStatisticsDatapoint = { readonly Timestamp?: Date } & {
  readonly [statistic in AlarmStatistic]?: number;
};

/**
 * CloudWatch retrieves more periods than EvaluationPeriods (the "evaluation range"): its
 * documented example retrieves 5 datapoints for 3 evaluation periods.
 */
const EXTRA_PERIODS_IN_EVALUATION_RANGE = 2;

/** The request that fetches the alarm's evaluation range: complete periods only. */
export function metricStatisticsRequest(alarm: AlarmDefinition, now: Date): MetricStatisticsRequest {
  const periodStarts = evaluationRange(alarm, now);
  const periodMs = alarm.Period * 1000;
  return {
    Namespace: alarm.Namespace,
    MetricName: alarm.MetricName,
    ...(alarm.Dimensions.length > 0 && {
      Dimensions: alarm.Dimensions.map(({ Name, Value }) => ({ Name, Value })),
    }),
    StartTime: new Date(periodStarts[periodStarts.length - 1]),
    EndTime: new Date(periodStarts[0] + periodMs),
    Period: alarm.Period,
    Statistics: alarm.Statistic === 'SampleCount' ? ['SampleCount'] : [alarm.Statistic, 'SampleCount'],
  };
}

/** The alarm's datapoints out of a `GetMetricStatistics` response. */
export function alarmDatapoints(
  alarm: AlarmDefinition,
  datapoints: readonly MetricStatisticsDatapoint[],
): AlarmDatapoint[] {
  return datapoints.flatMap(({ Timestamp, SampleCount, ...statistics }) => {
    const value = alarm.Statistic === 'SampleCount' ? SampleCount : statistics[alarm.Statistic];
    if (Timestamp === undefined || value === undefined) return [];
    return [{ Timestamp, Value: value, ...(SampleCount !== undefined && { SampleCount }) }];
  });
}

/**
 * The alarm's state at `now` given the datapoints of its recent periods.
 *
 * With `ignore`, when the datapoints decide nothing the result is `currentState`: its reason
 * is never recorded, because the state does not change.
 */
export function evaluateAlarm(
  alarm: AlarmDefinition,
  datapoints: readonly AlarmDatapoint[],
  currentState: AlarmState,
  now: Date,
): AlarmEvaluation {
  const outcome = decide(alarm, rangeSlots(alarm, datapoints, now));
  const StateReasonData = reasonData(alarm, outcome.evaluated, now);
  switch (outcome.kind) {
    case 'threshold':
      return { StateValue: outcome.state, StateReason: thresholdReason(alarm, outcome), StateReasonData };
    case 'unknown':
      return { StateValue: 'INSUFFICIENT_DATA', StateReason: unknownReason(outcome), StateReasonData };
    case 'kept':
      return {
        StateValue: currentState,
        StateReason: `Missing data ignored: ${count(outcome.unknown, 'datapoint')} ${wasOrWere(outcome.unknown)} unknown, so the state stays ${currentState}.`,
        StateReasonData,
      };
  }
}

/** A change of an alarm's state, reported once. */
export interface AlarmTransition {
  readonly alarm: AlarmDefinition;
  readonly OldStateValue: AlarmState;
  readonly NewStateValue: AlarmState;
  readonly NewStateReason: string;
  readonly NewStateReasonData: string;
  readonly StateChangeTime: Date;
}

/**
 * Remembers each alarm's state (by ARN) so that every state change is reported exactly once,
 * however often the alarm is evaluated. Alarms start in INSUFFICIENT_DATA, like new alarms on
 * AWS, unless their current state is known (e.g. from `DescribeAlarms` after a restart).
 */
export class AlarmEvaluator {
  private readonly states: Map<string, AlarmState>;

  constructor(knownStates: Iterable<readonly [alarmArn: string, state: AlarmState]> = []) {
    this.states = new Map(knownStates);
  }

  stateOf(alarmArn: string): AlarmState {
    return this.states.get(alarmArn) ?? 'INSUFFICIENT_DATA';
  }

  /** The transition the datapoints cause, or undefined when the alarm keeps its state. */
  evaluate(
    alarm: AlarmDefinition,
    datapoints: readonly AlarmDatapoint[],
    now: Date,
  ): AlarmTransition | undefined {
    const oldState = this.stateOf(alarm.AlarmArn);
    const evaluation = evaluateAlarm(alarm, datapoints, oldState, now);
    if (evaluation.StateValue === oldState) return undefined;
    this.states.set(alarm.AlarmArn, evaluation.StateValue);
    return {
      alarm,
      OldStateValue: oldState,
      NewStateValue: evaluation.StateValue,
      NewStateReason: evaluation.StateReason,
      NewStateReasonData: evaluation.StateReasonData,
      StateChangeTime: now,
    };
  }
}

const describedAlarmSchema = z
  .object({
    AlarmName: z.string().min(1),
    AlarmArn: z.string().min(1),
    AlarmDescription: z.string().optional(),
    AlarmConfigurationUpdatedTimestamp: z.coerce.date(),
    Namespace: z.string().min(1),
    MetricName: z.string().min(1),
    Dimensions: z.array(z.object({ Name: z.string(), Value: z.string() })).default([]),
    Statistic: z.enum(ALARM_STATISTICS),
    Period: z.number().int().positive(),
    EvaluationPeriods: z.number().int().positive(),
    DatapointsToAlarm: z.number().int().positive().optional(),
    ComparisonOperator: z.enum(COMPARISON_OPERATORS),
    Threshold: z.number(),
    TreatMissingData: z.enum(TREAT_MISSING_DATA).optional(),
    AlarmActions: z.array(z.string()).default([]),
    OKActions: z.array(z.string()).default([]),
    InsufficientDataActions: z.array(z.string()).default([]),
  })
  .refine((alarm) => (alarm.DatapointsToAlarm ?? 0) <= alarm.EvaluationPeriods, {
    message: 'DatapointsToAlarm must not exceed EvaluationPeriods',
    path: ['DatapointsToAlarm'],
  });

/**
 * An alarm as `DescribeAlarms` returns it (`MetricAlarms[]`), checked to be one this evaluator
 * supports: a single metric with a plain statistic and a static threshold.
 */
export function parseAlarmDefinition(describedAlarm: unknown): AlarmDefinition {
  const result = describedAlarmSchema.safeParse(describedAlarm);
  if (result.success) return result.data;
  const name = (describedAlarm as { AlarmName?: unknown } | undefined)?.AlarmName;
  throw new Error(
    `Alarm ${typeof name === 'string' ? `"${name}"` : '(unnamed)'} cannot be evaluated locally:\n` +
      `${z.prettifyError(result.error)}\nOnly single-metric alarms with a Statistic (no ExtendedStatistic, ` +
      'no Metrics math, no anomaly detection) are supported; change the alarm in infra/ or evaluate it elsewhere.',
  );
}

/** A number the way CloudWatch (Java) writes a double: `5.0`, `0.25`, `1.0E-4`, `1.2E7`. */
export function formatJavaDouble(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  const magnitude = Math.abs(value);
  if (magnitude === 0 || (magnitude >= 1e-3 && magnitude < 1e7)) {
    return Number.isInteger(value) ? value.toFixed(1) : String(value);
  }
  const [mantissa, exponent] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** A timestamp the way CloudWatch writes it in JSON: `2026-11-25T10:00:30.123+0000`. */
export function formatAwsTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

/** Marks a number to be written as a Java double by `stringifyAwsJson`. */
export class JavaDouble {
  constructor(readonly value: number) {}
}

/** JSON as CloudWatch writes it: compact, with `JavaDouble`s as `5.0`; undefined members left out. */
export function stringifyAwsJson(value: unknown): string {
  if (value instanceof JavaDouble) return formatJavaDouble(value.value);
  if (Array.isArray(value)) return `[${value.map(stringifyAwsJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).filter(([, member]) => member !== undefined);
    return `{${members.map(([key, member]) => `${JSON.stringify(key)}:${stringifyAwsJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** One period of the evaluation range (start in ms), with its datapoint when CloudWatch has one. */
type Slot = PresentSlot | { readonly start: number; readonly datapoint?: undefined };
interface PresentSlot {
  readonly start: number;
  readonly datapoint: AlarmDatapoint;
  readonly breaching: boolean;
}

function isPresent(slot: Slot): slot is PresentSlot {
  return slot.datapoint !== undefined;
}

type Outcome =
  | {
      readonly kind: 'threshold';
      readonly state: 'OK' | 'ALARM';
      /** Newest first. */
      readonly evaluated: readonly Slot[];
      /** Missing datapoints that TreatMissingData turned into breaching or not breaching ones. */
      readonly filled: number;
    }
  | { readonly kind: 'unknown' | 'kept'; readonly evaluated: readonly Slot[]; readonly unknown: number };

/** Starts (ms) of the complete periods CloudWatch retrieves, newest first. */
function evaluationRange(alarm: AlarmDefinition, now: Date): number[] {
  const periodMs = alarm.Period * 1000;
  const currentPeriodStart = Math.floor(now.getTime() / periodMs) * periodMs;
  const size = alarm.EvaluationPeriods + EXTRA_PERIODS_IN_EVALUATION_RANGE;
  return Array.from({ length: size }, (_, index) => currentPeriodStart - (index + 1) * periodMs);
}

function rangeSlots(alarm: AlarmDefinition, datapoints: readonly AlarmDatapoint[], now: Date): Slot[] {
  const periodMs = alarm.Period * 1000;
  const byPeriod = new Map<number, AlarmDatapoint>();
  for (const datapoint of datapoints) {
    const start = Math.floor(datapoint.Timestamp.getTime() / periodMs) * periodMs;
    if (!byPeriod.has(start)) byPeriod.set(start, datapoint);
  }
  return evaluationRange(alarm, now).map((start) => {
    const datapoint = byPeriod.get(start);
    return datapoint ? { start, datapoint, breaching: isBreaching(alarm, datapoint.Value) } : { start };
  });
}

function isBreaching({ ComparisonOperator, Threshold }: AlarmDefinition, value: number): boolean {
  switch (ComparisonOperator) {
    case 'GreaterThanThreshold':
      return value > Threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= Threshold;
    case 'LessThanThreshold':
      return value < Threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= Threshold;
  }
}

/**
 * AWS's rules: with at least EvaluationPeriods datapoints in the range, the most recent ones
 * decide and missing data does not matter. With fewer, `breaching` and `notBreaching` fill the
 * gap with as few missing datapoints as needed. `missing` and `ignore` decide on the datapoints
 * there are when they can: enough breaching ones alarm, any non-breaching one is OK. Breaching
 * datapoints alone, fewer than DatapointsToAlarm, alarm under `missing` once the oldest is
 * DatapointsToAlarm periods old (AWS's "X - - - -" example); until then, and with no datapoint
 * at all, `missing` is INSUFFICIENT_DATA and `ignore` keeps the state.
 */
function decide(alarm: AlarmDefinition, slots: readonly Slot[]): Outcome {
  const evaluationPeriods = alarm.EvaluationPeriods;
  const datapointsToAlarm = alarm.DatapointsToAlarm ?? evaluationPeriods;
  const present = slots.filter(isPresent);
  const breaching = present.filter((slot) => slot.breaching).length;
  const state = (breachingCount: number) => (breachingCount >= datapointsToAlarm ? 'ALARM' : 'OK');

  if (present.length >= evaluationPeriods) {
    const evaluated = present.slice(0, evaluationPeriods);
    return {
      kind: 'threshold',
      state: state(evaluated.filter((slot) => slot.breaching).length),
      evaluated,
      filled: 0,
    };
  }

  const missing = slots.filter((slot) => !isPresent(slot)).slice(0, evaluationPeriods - present.length);
  const withMissing = [...present, ...missing].sort((a, b) => b.start - a.start);
  const treatMissingData = alarm.TreatMissingData ?? 'missing';
  if (treatMissingData === 'breaching' || treatMissingData === 'notBreaching') {
    const filledBreaching = treatMissingData === 'breaching' ? missing.length : 0;
    return {
      kind: 'threshold',
      state: state(breaching + filledBreaching),
      evaluated: withMissing,
      filled: missing.length,
    };
  }

  if (breaching >= datapointsToAlarm)
    return { kind: 'threshold', state: 'ALARM', evaluated: present, filled: 0 };
  if (present.length > breaching) return { kind: 'threshold', state: 'OK', evaluated: present, filled: 0 };
  const oldest = present[present.length - 1];
  if (treatMissingData === 'missing' && oldest && slots.indexOf(oldest) + 1 >= datapointsToAlarm) {
    return { kind: 'threshold', state: 'ALARM', evaluated: present, filled: 0 };
  }
  return {
    kind: treatMissingData === 'ignore' ? 'kept' : 'unknown',
    evaluated: withMissing,
    unknown: missing.length,
  };
}

const OPERATOR_PHRASES: Readonly<Record<ComparisonOperator, string>> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

/**
 * CloudWatch's wording, e.g. "Threshold Crossed: 3 out of the last 3 datapoints [...] were
 * greater than the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition)." Alarms
 * without DatapointsToAlarm get the older wording without "out of the last" and "minimum".
 */
function thresholdReason(alarm: AlarmDefinition, outcome: Extract<Outcome, { kind: 'threshold' }>): string {
  const { state, evaluated, filled } = outcome;
  const present = evaluated.filter(isPresent);
  const deciding = present.filter((slot) => slot.breaching === (state === 'ALARM'));
  const comparison =
    `${wasOrWere(deciding.length)} ${state === 'OK' ? 'not ' : ''}${OPERATOR_PHRASES[alarm.ComparisonOperator]} ` +
    `the threshold (${formatJavaDouble(alarm.Threshold)})`;
  const listed = `[${deciding.map(describeDatapoint).join(', ')}]`;

  if (filled > 0) {
    const treatedAs = alarm.TreatMissingData === 'breaching' ? 'Breaching' : 'NonBreaching';
    const missingPart = `${count(filled, 'missing datapoint')} ${wasOrWere(filled)} treated as [${treatedAs}]`;
    if (deciding.length === 0) {
      const received =
        present.length === 0
          ? 'no datapoints were'
          : `${count(present.length, 'datapoint')} ${wasOrWere(present.length)}`;
      return `Threshold Crossed: ${received} received for ${count(alarm.EvaluationPeriods, 'period')} and ${missingPart}.`;
    }
    return `Threshold Crossed: ${count(deciding.length, 'datapoint')} ${listed} ${comparison} and ${missingPart}.`;
  }
  if (alarm.DatapointsToAlarm === undefined) {
    return `Threshold Crossed: ${count(deciding.length, 'datapoint')} ${listed} ${comparison}.`;
  }
  const minimum =
    state === 'ALARM' ? alarm.DatapointsToAlarm : alarm.EvaluationPeriods - alarm.DatapointsToAlarm + 1;
  const transition = state === 'ALARM' ? 'OK -> ALARM' : 'ALARM -> OK';
  return (
    `Threshold Crossed: ${deciding.length} out of the last ${present.length} datapoints ${listed} ${comparison} ` +
    `(minimum ${count(minimum, 'datapoint')} for ${transition} transition).`
  );
}

function unknownReason({ unknown }: { readonly unknown: number }): string {
  return `Insufficient Data: ${count(unknown, 'datapoint')} ${wasOrWere(unknown)} unknown.`;
}

/** `{"version":"1.0","queryDate":...,"startDate":...,"statistic":...,...}` in CloudWatch's key order. */
function reasonData(alarm: AlarmDefinition, evaluated: readonly Slot[], now: Date): string {
  const chronological = evaluated.filter(isPresent).reverse();
  return stringifyAwsJson({
    version: '1.0',
    queryDate: formatAwsTimestamp(now),
    startDate: chronological[0] && formatAwsTimestamp(new Date(chronological[0].start)),
    statistic: alarm.Statistic,
    period: alarm.Period,
    recentDatapoints: chronological.map(({ datapoint }) => new JavaDouble(datapoint.Value)),
    threshold: new JavaDouble(alarm.Threshold),
    evaluatedDatapoints: evaluated.map(({ start, datapoint }) => ({
      timestamp: formatAwsTimestamp(new Date(start)),
      ...(datapoint && {
        sampleCount: sampleCount(alarm, datapoint),
        value: new JavaDouble(datapoint.Value),
      }),
    })),
  });
}

function sampleCount(alarm: AlarmDefinition, datapoint: AlarmDatapoint): JavaDouble | undefined {
  const samples = alarm.Statistic === 'SampleCount' ? datapoint.Value : datapoint.SampleCount;
  return samples === undefined ? undefined : new JavaDouble(samples);
}

/** `12.0 (25/11/26 10:00:00)`: value and period start (UTC) as in CloudWatch's state reasons. */
function describeDatapoint({ start, datapoint }: PresentSlot): string {
  const [date, time] = new Date(start).toISOString().split('T');
  const [year, month, day] = date.split('-');
  return `${formatJavaDouble(datapoint.Value)} (${day}/${month}/${year.slice(2)} ${time.slice(0, 8)})`;
}

function count(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}

function wasOrWere(amount: number): string {
  return amount === 1 ? 'was' : 'were';
}
