import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CloudWatchLogsClient,
  DataAlreadyAcceptedException,
  InvalidParameterException,
  type PutLogEventsCommandInput,
  ResourceNotFoundException,
  ServiceUnavailableException,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Diagnostic } from '../../src/alb/simulated-alb';
import { MAX_BATCH_EVENTS } from '../../src/logs/log-batches';
import {
  LogStreamUploader,
  MAX_QUEUED_BYTES,
  type ShippedLogEvent,
} from '../../src/logs/log-stream-uploader';
import { fingerprint, ShippingCheckpoints } from '../../src/logs/shipping-checkpoints';

const GROUP = '/ecs/zama-api';
const STREAM = 'ecs/api/0123456789abcdef0123456789abcdef';
/** A minute ago: inside PutLogEvents' window whenever the suite runs. */
const T = Date.now() - 60_000;
/** The read position handed with a line: its content is the shipper's business. */
const READ = { stdout: { timeNanos: '1', linesAtTime: 1 } };

type Answer = Error | Record<string, unknown>;

/**
 * A CloudWatch Logs endpoint that records each call and answers from a script per operation
 * (the next scripted answer, or success once the script is used up).
 */
function scriptedLogs(script: Partial<Record<string, Answer[]>> = {}) {
  const calls: Array<{ operation: string; input: Record<string, unknown> }> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const operation = command.constructor.name.replace(/Command$/, '');
      calls.push({ operation, input: command.input });
      const answer = script[operation]?.shift() ?? {};
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as CloudWatchLogsClient;
  const puts = () =>
    calls
      .filter((call) => call.operation === 'PutLogEvents')
      .map((call) =>
        (call.input as unknown as PutLogEventsCommandInput).logEvents?.map((event) => event.message),
      );
  return { client, calls, puts };
}

const checkpointFile = () => join(mkdtempSync(join(tmpdir(), 'checkpoints-')), 'checkpoints.json');
const GROUP_DEPLOYED = { logGroupName: GROUP, creationTime: 1 };

function uploader(logs: CloudWatchLogsClient, file = checkpointFile()) {
  const shipped: ShippedLogEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  const checkpoints = new ShippingCheckpoints(file, GROUP_DEPLOYED);
  const instance = new LogStreamUploader({
    logs,
    logGroupName: GROUP,
    logStreamName: STREAM,
    onShipped: (events) => shipped.push(...events),
    writeDiagnostic: (event) => diagnostics.push(event),
    checkpoints,
  });
  return { uploader: instance, shipped, diagnostics, checkpoints, file };
}

const metadata = { $metadata: {} };
const lines = (...messages: string[]) => messages.map((message, i) => ({ timestamp: T + i, message }));

describe('LogStreamUploader.open', () => {
  it('resumes after the last event of a stream that exists', async () => {
    const logs = scriptedLogs({
      DescribeLogStreams: [
        {
          logStreams: [
            { logStreamName: `${STREAM}-other` },
            { logStreamName: STREAM, lastEventTimestamp: T },
          ],
        },
      ],
    });
    // THEN everything up to the end of its last event's millisecond counts as shipped
    const after = { timeNanos: `${BigInt(T) * 1_000_000n + 999_999n}`, linesAtTime: null };
    expect((await uploader(logs.client).uploader.open()).saved()).toEqual({ stdout: after, stderr: after });
    expect(logs.calls).toEqual([
      { operation: 'DescribeLogStreams', input: { logGroupName: GROUP, logStreamNamePrefix: STREAM } },
    ]);
  });

  it('creates a stream that does not exist', async () => {
    const logs = scriptedLogs({
      DescribeLogStreams: [{ logStreams: [{ logStreamName: `${STREAM}-other` }] }],
    });
    expect((await uploader(logs.client).uploader.open()).saved()).toEqual({});
    expect(logs.calls.map((call) => call.operation)).toEqual(['DescribeLogStreams', 'CreateLogStream']);
    expect(logs.calls[1].input).toEqual({ logGroupName: GROUP, logStreamName: STREAM });
  });

  it('waits for a log group that is not deployed yet, saying so', async () => {
    const logs = scriptedLogs({
      DescribeLogStreams: [
        new ResourceNotFoundException({ message: 'The specified log group does not exist.', ...metadata }),
        { logStreams: [] },
      ],
    });
    const { uploader: instance, diagnostics } = uploader(logs.client);
    expect((await instance.open()).saved()).toEqual({});
    expect(diagnostics).toEqual([
      expect.objectContaining({
        event: 'log-stream-retry',
        operation: 'open',
        error: 'The specified log group does not exist. (has the log group been deployed?)',
      }),
    ]);
  });

  it('gives up waiting when the signal aborts', async () => {
    const logs = scriptedLogs({
      DescribeLogStreams: [new ServiceUnavailableException({ message: 'down', ...metadata })],
    });
    const controller = new AbortController();
    const opening = uploader(logs.client).uploader.open(controller.signal);
    controller.abort(new Error('stopping'));
    await expect(opening).rejects.toThrow('stopping');
  });
});

