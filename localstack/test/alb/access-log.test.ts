import { AccessLog, formatAccessLogEntry } from '../../src/alb/access-log';
import type { CompletedRequest } from '../../src/alb/observer';

const CONTEXT = {
  elb: 'app/my-loadbalancer/50dc6c495c0c9188',
  targetGroupArn:
    'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067',
};

const SERVED: CompletedRequest = {
  receivedAt: new Date('2018-07-02T22:22:48.364Z'),
  completedAt: new Date('2018-07-02T22:23:00.186Z'),
  client: { address: '192.168.131.39', port: 2817 },
  target: { id: '10.0.0.1', port: 80 },
  elbStatusCode: 200,
  targetStatusCode: 200,
  requestProcessingSeconds: 0.0002,
  targetResponseTimeSeconds: 0.0012,
  responseProcessingSeconds: 0,
  targetConnectionError: false,
  receivedBytes: 34,
  sentBytes: 366,
  method: 'GET',
  url: 'http://www.example.com:80/',
  httpVersion: 'HTTP/1.1',
  userAgent: 'curl/7.46.0',
  traceId: 'Root=1-58337262-36d228ad5d99923122bbe354',
  connectionTraceId: 'TID_1234abcd5678ef90',
};

/** Splits a line into fields the way parsers of ALB logs do: spaces, except inside quotes. */
function fields(line: string): string[] {
  return line.match(/"[^"]*"|\S+/g) ?? [];
}

describe('formatAccessLogEntry', () => {
  it('writes the fields in the order of ALB access logs', () => {
    // GIVEN the request of AWS's documented HTTP example WHEN formatted THEN the same line
    expect(formatAccessLogEntry(SERVED, CONTEXT)).toBe(
      'http 2018-07-02T22:23:00.186000Z app/my-loadbalancer/50dc6c495c0c9188 ' +
        '192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 ' +
        '"GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - ' +
        'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 ' +
        '"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" ' +
        '0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90',
    );
  });

  it('writes - for what did not happen and -1 for timings that do not apply', () => {
    const unanswered: CompletedRequest = {
      ...SERVED,
      target: undefined,
      elbStatusCode: 503,
      targetStatusCode: undefined,
      requestProcessingSeconds: undefined,
      targetResponseTimeSeconds: undefined,
      responseProcessingSeconds: undefined,
      userAgent: undefined,
    };
    const line = fields(formatAccessLogEntry(unanswered, CONTEXT));

    expect(line).toHaveLength(30);
    expect(line.slice(4, 10)).toEqual(['-', '-1', '-1', '-1', '503', '-']);
    expect(line[13]).toBe('"-"');
    expect(line.slice(25, 27)).toEqual(['"-"', '"-"']);
  });

  it('keeps the target of a request that got no response (502, 504)', () => {
    const line = fields(
      formatAccessLogEntry(
        {
          ...SERVED,
          elbStatusCode: 504,
          targetStatusCode: undefined,
          requestProcessingSeconds: undefined,
          targetResponseTimeSeconds: undefined,
          responseProcessingSeconds: undefined,
        },
        CONTEXT,
      ),
    );
    expect([line[4], line[8], line[9], line[25], line[26]]).toEqual([
      '10.0.0.1:80',
      '504',
      '-',
      '"10.0.0.1:80"',
      '"-"',
    ]);
  });
});

describe('AccessLog', () => {
  it('writes one line per completed request', () => {
    const lines: string[] = [];
    const log = new AccessLog(CONTEXT, (line) => lines.push(line));
    log.requestCompleted(SERVED);
    log.requestCompleted({ ...SERVED, elbStatusCode: 404, targetStatusCode: 404 });
    expect(lines).toHaveLength(2);
    expect(fields(lines[1])[8]).toBe('404');
  });
});
