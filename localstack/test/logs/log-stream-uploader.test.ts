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
import { LogStreamUploader, type ShippedLogEvent } from '../../src/logs/log-stream-uploader';

const GROUP = '/ecs/zama-api';
const STREAM = 'ecs/api/0123456789abcdef0123456789abcdef';
const T = 1_795_649_400_000;

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

function uploader(logs: CloudWatchLogsClient) {
  const shipped: ShippedLogEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  const instance = new LogStreamUploader({
    logs,
    logGroupName: GROUP,
    logStreamName: STREAM,
    onShipped: (events) => shipped.push(...events),
    writeDiagnostic: (event) => diagnostics.push(event),
  });
  return { uploader: instance, shipped, diagnostics };
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
    await expect(uploader(logs.client).uploader.open()).resolves.toBe(T);
    expect(logs.calls).toEqual([
      { operation: 'DescribeLogStreams', input: { logGroupName: GROUP, logStreamNamePrefix: STREAM } },
    ]);
  });

  it('creates a stream that does not exist', async () => {
    const logs = scriptedLogs({
      DescribeLogStreams: [{ logStreams: [{ logStreamName: `${STREAM}-other` }] }],
    });
    await expect(uploader(logs.client).uploader.open()).resolves.toBeUndefined();
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
    await expect(instance.open()).resolves.toBeUndefined();
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

describe('LogStreamUploader.flush', () => {
  it('ships the queued events in order and reports them as shipped', async () => {
    const logs = scriptedLogs();
    const { uploader: instance, shipped } = uploader(logs.client);
    const [one, two, three] = lines('one', 'two', 'three');
    instance.enqueue([one, two]);
    instance.enqueue([three]);
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
    instance.enqueue(many);
    await instance.flush();
    expect(logs.puts().map((batch) => batch?.length)).toEqual([MAX_BATCH_EVENTS, 5]);
    expect(shipped.map((event) => event.message)).toEqual(many.map((event) => event.message));
  });

  it('retries a transient failure with the same batch, losing and repeating nothing', async () => {
    const logs = scriptedLogs({
      PutLogEvents: [new ServiceUnavailableException({ message: 'try again', ...metadata })],
    });
    const { uploader: instance, shipped, diagnostics } = uploader(logs.client);
    instance.enqueue(lines('one', 'two'));
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
    instance.enqueue(lines('one'));
    const flushing = instance.flush();
    instance.enqueue([{ timestamp: T - 1000, message: 'two, read later' }]);
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
    instance.enqueue(lines('one'));
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
    instance.enqueue(lines('one'));
    await instance.flush();
    expect(logs.puts()).toEqual([['one']]);
    expect(shipped.map((event) => event.message)).toEqual(['one']);
  });

  it('drops a batch CloudWatch rejects as invalid, saying so, and goes on with the next', async () => {
    const logs = scriptedLogs({
      PutLogEvents: [new InvalidParameterException({ message: 'bad batch', ...metadata })],
    });
    const { uploader: instance, shipped, diagnostics } = uploader(logs.client);
    instance.enqueue(lines('bad'));
    await instance.flush();
    instance.enqueue(lines('good'));
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
    instance.enqueue(lines('ancient'));
    await instance.flush();
    expect(diagnostics).toEqual([
      { event: 'log-events-rejected', logGroupName: GROUP, logStreamName: STREAM, tooOldLogEventEndIndex: 0 },
    ]);
  });
});
