import type { Target } from './targets';

/**
 * Everything the load balancer knows about one request once it is over: what an ALB access
 * log line records, and what its per-request CloudWatch metrics count.
 */
export interface CompletedRequest {
  /** When the load balancer received the request (request_creation_time). */
  readonly receivedAt: Date;
  /** When the load balancer finished the response (time). */
  readonly completedAt: Date;
  readonly client: { readonly address: string; readonly port: number };
  /** The target the request was sent to; undefined when it was not dispatched. */
  readonly target?: Target;
  /** Status code the load balancer sent to the client (460 when the client left first, as AWS logs it). */
  readonly elbStatusCode: number;
  /** Status code from the target; undefined when no target answered. */
  readonly targetStatusCode?: number;
  /** From receiving the request to sending it to the target; undefined when not dispatched. */
  readonly requestProcessingSeconds?: number;
  /** From sending to the target until its response headers arrived (TargetResponseTime); undefined without a response. */
  readonly targetResponseTimeSeconds?: number;
  /** From the target's response headers until the response started to the client; undefined without a response. */
  readonly responseProcessingSeconds?: number;
  /** True when no connection to the target could be established (TargetConnectionErrorCount). */
  readonly targetConnectionError: boolean;
  readonly receivedBytes: number;
  readonly sentBytes: number;
  readonly method: string;
  /** `http://host:port/uri` as the access log writes it. */
  readonly url: string;
  readonly httpVersion: string;
  readonly userAgent?: string;
  /** The X-Amzn-Trace-Id value sent to the target. */
  readonly traceId: string;
  /** Identifies the client connection (conn_trace_id). */
  readonly connectionTraceId: string;
  /** The desync classification (classification); undefined for a Compliant request, which AWS logs as `-`. */
  readonly classification?: 'Acceptable' | 'Ambiguous' | 'Severe';
  /** Why it is not Compliant (classification_reason). */
  readonly classificationReason?: string;
}

/** Receives every request the load balancer completes: the access log today, metrics next. */
export interface RequestObserver {
  requestCompleted(request: CompletedRequest): void;
}
