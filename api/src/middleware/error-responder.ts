import type { ParameterizedContext } from 'koa';
import { ApiError, errorBody } from '../errors';
import { sendJson } from '../json-response';
import type { AppState } from '../state';

/** Answers with the one error body; anything that is not an ApiError becomes a bare 500. */
export function respondWithError(ctx: ParameterizedContext<AppState>, error: unknown): void {
  let apiError: ApiError;
  if (error instanceof ApiError) {
    apiError = error;
  } else {
    ctx.state.unexpectedError = error;
    apiError = new ApiError(
      500,
      'INTERNAL_ERROR',
      'An unexpected error occurred; quote the request id when reporting it',
    );
  }
  ctx.state.errorCode = apiError.code;
  ctx.status = apiError.status;
  ctx.set(apiError.headers);
  sendJson(ctx, errorBody(apiError.code, apiError.message, ctx.state.requestId, ctx.path));
}
