/**
 * The console's HTTP app: the page and its bundle, and GET /api/dashboard, which reads the
 * dashboard's body and every widget's data from the emulator for one time range.
 */
import Router from '@koa/router';
import { isNoSuchDashboard } from '@zama/localstack';
import Koa from 'koa';
import { DashboardBodyError, type DashboardSpec, parseDashboardBody } from './dashboard/dashboard-body';
import { type DashboardView, dashboardView } from './dashboard/dashboard-view';
import type { CallCounts, EmulatorReader } from './dashboard/emulator-reader';

/** The time ranges the page offers, as CloudWatch's console does, in minutes. */
export const TIME_RANGES: Readonly<Record<string, number>> = { '15m': 15, '1h': 60, '3h': 180 };

/** A file of the page's bundle, kept in memory: a handful of files, read once. */
export interface WebAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

export interface ConsoleAppOptions {
  readonly reader: EmulatorReader;
  /** The dashboard to draw; the only one the emulator has when absent. */
  readonly dashboardName?: string;
  /** By file name; `index.html` is the page. */
  readonly assets: ReadonlyMap<string, WebAsset>;
  /** Where the emulator is, for the message when it does not answer. */
  readonly emulatorEndpoint: string;
  readonly now?: () => number;
}

export interface DashboardResponse extends DashboardView {
  readonly name: string;
  readonly range: string;
  /** The emulator calls this console has made since it started, by API. */
  readonly calls: CallCounts;
}

export function createConsoleApp(options: ConsoleAppOptions): Koa {
  const { reader, assets, emulatorEndpoint } = options;
  const now = options.now ?? Date.now;
  const app = new Koa();
  const router = new Router();
  let dashboardFound: string | undefined;

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/api/dashboard', async (ctx) => {
    const range = typeof ctx.query.range === 'string' ? ctx.query.range : '3h';
    const minutes = TIME_RANGES[range];
    if (minutes === undefined) {
      ctx.status = 400;
      ctx.body = {
        error: `unknown time range "${range}": use one of ${Object.keys(TIME_RANGES).join(', ')}`,
      };
      return;
    }
    let name: string;
    let dashboard: DashboardSpec;
    let view: DashboardView;
    try {
      dashboardFound ??= options.dashboardName ?? (await onlyDashboard(reader));
      name = dashboardFound;
      dashboard = parseDashboardBody(await reader.dashboardBody(name));
      const end = new Date(now());
      view = await dashboardView(dashboard, reader, new Date(end.getTime() - minutes * 60_000), end);
    } catch (error) {
      if (
        error instanceof DashboardBodyError ||
        error instanceof NoDashboardError ||
        isNoSuchDashboard(error)
      ) {
        dashboardFound = undefined;
        ctx.status = 404;
        ctx.body = { error: (error as Error).message };
        return;
      }
      ctx.status = 503;
      ctx.body = {
        error: `the emulator at ${emulatorEndpoint} did not answer: ${(error as Error).message}. Is the platform running? 'make local-status' says.`,
      };
      return;
    }
    const body: DashboardResponse = { name, range, ...view, calls: { ...reader.calls } };
    ctx.body = body;
  });

  router.get('/', (ctx) => serve(ctx, 'index.html'));
  router.get('/assets/:file', (ctx) => serve(ctx, ctx.params.file));

  const serve = (ctx: Koa.Context, file: string) => {
    const asset = assets.get(file);
    if (!asset) {
      ctx.status = 404;
      ctx.body = { error: `no such file: ${file}` };
      return;
    }
    ctx.type = asset.contentType;
    ctx.set('Cache-Control', file === 'index.html' ? 'no-cache' : 'max-age=3600');
    ctx.body = asset.body;
  };

  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

class NoDashboardError extends Error {
  override name = 'NoDashboardError';
}

async function onlyDashboard(reader: EmulatorReader): Promise<string> {
  const names = await reader.listDashboards();
  if (names.length === 1) return names[0];
  throw new NoDashboardError(
    names.length === 0
      ? "the emulator has no dashboard: deploy the platform with 'make local-up'"
      : `the emulator has ${names.length} dashboards (${names.join(', ')}): name one with DASHBOARD_NAME`,
  );
}
