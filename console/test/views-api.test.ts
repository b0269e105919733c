/**
 * The reads behind the views beside the dashboard: alarms and their history, the target group,
 * the service, the log groups and a log search through a filter pattern.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { AlarmHistoryFile, stateUpdateItem } from '@zama/localstack';
import request from 'supertest';
import { createConsoleApp } from '../src/console-app';
import { type FakeDataPlane, type FakeEmulator, fakeDataPlane, fakeReader } from './fake-reader';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const at = (minutesAgo: number) => NOW - minutesAgo * 60_000;

const app = (
  emulator: FakeEmulator,
  options: { dataPlane?: FakeDataPlane; alarmHistory?: 'emulator' | AlarmHistoryFile } = {},
) =>
  createConsoleApp({
    reader: fakeReader(emulator),
    assets: new Map(),
    emulatorEndpoint: 'http://emulator:4566',
    dataPlane: fakeDataPlane(options.dataPlane),
    alarmHistory: options.alarmHistory ?? 'emulator',
    now: () => NOW,
  }).callback();

const HIGH_ERROR_RATE: MetricAlarm = {
  AlarmName: 'zama-api-platform-local-high-error-rate',
  StateValue: 'ALARM',
  StateReason:
    'Threshold Crossed: 3 out of the last 3 datapoints [14.0, 12.0, 11.0] were greater than the threshold (10.0).',
  StateUpdatedTimestamp: new Date(at(1)),
  MetricName: 'HTTPCode_Target_5XX_Count',
  Namespace: 'AWS/ApplicationELB',
  Statistic: 'Sum',
  Period: 10,
  EvaluationPeriods: 3,
  DatapointsToAlarm: 3,
  Threshold: 10,
  ComparisonOperator: 'GreaterThanThreshold',
  AlarmActions: ['arn:aws:sns:us-east-1:000000000000:zama-api-platform-local-alerts'],
};
const OK_ALARM: MetricAlarm = {
  AlarmName: 'a-quiet-one',
  StateValue: 'OK',
  MetricName: 'CPUUtilization',
  Statistic: 'Average',
  Period: 60,
  EvaluationPeriods: 2,
  Threshold: 80,
  ComparisonOperator: 'GreaterThanThreshold',
};

const transition = (from: string, to: string, minutesAgo: number) =>
  stateUpdateItem({
    alarmName: HIGH_ERROR_RATE.AlarmName as string,
    oldState: from,
    newState: to,
    newReason: `to ${to}`,
    at: new Date(at(minutesAgo)),
  });

describe('GET /api/alarms', () => {
  test('lists every alarm with its state, reason and condition, by name', async () => {
    // GIVEN an emulator with two alarms
    const response = await request(app({ alarms: [HIGH_ERROR_RATE, OK_ALARM] })).get('/api/alarms');
    // THEN
    expect(response.status).toBe(200);
    expect(response.body.alarms).toEqual([
      expect.objectContaining({
        name: 'a-quiet-one',
        state: 'OK',
        condition: 'CPUUtilization Average > 80 for 2 of 2 periods of 60 s',
      }),
      {
        name: HIGH_ERROR_RATE.AlarmName,
        state: 'ALARM',
        reason: HIGH_ERROR_RATE.StateReason,
        updated: '2026-12-07T11:59:00.000Z',
        condition: 'HTTPCode_Target_5XX_Count Sum > 10 for 3 of 3 periods of 10 s',
        actions: HIGH_ERROR_RATE.AlarmActions,
      },
    ]);
  });
});

describe('GET /api/alarms/:name', () => {
  test("reads the history from the emulator's DescribeAlarmHistory where it keeps one", async () => {
    // GIVEN an emulator that kept two state changes
    const emulator = {
      alarms: [HIGH_ERROR_RATE],
      // oldest first, as LocalStack answers
      alarmHistory: [transition('INSUFFICIENT_DATA', 'OK', 5), transition('OK', 'ALARM', 1)],
    };
    // WHEN the alarm's page asks
    const response = await request(app(emulator)).get(`/api/alarms/${HIGH_ERROR_RATE.AlarmName}`);
    // THEN its transitions come newest first, with their states and reasons
    expect(response.status).toBe(200);
    expect(response.body.historySource).toBe('emulator');
    expect(response.body.history).toEqual([
      {
        timestamp: '2026-12-07T11:59:00.000Z',
        summary: 'Alarm updated from OK to ALARM',
        from: 'OK',
        to: 'ALARM',
        reason: 'to ALARM',
      },
      {
        timestamp: '2026-12-07T11:55:00.000Z',
        summary: 'Alarm updated from INSUFFICIENT_DATA to OK',
        from: 'INSUFFICIENT_DATA',
        to: 'OK',
        reason: 'to OK',
      },
    ]);
  });

  test("reads the monitor's record where the emulator keeps no history (moto)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-history-'));
    try {
      // GIVEN the monitor recorded one state change
      const file = new AlarmHistoryFile(join(dir, 'alarm-history.json'));
      file.record({
        alarmName: HIGH_ERROR_RATE.AlarmName as string,
        oldState: 'OK',
        newState: 'ALARM',
        newReason: 'Threshold Crossed',
        at: new Date(at(2)),
      });
      // WHEN
      const response = await request(app({ alarms: [HIGH_ERROR_RATE] }, { alarmHistory: file })).get(
        `/api/alarms/${HIGH_ERROR_RATE.AlarmName}`,
      );
      // THEN
      expect(response.body).toMatchObject({
        historySource: 'monitor',
        history: [
          { from: 'OK', to: 'ALARM', reason: 'Threshold Crossed', timestamp: '2026-12-07T11:58:00.000Z' },
        ],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('answers 404 for an alarm the emulator does not have', async () => {
    const response = await request(app({ alarms: [OK_ALARM] })).get('/api/alarms/nope');
    expect(response.status).toBe(404);
    expect(response.body.error).toBe('the emulator has no alarm named "nope"');
  });
});

describe('GET /api/targets and /api/service', () => {
  test("passes on the simulated ALB's target health and the scheduler's service", async () => {
    const dataPlane: FakeDataPlane = {
      targets: [
        { Target: { Id: '172.20.0.5', Port: 8080 }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: '172.20.0.6', Port: 8080 },
          TargetHealth: { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' },
        },
      ],
      service: {
        service: { serviceName: 'api', desiredCount: 2, runningCount: 2, pendingCount: 0, events: [] },
        tasks: { running: [{ taskId: 'a1', lastStatus: 'RUNNING' }], stopped: [] },
        scalingActivities: [],
      },
    };
    const callback = app({}, { dataPlane });
    expect((await request(callback).get('/api/targets')).body.TargetHealthDescriptions).toEqual(
      dataPlane.targets,
    );
    expect((await request(callback).get('/api/service')).body).toEqual(dataPlane.service);
  });

  test('says which part did not answer', async () => {
    const response = await request(
      app({}, { dataPlane: { down: 'the scheduler at http://scheduler:8082 did not answer: fetch failed' } }),
    ).get('/api/service');
    expect(response.status).toBe(503);
    expect(response.body.error).toBe(
      "the scheduler at http://scheduler:8082 did not answer: fetch failed. Is the platform running? 'make local-status' says.",
    );
  });
});

describe('GET /api/logs', () => {
  const line = (minutesAgo: number, level: string, msg: string, eventId: string) => ({
    eventId,
    logStreamName: 'api/api/task-1',
    timestamp: at(minutesAgo),
    message: JSON.stringify({ level, msg }),
  });
  const emulator: FakeEmulator = {
    logs: {
      '/aws/ecs/zama-api-platform-local': [
        line(20, 'error', 'before the range', 'e0'),
        line(10, 'error', 'boom', 'e1'),
        line(9, 'info', 'fine', 'e2'),
        line(8, 'error', 'ERROR again', 'e3'),
      ],
      '/aws/vpc/flow-logs': [],
    },
  };

  test('lists the log groups by name', async () => {
    const response = await request(app(emulator)).get('/api/log-groups');
    expect(response.body.logGroups.map(({ logGroupName }: { logGroupName: string }) => logGroupName)).toEqual(
      ['/aws/ecs/zama-api-platform-local', '/aws/vpc/flow-logs'],
    );
  });

  test.each([
    ['a JSON pattern', '{ $.level = "error" }', ['e1', 'e3']],
    ['a term, case-sensitive', 'ERROR', ['e3']],
    ['no pattern', '', ['e1', 'e2', 'e3']],
    ['a term that excludes', '-ERROR', ['e1', 'e2']],
  ])('shows exactly the events of the range that %s matches', async (_, pattern, ids) => {
    const response = await request(app(emulator)).get('/api/logs').query({
      group: '/aws/ecs/zama-api-platform-local',
      pattern,
      range: '15m',
    });
    expect(response.status).toBe(200);
    expect(response.body.events.map(({ eventId }: { eventId: string }) => eventId)).toEqual(ids);
    expect(response.body).toMatchObject({ scanned: 3, matched: ids.length, truncated: false });
  });

  test('tails from a time: only events at or after it', async () => {
    const response = await request(app(emulator))
      .get('/api/logs')
      .query({ group: '/aws/ecs/zama-api-platform-local', since: String(at(9)) });
    expect(response.body.events.map(({ eventId }: { eventId: string }) => eventId)).toEqual(['e2', 'e3']);
  });

  test.each([
    [{ pattern: 'x' }, 'name the log group: /api/logs?group=<log group name>'],
    [{ group: 'g', pattern: '{ $.level = ' }, /filter pattern/i],
    [
      { group: 'g', since: 'yesterday' },
      'since must be a time in milliseconds since the epoch, not "yesterday"',
    ],
    [{ group: 'g', range: '2d' }, 'unknown time range "2d": use one of 15m, 1h, 3h'],
  ])('answers 400 with the reason for %j', async (query, reason) => {
    const response = await request(app(emulator)).get('/api/logs').query(query);
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual(typeof reason === 'string' ? reason : expect.stringMatching(reason));
  });
});
