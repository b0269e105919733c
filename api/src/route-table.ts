import type { Middleware } from 'koa';
import type { AppState } from './state';

type Handler = Middleware<AppState>;

interface Route {
  /** The path as registered: the low-cardinality `route` label of metrics and log lines. */
  readonly template: string;
  /** By method, in the order they were added; GET brings HEAD. */
  readonly handlers: Map<string, Handler>;
}

/**
 * The service's routes. Every path is fixed (no parameters), so a request finds its route with one
 * map lookup rather than a scan of regular expressions: the cheapest part of a request that runs
 * on every one of them. Paths match case-sensitively, so /API/v1/sum cannot reach a handler by a
 * spelling the authentication prefix misses, and with or without one trailing slash.
 */
export class RouteTable {
  readonly #routes = new Map<string, Route>();

  get(path: string, handler: Handler): this {
    return this.#add(path, ['HEAD', 'GET'], handler);
  }

  post(path: string, handler: Handler): this {
    return this.#add(path, ['POST'], handler);
  }

  put(path: string, handler: Handler): this {
    return this.#add(path, ['PUT'], handler);
  }

  /** The registered path that serves this request path (for some method), if any. */
  template(path: string): string | undefined {
    return this.#find(path)?.template;
  }

  /** The methods served at this path, in the order they were added (`HEAD, GET, POST`). */
  allowedMethods(path: string): string[] {
    return [...(this.#find(path)?.handlers.keys() ?? [])];
  }

  /** Runs the handler of the request's path and method, or passes the request on when there is none. */
  middleware(): Handler {
    return (ctx, next) => {
      const handler = this.#find(ctx.path)?.handlers.get(ctx.method);
      return handler ? handler(ctx, next) : next();
    };
  }

  #find(path: string): Route | undefined {
    const route = this.#routes.get(path);
    if (route !== undefined || path.length < 2 || !path.endsWith('/')) return route;
    return this.#routes.get(path.slice(0, -1));
  }

  #add(path: string, methods: readonly string[], handler: Handler): this {
    let route = this.#routes.get(path);
    if (!route) {
      route = { template: path, handlers: new Map() };
      this.#routes.set(path, route);
    }
    for (const method of methods) {
      if (route.handlers.has(method)) throw new Error(`${method} ${path} is registered twice`);
      route.handlers.set(method, handler);
    }
    return this;
  }
}
