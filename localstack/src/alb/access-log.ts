import type { CompletedRequest, RequestObserver } from './observer';

export interface AccessLogContext {
  /** The load balancer's resource id, `app/<name>/<id>`. */
  readonly elb: string;
  readonly targetGroupArn: string;
}

/**
 * One access-log entry in the field order of ALB's access logs (fields AWS adds later go at
 * the end, so parsers of the documented format read these lines). `-` marks a value that
 * does not apply and -1 a timing that does not, as AWS writes them; this listener is plain
 * HTTP, so the TLS fields are always `-`.
 */
export function formatAccessLogEntry(request: CompletedRequest, context: AccessLogContext): string {
  const target = request.target ? `${request.target.id}:${request.target.port}` : '-';
  const targetStatus = request.targetStatusCode === undefined ? '-' : String(request.targetStatusCode);
  return [
    'http',
    isoMicros(request.completedAt),
    context.elb,
    `${request.client.address}:${request.client.port}`,
    target,
    timing(request.requestProcessingSeconds),
    timing(request.targetResponseTimeSeconds),
    timing(request.responseProcessingSeconds),
    String(request.elbStatusCode),
    targetStatus,
    String(request.receivedBytes),
    String(request.sentBytes),
    quoted(`${request.method} ${request.url} ${request.httpVersion}`),
    quoted(request.userAgent?.slice(0, 8192)),
    '-',
    '-',
    context.targetGroupArn,
    quoted(request.traceId),
    quoted(undefined),
    quoted(undefined),
    // 0: no listener rule matched, the default action ran.
    '0',
    isoMicros(request.receivedAt),
    quoted('forward'),
    quoted(undefined),
    quoted(undefined),
    quoted(request.target ? target : undefined),
    quoted(request.targetStatusCode === undefined ? undefined : targetStatus),
    quoted(request.classification),
    quoted(request.classificationReason),
    request.connectionTraceId,
  ].join(' ');
}

/** Writes one access-log line per completed request (to stdout in the running ALB). */
export class AccessLog implements RequestObserver {
  constructor(
    private readonly context: AccessLogContext,
    private readonly write: (line: string) => void,
  ) {}

  requestCompleted(request: CompletedRequest): void {
    this.write(formatAccessLogEntry(request, this.context));
  }
}

function timing(seconds: number | undefined): string {
  return seconds === undefined ? '-1' : seconds.toFixed(3);
}

function quoted(value: string | undefined): string {
  return `"${value === undefined || value === '' ? '-' : value}"`;
}

/** ISO 8601 with microseconds, like `2018-07-02T22:23:00.186641Z`. */
function isoMicros(date: Date): string {
  return date.toISOString().replace('Z', '000Z');
}