describe('LogStreamUploader checkpoints', () => {
  const EXISTING = { logStreams: [{ logStreamName: STREAM, lastEventTimestamp: T }] };
  const SHIPPED = { stdout: { timeNanos: '1000', linesAtTime: 2 } };
  const IN_FLIGHT = {
    stdout: { timeNanos: '2000', linesAtTime: 1 },
    stderr: { timeNanos: '1500', linesAtTime: 1 },
  };

  it("resumes a restarted shipper after the last line CloudWatch accepted, not the stream's last millisecond", async () => {
    // GIVEN a shipper that shipped a line read up to SHIPPED
    const first = uploader(scriptedLogs().client);
    first.uploader.enqueue(lines('one'), SHIPPED);
    await first.uploader.flush();
    // WHEN a new one opens the stream with the same file
    const logs = scriptedLogs({ DescribeLogStreams: [EXISTING] });
    const position = await uploader(logs.client, first.file).uploader.open();
    // THEN it resumes there
    expect(position.saved()).toEqual(SHIPPED);
  });

  it('counts a batch in flight when the shipper died as shipped if the stream holds its last event', async () => {
    const { checkpoints, file } = uploader(scriptedLogs().client);
    checkpoints.shipped(STREAM, SHIPPED);
    checkpoints.sending(STREAM, IN_FLIGHT, fingerprint({ timestamp: T, message: 'last of the batch' }));
    const logs = scriptedLogs({
      DescribeLogStreams: [EXISTING],
      GetLogEvents: [{ events: [{ timestamp: T, message: 'last of the batch', ingestionTime: T }] }],
    });
    expect((await uploader(logs.client, file).uploader.open()).saved()).toEqual(IN_FLIGHT);
    expect(logs.calls[1]).toEqual({
      operation: 'GetLogEvents',
      input: {
        logGroupName: GROUP,
        logStreamName: STREAM,
        startTime: T,
        endTime: T + 1,
        startFromHead: true,
      },
    });
  });

  it('sends a batch in flight again when the stream does not hold its last event', async () => {
    const { checkpoints, file } = uploader(scriptedLogs().client);
    checkpoints.shipped(STREAM, SHIPPED);
    checkpoints.sending(STREAM, IN_FLIGHT, fingerprint({ timestamp: T, message: 'last of the batch' }));
    const logs = scriptedLogs({
      DescribeLogStreams: [EXISTING],
      GetLogEvents: [{ events: [{ timestamp: T, message: 'another line of that millisecond' }] }],
    });
    expect((await uploader(logs.client, file).uploader.open()).saved()).toEqual(SHIPPED);
  });

  it('starts every stream anew when the log group was deployed again, saying why', () => {
    const { checkpoints, file } = uploader(scriptedLogs().client);
    checkpoints.shipped(STREAM, SHIPPED);
    const said: string[] = [];
    const redeployed = new ShippingCheckpoints(file, { logGroupName: GROUP, creationTime: 2 }, (why) =>
      said.push(why),
    );
    expect(redeployed.get(STREAM)).toBeUndefined();
    expect(said).toEqual([expect.stringContaining('not to the one deployed now')]);
  });

  it('keeps the checkpoint file whole: the new content replaces the old in one rename', () => {
    const { checkpoints, file } = uploader(scriptedLogs().client);
    checkpoints.shipped(STREAM, SHIPPED);
    checkpoints.shipped(STREAM, IN_FLIGHT);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      logGroup: GROUP_DEPLOYED,
      streams: { [STREAM]: { shipped: IN_FLIGHT } },
    });
  });
});

