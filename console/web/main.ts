/**
 * The console's page: a view per hash (#/dashboard, #/alarms, #/alarms/<name>, #/targets,
 * #/service, #/logs?group=&pattern=&tail=1), each read from the console's /api for the chosen
 * time range and refreshed at the chosen interval. When a read fails, the page says so and
 * keeps what it drew last.
 */
import type { AlarmDetail, AlarmSummary, DashboardResponse } from '../src/console-app';
import type { ServicePage, TargetHealthDescription } from '../src/data-plane-reader';
import { drawDashboard } from './dashboard';
import { time } from './dom';
import { type LogQuery, LogView } from './logs';
import { drawAlarm, drawAlarms, drawService, drawTargets } from './pages';

/** Longer than the console's own 10 s per emulator call, so that its answer says what is wrong. */
const ANSWER_TIMEOUT_MS = 25_000;

const grid = document.getElementById('grid') as HTMLElement;
const page = document.getElementById('page') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;
const refresh = document.getElementById('refresh') as HTMLSelectElement;
const params = new URLSearchParams(location.search);
let range = params.get('range') ?? '3h';
let timer: number | undefined;
let lastDrawn: { view: string; at: string } | undefined;
let lastDashboard: DashboardResponse | undefined;

/** The console's answer, or an Error with its words (or why it did not answer). */
async function read(url: string): Promise<unknown> {
  let answer: Response;
  try {
    answer = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS) });
  } catch (error) {
    throw new Error(`the console does not answer (${(error as Error).message})`);
  }
  const body = (await answer.json()) as { error?: string };
  if (!answer.ok || body.error) throw new Error(body.error ?? `the console answered ${answer.status}`);
  return body;
}

interface Route {
  readonly view: 'dashboard' | 'alarms' | 'alarm' | 'targets' | 'service' | 'logs';
  readonly name?: string;
  readonly query: URLSearchParams;
}

function route(): Route {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const search = new URLSearchParams(query);
  if (parts[0] === 'alarms' && parts[1])
    return { view: 'alarm', name: decodeURIComponent(parts[1]), query: search };
  if (['alarms', 'targets', 'service', 'logs'].includes(parts[0]))
    return { view: parts[0] as Route['view'], query: search };
  return { view: 'dashboard', query: search };
}

const logs = new LogView(page, read, (query: LogQuery) => {
  const search = new URLSearchParams({ group: query.group, pattern: query.pattern });
  if (query.tail) search.set('tail', '1');
  location.hash = `#/logs?${search}`;
});

let loading = false;
let again = false;

/**
 * One read at a time: a slow emulator must not pile up requests from every refresh. A read
 * asked for meanwhile (another view or range chosen) runs once the current one ends.
 */
async function load(): Promise<void> {
  if (loading) {
    again = true;
    return;
  }
  loading = true;
  try {
    await show(route());
  } finally {
    loading = false;
    if (again) {
      again = false;
      void load();
    }
  }
}

async function show(current: Route): Promise<void> {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('#views a'))
    link.setAttribute(
      'aria-current',
      String(link.dataset.view === current.view.replace(/^alarm$/, 'alarms')),
    );
  grid.hidden = current.view !== 'dashboard';
  page.hidden = current.view === 'dashboard';
  if (current.view !== 'logs') logs.stopTail();
  try {
    switch (current.view) {
      case 'dashboard': {
        const dashboard = (await read(
          `/api/dashboard?range=${encodeURIComponent(range)}`,
        )) as DashboardResponse;
        (document.getElementById('dashboard-name') as HTMLElement).textContent = `· ${dashboard.name}`;
        drawDashboard(grid, dashboard);
        lastDashboard = dashboard;
        break;
      }
      case 'alarms':
        drawAlarms(page, ((await read('/api/alarms')) as { alarms: AlarmSummary[] }).alarms);
        break;
      case 'alarm':
        drawAlarm(
          page,
          (await read(`/api/alarms/${encodeURIComponent(current.name as string)}`)) as AlarmDetail,
        );
        break;
      case 'targets':
        drawTargets(
          page,
          ((await read('/api/targets')) as { TargetHealthDescriptions: TargetHealthDescription[] })
            .TargetHealthDescriptions,
        );
        break;
      case 'service':
        drawService(page, (await read('/api/service')) as ServicePage);
        break;
      case 'logs':
        await logs.show(
          {
            group: current.query.get('group') ?? undefined,
            pattern: current.query.get('pattern') ?? undefined,
            tail: current.query.get('tail') === '1',
          },
          range,
        );
        break;
    }
  } catch (error) {
    return stale((error as Error).message, current.view);
  }
  lastDrawn = { view: current.view, at: new Date().toISOString() };
  status.classList.remove('stale');
  status.textContent = `updated ${time(lastDrawn.at)}`;
}

/** Keeps what is drawn, and says why it is not being updated. */
function stale(reason: string, view: string): void {
  status.classList.add('stale');
  status.textContent =
    lastDrawn?.view === view ? `${reason} Showing data from ${time(lastDrawn.at)}.` : reason;
}

function schedule(): void {
  if (timer !== undefined) clearInterval(timer);
  const seconds = Number(refresh.value);
  timer =
    seconds > 0
      ? window.setInterval(() => route().view !== 'logs' && void load(), seconds * 1000)
      : undefined;
}

function chooseRange(chosen: string): void {
  range = chosen;
  for (const button of document.querySelectorAll<HTMLButtonElement>('#ranges button'))
    button.setAttribute('aria-pressed', String(button.dataset.range === range));
  params.set('range', range);
  history.replaceState(null, '', `?${params}${location.hash}`);
  void load();
}

for (const button of document.querySelectorAll<HTMLButtonElement>('#ranges button'))
  button.addEventListener('click', () => chooseRange(button.dataset.range as string));
refresh.addEventListener('change', schedule);
window.addEventListener('hashchange', () => void load());
// Graphs are drawn to their box's size: draw again, once, when the window has been resized.
let resizing: number | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = window.setTimeout(
    () => route().view === 'dashboard' && lastDashboard && drawDashboard(grid, lastDashboard),
    200,
  );
});
const every = params.get('refresh');
if (every !== null) refresh.value = every;
schedule();
chooseRange(range);
