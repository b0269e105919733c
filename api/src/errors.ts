import { isoNow } from './clock';

export type ErrorCode =
  | 'INVALID_REQUEST_BODY'
  | 'VALIDATION_ERROR'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'INTERNAL_ERROR';

/** An error the client caused or should know about; anything else thrown becomes INTERNAL_ERROR. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
  request_id: string;
  path: string;
  timestamp: string;
}

export function errorBody(code: ErrorCode, message: string, requestId: string, path: string): ErrorBody {
  return { error: { code, message }, request_id: requestId, path, timestamp: isoNow() };
}
