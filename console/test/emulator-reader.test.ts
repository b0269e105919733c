import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { emulatorReader } from '../src/emulator-reader';

/** A client answering each command from a list of pages, in turn, and counting the calls. */
function client<T>(pages: Record<string, Array<Record<string, unknown>>>) {
  const sent: string[] = [];
  return {
    sent,
    client: {
      send: async (command: { constructor: { name: string } }) => {
        const name = command.constructor.name;
        sent.push(name);
        const next = pages[name]?.shift();
        if (!next) throw new Error(`unexpected ${name}`);
        return next;
      },
    } as unknown as T,
  };
}

const metric = { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: [] };

describe('emulatorReader', () => {
  test('keeps what ListMetrics found for 30 s, and asks again while it found nothing', async () => {
    // GIVEN an emulator whose metric appears after the first call
    let now = 0;
    const cloudWatch = client<CloudWatchClient>({
      ListMetricsCommand: [{ Metrics: [] }, { Metrics: [metric] }, { Metrics: [metric] }],
    });
    const reader = emulatorReader(cloudWatch.client, {} as CloudWatchLogsClient, () => now);
    // WHEN listed four times, the last after 30 s
    expect(await reader.listMetrics('AWS/ApplicationELB')).toEqual([]);
    expect(await reader.listMetrics('AWS/ApplicationELB')).toEqual([metric]);
    now = 29_999;
    expect(await reader.listMetrics('AWS/ApplicationELB')).toEqual([metric]);
    now = 30_000;
    await reader.listMetrics('AWS/ApplicationELB');
    // THEN the emulator was asked three times, and the reader counted them
    expect(cloudWatch.sent).toHaveLength(3);
    expect(reader.calls.ListMetrics).toBe(3);
  });

  test('reads log events page by page up to the limit, and stops on a token handed back unchanged', async () => {
    const event = (n: number) => ({ timestamp: n, message: `line ${n}` });
    const logs = client<CloudWatchLogsClient>({
      FilterLogEventsCommand: [
        { events: [event(1), event(2)], nextToken: 'a' },
        { events: [event(3)], nextToken: 'b' },
        { events: [], nextToken: 'b' },
      ],
    });
    const reader = emulatorReader({} as CloudWatchClient, logs.client);
    const all = await reader.filterLogEvents('g', new Date(0), new Date(10), 100);
    expect(all).toEqual({ events: [event(1), event(2), event(3)], truncated: false });
    expect(logs.sent).toHaveLength(3);

    const capped = client<CloudWatchLogsClient>({
      FilterLogEventsCommand: [{ events: [event(1), event(2)], nextToken: 'a' }],
    });
    expect(
      await emulatorReader({} as CloudWatchClient, capped.client).filterLogEvents(
        'g',
        new Date(0),
        new Date(10),
        2,
      ),
    ).toEqual({ events: [event(1), event(2)], truncated: true });
  });
});
