import type { Middleware } from 'koa';
import { ApiError, errorBody } from '../errors';
import type { AppState } from '../state';

/** Turns every error below it into the one error body; unexpected ones become a bare 500. */
export function errorResponder(): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
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
      ctx.body = errorBody(apiError.code, apiError.message, ctx.state.requestId, ctx.path);
    }
  };
}