describe('LogStreamUploader limits', () => {
  it('drops events PutLogEvents would refuse (over 14 days old, over 2 hours ahead), counting them', async () => {
    const logs = scriptedLogs();
    const { uploader: instance, shipped, diagnostics } = uploader(logs.client);
    const now = Date.now();
    instance.enqueue([{ timestamp: now - 15 * 24 * 3600_000, message: 'a fortnight and a day' }], READ);
    instance.enqueue([{ timestamp: now + 3 * 3600_000, message: 'three hours ahead' }], READ);
    instance.enqueue([{ timestamp: now, message: 'now' }], READ);
    await instance.flush();
    expect(logs.puts()).toEqual([['now']]);
    expect(shipped.map((event) => event.message)).toEqual(['now']);
    expect(instance.dropped).toEqual({ tooOld: 1, tooNew: 1, rejected: 0 });
    // Over 24 hours apart, the two cannot share a batch: each batch says what it dropped.
    expect(diagnostics).toEqual([
      expect.objectContaining({ event: 'log-events-dropped', events: 1 }),
      expect.objectContaining({ event: 'log-events-dropped', events: 1 }),
    ]);
  });

  it('holds the reader back while more than MAX_QUEUED_BYTES wait, and lets it on once a batch is shipped', async () => {
    let answer: () => void = () => {};
    const client = {
      send: () =>
        new Promise<object>((resolve) => {
          answer = () => resolve({});
        }),
    } as unknown as CloudWatchLogsClient;
    const { uploader: instance } = uploader(client);
    const big = 'x'.repeat(200_000);
    let queued = 0;
    while (queued < MAX_QUEUED_BYTES) {
      instance.enqueue([{ timestamp: T, message: big }], READ);
      queued += big.length + 26;
    }
    let roomMade = false;
    const room = instance.room().then(() => {
      roomMade = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(roomMade).toBe(false);
    expect(instance.backlog).toEqual({ events: expect.any(Number), bytes: queued, oldestTimestamp: T });
    answer();
    await room;
    expect(roomMade).toBe(true);
  });
});

describe('LogStreamUploader.flush', () => {
  it('ships the queued events in order and reports them as shipped', async () => {
    const logs = scriptedLogs();
    const { uploader: instance, shipped } = uploader(logs.client);
    const [one, two, three] = lines('one', 'two', 'three');
    instance.enqueue([one, two], READ);
    instance.enqueue([three], READ);
    await instance.flush();
    expect(logs.puts()).toEqual([['one', 'two', 'three']]);
    expect(logs.calls[0].input).toEqual(
      expect.objectContaining({ logGroupName: GROUP, logStreamName: STREAM }),
    );
    expect(shipped.map((event) => event.message)).toEqual(['one', 'two', 'three']);
    expect(shipped[0]).toEqual({ logGroupName: GROUP, logStreamName: STREAM, timestamp: T, message: 'one' });
    expect(instance.idle).toBe(true);
  });

  it('sends a full batch without waiting for a flush, then the rest in a later batch', async () => {
    const logs = scriptedLogs();
    const { uploader: instance, shipped } = uploader(logs.client);
    const many = Array.from({ length: MAX_BATCH_EVENTS + 5 }, (_, i) => ({
      timestamp: T,
      message: `line ${i}`,
    }));
    instance.enqueue(many, READ);
    await instance.flush();
    expect(logs.puts().map((batch) => batch?.length)).toEqual([MAX_BATCH_EVENTS, 5]);
    expect(shipped.map((event) => event.message)).toEqual(many.map((event) => event.message));
  });

  it('retries a transient failure with the same batch, losing and repeating nothing', async () => {
    const logs = scriptedLogs({
      PutLogEvents: [new ServiceUnavailableException({ message: 'try again', ...metadata })],
    });
    const { uploader: instance, shipped, diagnostics } = uploader(logs.client);
    instance.enqueue(lines('one', 'two'), READ);
    await instance.flush();
    expect(logs.puts()).toEqual([
      ['one', 'two'],
      ['one', 'two'],
    ]);
    expect(shipped.map((event) => event.message)).toEqual(['one', 'two']);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        event: 'log-stream-retry',
        operation: 'put',
        attempt: 1,
        error: 'try again',
      }),
    ]);
  });

  it('keeps later lines behind a batch that is being retried', async () => {
    const logs = scriptedLogs({
      PutLogEvents: [new ServiceUnavailableException({ message: 'busy', ...metadata })],
    });
    const { uploader: instance, shipped } = uploader(logs.client);
    instance.enqueue(lines('one'), READ);
    const flushing = instance.flush();
    instance.enqueue([{ timestamp: T - 1000, message: 'two, read later' }], READ);
    await Promise.all([flushing, instance.flush()]);
    expect(shipped.map((event) => event.message)).toEqual(['one', 'two, read later']);
  });

  it('creates the stream again when it was deleted, then resends the batch', async () => {
    const logs = scriptedLogs({
      PutLogEvents: [
        new ResourceNotFoundException({ message: 'The specified log stream does not exist.', ...metadata }),
      ],
    });
    const { uploader: instance, shipped } = uploader(logs.client);
    instance.enqueue(lines('one'), READ);
    await instance.flush();
    expect(logs.calls.map((call) => call.operation)).toEqual([
      'PutLogEvents',
      'CreateLogStream',
      'PutLogEvents',
    ]);
    expect(shipped.map((event) => event.message)).toEqual(['one']);
  });

  it('does not resend a batch CloudWatch says it already has', async () => {
    const logs = scriptedLogs({
      PutLogEvents: [new DataAlreadyAcceptedException({ message: 'already accepted', ...metadata })],
    });
    const { uploader: instance, shipped } = uploader(logs.client);
    instance.enqueue(lines('one'), READ);
    await instance.flush();
    expect(logs.puts()).toEqual([['one']]);
    expect(shipped.map((event) => event.message)).toEqual(['one']);
  });

  it('drops a batch CloudWatch rejects as invalid, saying so, and goes on with the next', async () => {
    const logs = scriptedLogs({
      PutLogEvents: [new InvalidParameterException({ message: 'bad batch', ...metadata })],
    });
    const { uploader: instance, shipped, diagnostics } = uploader(logs.client);
    instance.enqueue(lines('bad'), READ);
    await instance.flush();
    instance.enqueue(lines('good'), READ);
    await instance.flush();
    expect(shipped.map((event) => event.message)).toEqual(['good']);
    expect(diagnostics).toEqual([
      {
        event: 'log-batch-dropped',
        logGroupName: GROUP,
        logStreamName: STREAM,
        events: 1,
        bytes: 3 + 26,
        error: 'bad batch',
      },
    ]);
  });

  it('reports events CloudWatch accepted the batch without (too old or too new)', async () => {
    const logs = scriptedLogs({ PutLogEvents: [{ rejectedLogEventsInfo: { tooOldLogEventEndIndex: 0 } }] });
    const { uploader: instance, diagnostics } = uploader(logs.client);
    instance.enqueue(lines('ancient'), READ);
    await instance.flush();
    expect(diagnostics).toEqual([
      { event: 'log-events-rejected', logGroupName: GROUP, logStreamName: STREAM, tooOldLogEventEndIndex: 0 },
    ]);
  });
});
