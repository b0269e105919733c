import type { ErrorCode } from './errors';

/** What the middleware chain records about one request in `ctx.state`. */
export interface AppState {
  requestId: string;
  /** Name (never the value) of the API key that authenticated the request. */
  apiKeyName?: string;
  /** The error code of the response, when it is an error. */
  errorCode?: ErrorCode;
  /** Set when a handler threw something that is not an ApiError; logged with its stack. */
  unexpectedError?: unknown;
}
