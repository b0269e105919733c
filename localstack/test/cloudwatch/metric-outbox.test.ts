import type { PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import type { Diagnostic } from '../../src/alb/simulated-alb';
import { MAX_DATA_PER_CALL, MAX_QUEUED_DATA, MetricOutbox } from '../../src/cloudwatch/metric-outbox';

/** A PutMetricData endpoint that fails as scripted, then takes every call. */
function endpoint(failures: unknown[] = []) {
  const taken: PutMetricDataCommandInput[] = [];
  let calls = 0;
  const send = async (input: PutMetricDataCommandInput) => {
    calls++;
    const failure = failures.shift();
    if (failure) throw failure;
    taken.push(input);
  };
  return { send, taken, calls: () => calls };
}

const datum = (value: number, timestamp = new Date()) => ({
  MetricName: 'RequestCount',
  Value: value,
  Timestamp: timestamp,
});
const values = (taken: PutMetricDataCommandInput[]) =>
  taken.flatMap((call) => call.MetricData?.map((d) => d.Value));
const refused = Object.assign(new Error('1 validation error'), {
  name: 'InvalidParameterValue',
  $metadata: { httpStatusCode: 400 },
});
const unavailable = Object.assign(new Error('down'), {
  name: 'ServiceUnavailable',
  $metadata: { httpStatusCode: 503 },
});
const throttled = Object.assign(new Error('Rate exceeded'), {
  name: 'Throttling',
  $metadata: { httpStatusCode: 400 },
});
const refusedConnection = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

function outbox(failures: unknown[] = []) {
  const sent = endpoint(failures);
  const diagnostics: Diagnostic[] = [];
  return {
    box: new MetricOutbox({ send: sent.send, writeDiagnostic: (event) => diagnostics.push(event) }),
    sent,
    diagnostics,
  };
}

describe('MetricOutbox', () => {
  it('delivers datapoints in order with their own timestamps, a namespace per call', async () => {
    const { box, sent } = outbox();
    const early = new Date(Date.now() - 60_000);
    await box.putMetricData({ Namespace: 'AWS/ApplicationELB', MetricData: [datum(1, early)] });
    await box.putMetricData({ Namespace: 'AWS/ECS', MetricData: [datum(2)] });
    await box.close();
    expect(sent.taken.map((call) => call.Namespace)).toEqual(['AWS/ApplicationELB', 'AWS/ECS']);
    expect(sent.taken[0].MetricData?.[0].Timestamp).toEqual(early);
    expect(box.backlog).toEqual(expect.objectContaining({ data: 0, lastDeliveredAt: expect.any(Number) }));
  });

  it.each([
    ['a 5xx', unavailable],
    ['throttling', throttled],
    ['no answer at all', refusedConnection],
  ])('retries after %s with the same datapoints, sending each once it is taken', async (_, failure) => {
    const { box, sent, diagnostics } = outbox([failure]);
    await box.putMetricData({ Namespace: 'AWS/ECS', MetricData: [datum(1), datum(2)] });
    await box.close();
    expect(sent.calls()).toBe(2);
    expect(values(sent.taken)).toEqual([1, 2]);
    expect(diagnostics).toEqual([
      expect.objectContaining({ event: 'metric-data-retry', attempt: 1, retryInMs: 250 }),
    ]);
  });

  it('drops a call the emulator refuses for good, counting it and saying why, and goes on', async () => {
    const { box, sent, diagnostics } = outbox([refused]);
    await box.putMetricData({ Namespace: 'AWS/ECS', MetricData: [datum(1)] });
    await box.putMetricData({ Namespace: 'AWS/ApplicationELB', MetricData: [datum(2)] });
    await box.close();
    expect(values(sent.taken)).toEqual([2]);
    expect(box.backlog.dropped).toEqual({ overflow: 0, tooOld: 0, rejected: 1 });
    expect(diagnostics).toEqual([
      expect.objectContaining({
        event: 'metric-data-dropped',
        reason: 'the emulator refused them: 1 validation error',
      }),
    ]);
  });

  it('drops datapoints over two weeks old, which PutMetricData would refuse, and counts them', async () => {
    const { box, sent } = outbox();
    const fortnightAndADay = new Date(Date.now() - 15 * 24 * 3600_000);
    await box.putMetricData({ Namespace: 'AWS/ECS', MetricData: [datum(1, fortnightAndADay), datum(2)] });
    await box.close();
    expect(values(sent.taken)).toEqual([2]);
    expect(box.backlog.dropped.tooOld).toBe(1);
  });

  it(`sends at most ${MAX_DATA_PER_CALL} datapoints per call`, async () => {
    const { box, sent } = outbox();
    await box.putMetricData({
      Namespace: 'AWS/ECS',
      MetricData: Array.from({ length: 2500 }, (_, i) => datum(i)),
    });
    await box.close();
    expect(sent.taken.map((call) => call.MetricData?.length)).toEqual([1000, 1000, 500]);
  });

  it(`keeps at most ${MAX_QUEUED_DATA} datapoints while the emulator is away, dropping the oldest first`, async () => {
    let answer: () => void = () => {};
    const taken: number[] = [];
    const box = new MetricOutbox({
      send: (input) =>
        new Promise((resolve) => {
          answer = () => {
            taken.push(...(input.MetricData ?? []).map((d) => d.Value as number));
            resolve(undefined);
          };
        }),
      writeDiagnostic: () => {},
    });
    // The first call is outstanding (a paused emulator); everything after it waits.
    await box.putMetricData({ Namespace: 'AWS/ECS', MetricData: [datum(-1)] });
    for (let i = 0; i < MAX_QUEUED_DATA + 10; i++)
      await box.putMetricData({ Namespace: 'AWS/ECS', MetricData: [datum(i)] });
    expect(box.backlog.data).toBe(1 + MAX_QUEUED_DATA);
    expect(box.backlog.dropped.overflow).toBe(10);
    for (let rounds = 0; rounds < 60 && box.backlog.data > 0; rounds++) {
      answer();
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The call on its way, then everything the bound kept, once each and in order.
    expect(taken).toEqual([-1, ...Array.from({ length: MAX_QUEUED_DATA }, (_, i) => i + 10)]);
  });
});
