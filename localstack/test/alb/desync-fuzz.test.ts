/**
 * Fuzzing the listener's request handling with generated requests (fast-check): the classifier
 * never throws and keeps to the tiers http_desync_guardian's docs give each reason, generated
 * requests keep the classification its rules give them, and raw bytes over real sockets never
 * bring the listener down; what it logs for a request is what the classifier says of its head.
 */
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import fc from 'fast-check';
import type { CompletedRequest } from '../../src/alb/observer';
import { AlbProxy } from '../../src/alb/proxy';
import { type ClassificationReason, classifyRequestHead, type DesyncTier } from '../../src/alb/request-head';

/** Each reason's tier, from the library's docs/README.md ("Classification Reasons"). */
const TIER_OF: Record<ClassificationReason, DesyncTier> = {
  Compliant: 'Compliant',
  NonCompliantHeader: 'Acceptable',
  SpaceInUri: 'Acceptable',
  NonCompliantVersion: 'Acceptable',
  GetHeadZeroContentLength: 'Acceptable',
  NonCrLfLineTermination: 'Acceptable',
  EmptyHeader: 'Ambiguous',
  AmbiguousUri: 'Ambiguous',
  UndefinedContentLengthSemantics: 'Ambiguous',
  UndefinedTransferEncodingSemantics: 'Ambiguous',
  DuplicateContentLength: 'Ambiguous',
  BothTeClPresent: 'Ambiguous',
  SuspiciousHeader: 'Ambiguous',
  MultilineHeader: 'Ambiguous',
  MissingHeaderColon: 'Ambiguous',
  MissingUri: 'Ambiguous',
  BadHeader: 'Severe',
  BadUri: 'Severe',
  BadVersion: 'Severe',
  MultipleContentLength: 'Severe',
  BadContentLength: 'Severe',
  MultipleTransferEncodingChunked: 'Severe',
  BadTransferEncoding: 'Severe',
  BadMethod: 'Severe',
};

const TCHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";
const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 });
/** Field names that are not Transfer-Encoding or Content-Length in disguise. */
const plainName = token.filter((name) => !/[tc]/i.test(name));
const visible = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 20,
});
const path = fc
  .array(
    visible.map((segment) => segment.replace(/[?#]/g, '')),
    { maxLength: 4 },
  )
  .map((segments) => `/${segments.join('/')}`);
const latin1 = fc.string({
  unit: fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code)),
  maxLength: 400,
});

interface Model {
  method: string;
  target: string;
  headers: Array<[string, string]>;
}

const compliantModel: fc.Arbitrary<Model> = fc.record({
  method: fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  target: path,
  headers: fc.array(fc.tuple(plainName, visible), { maxLength: 8 }),
});

const render = ({ method, target, headers }: Model, eol = '\r\n') =>
  `${method} ${target} HTTP/1.1${eol}Host: a${eol}${headers.map(([name, value]) => `${name}: ${value}${eol}`).join('')}${eol}`;

describe('the classifier under generated input', () => {
  it('never throws, and reports each reason at its documented tier', () => {
    fc.assert(
      fc.property(latin1, (text) => {
        const { tier, reason } = classifyRequestHead(`${text}\r\n\r\n`);
        expect(TIER_OF[reason]).toBe(tier);
      }),
      { numRuns: 2000 },
    );
  });

  it('calls a request of tokens and visible characters Compliant', () => {
    fc.assert(
      fc.property(compliantModel, (model) => {
        expect(classifyRequestHead(render(model))).toMatchObject({ tier: 'Compliant' });
      }),
      { numRuns: 500 },
    );
  });

  it('calls it Severe BadHeader once a header value holds NUL or a lone CR', () => {
    fc.assert(
      fc.property(compliantModel, fc.nat(), fc.constantFrom('\x00', '\r'), (model, at, bad) => {
        const headers: Array<[string, string]> = [...model.headers, ['X-Last', 'v']];
        const index = at % headers.length;
        const [name, value] = headers[index];
        headers[index] = [name, `${value}${bad}x`];
        expect(classifyRequestHead(render({ ...model, headers }))).toMatchObject({
          tier: 'Severe',
          reason: 'BadHeader',
        });
      }),
      { numRuns: 300 },
    );
  });

  it('calls it Severe MultipleContentLength with two different lengths, Ambiguous with two equal ones', () => {
    fc.assert(
      fc.property(compliantModel, fc.nat(1e6), fc.nat(1e6), (model, first, second) => {
        const headers: Array<[string, string]> = [
          ...model.headers,
          ['Content-Length', String(first)],
          ['Content-Length', String(second)],
        ];
        const expected =
          first === second
            ? { tier: 'Ambiguous', reason: 'DuplicateContentLength' }
            : { tier: 'Severe', reason: 'MultipleContentLength' };
        expect(classifyRequestHead(render({ ...model, headers }))).toMatchObject(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('calls Transfer-Encoding disguised by case, delimiters or padding Ambiguous SuspiciousHeader', () => {
    const disguise = fc
      // Delimiters the library reads past; a space or none at all makes the name Distant to it.
      .tuple(fc.constantFrom('-', '_', '.', '--', '__'), fc.constantFrom('', ' ', '\t'), fc.boolean())
      .map(([delimiter, padding, upper]) => {
        const name = `Transfer${delimiter}Encoding${padding}`;
        return upper ? name.toUpperCase() : name;
      })
      .filter((name) => name.toLowerCase() !== 'transfer-encoding');
    fc.assert(
      fc.property(compliantModel, disguise, (model, name) => {
        const headers: Array<[string, string]> = [...model.headers, [name, 'chunked']];
        expect(classifyRequestHead(render({ ...model, headers }))).toMatchObject({
          tier: 'Ambiguous',
          reason: 'SuspiciousHeader',
        });
      }),
      { numRuns: 300 },
    );
  });

  it('calls bare LF line ends at least Acceptable, and a compliant request with them exactly NonCrLfLineTermination', () => {
    fc.assert(
      fc.property(compliantModel, (model) => {
        expect(classifyRequestHead(render(model, '\n'))).toMatchObject({
          tier: 'Acceptable',
          reason: 'NonCrLfLineTermination',
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('the listener under generated bytes, over real sockets', () => {
  jest.setTimeout(60_000);
  let target: Server;
  let proxy: AlbProxy;
  let port: number;
  const events: CompletedRequest[] = [];

  beforeAll(async () => {
    target = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as AddressInfo).port;
    proxy = new AlbProxy({
      listenerPort: 80,
      idleTimeoutSeconds: 0.2,
      targets: { nextTarget: () => ({ id: '127.0.0.1', port: targetPort }) },
      observers: [{ requestCompleted: (event) => events.push(event) }],
      dropInvalidHeaderFields: true,
    });
    port = (await proxy.listen(0, '127.0.0.1')).port;
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => target.close(resolve));
  });

  /**
   * Sends bytes and resolves with what came back: once the listener closes, 50 ms after the last
   * bytes of an answer, or after two idle timeouts without one.
   */
  const sendFrom = (bytes: string) =>
    new Promise<{ answer: string; clientPort: number }>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      let timer: NodeJS.Timeout;
      const finish = () => {
        clearTimeout(timer);
        const clientPort = socket.localPort ?? 0;
        socket.destroy();
        resolve({ answer: text, clientPort });
      };
      timer = setTimeout(finish, 1000);
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        clearTimeout(timer);
        timer = setTimeout(finish, 50);
      });
      socket.on('close', finish);
      socket.on('error', () => undefined);
      socket.write(Buffer.from(bytes, 'latin1'));
    });

  const send = async (bytes: string) => (await sendFrom(bytes)).answer;
  const answersAreHttp = (text: string) => text === '' || /^HTTP\/1\.1 [1-5][0-9]{2} /.test(text);

  it('answers arbitrary bytes with HTTP or a closed connection, and keeps serving', async () => {
    // Mostly ended by an empty line, so that most are a whole head; the rest wait for the idle timeout (408).
    const bytes = fc
      .tuple(latin1, fc.boolean())
      .map(([text, whole]) => (whole || text.length % 4 ? `${text}\r\n\r\n` : text));
    await fc.assert(
      fc.asyncProperty(bytes, async (request) => {
        expect(answersAreHttp(await send(request))).toBe(true);
      }),
      { numRuns: 100 },
    );
    expect(await send('GET / HTTP/1.1\r\nHost: a\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('logs for each generated request the classification the classifier gives its head', async () => {
    const mutated = fc
      .tuple(compliantModel, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }))
      .map(([model, edits]) => {
        const text = render(model);
        const head = text.slice(0, -4);
        const chars = [...head];
        for (const [at, code] of edits) chars[at % chars.length] = String.fromCharCode(code);
        return `${chars.join('')}\r\n\r\n`;
      });
    await fc.assert(
      fc.asyncProperty(mutated, async (request) => {
        events.length = 0;
        const { answer, clientPort } = await sendFrom(request);
        expect(answersAreHttp(answer)).toBe(true);
        const expected = classifyRequestHead(request);
        // Client ports are reused over a few hundred connections: the event of this request is
        // the last one from this port with this request line's method and version.
        const event = events
          .filter(
            ({ client, method, httpVersion }) =>
              client.port === clientPort &&
              method === (expected.head.method || '-') &&
              httpVersion === (expected.head.version.trim() || '-'),
          )
          .pop();
        if (event === undefined) return;
        expect(event.classification).toBe(expected.tier === 'Compliant' ? undefined : expected.tier);
        if (expected.tier === 'Severe') expect(event.elbStatusCode).toBe(400);
      }),
      { numRuns: 80 },
    );
  });
});
