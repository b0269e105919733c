import { MODULES } from '@zama/infra';
import { alarmPeriodsSeconds, type SynthesizedStack } from '../src/cloud-assembly';
import { templatesOf } from './templates';

const stack = (resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>) =>
  ({ stackName: 'Test', template: { Resources: resources } }) as SynthesizedStack;

describe('alarmPeriodsSeconds', () => {
  test("the local profile's twelve alarms have 10-second periods, which time the monitor and the ALB's metrics", () => {
    // GIVEN the synthesized local templates
    const templates = templatesOf('local');
    // WHEN
    const periods = alarmPeriodsSeconds(
      MODULES.map((module) => ({ stackName: module, template: templates[module] })),
    );
    // THEN
    expect(periods).toHaveLength(12);
    expect(new Set(periods)).toEqual(new Set([10]));
  });

  test("reads a metric-math alarm's periods from its metrics", () => {
    const periods = alarmPeriodsSeconds([
      stack({
        Ratio: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            Metrics: [
              { Id: 'e', Expression: 'a/b' },
              { Id: 'a', MetricStat: { Period: 60 } },
              { Id: 'b', MetricStat: { Period: 60 } },
            ],
          },
        },
        Plain: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 30 } },
      }),
    ]);
    expect(periods).toEqual([60, 60, 30]);
  });

  test('says what to do when the templates define no alarm', () => {
    expect(() => alarmPeriodsSeconds([stack({ Topic: { Type: 'AWS::SNS::Topic' } })])).toThrow(
      /defines no alarm with a period: run `make synth`/,
    );
  });
});
