/**
 * The console's page: asks /api/dashboard for the chosen time range and draws each widget at
 * its place in the dashboard's 24-column grid; metric widgets with uPlot. When the console
 * cannot read the emulator, the page says so and keeps the last data it drew.
 */
import uPlot from 'uplot';
import type { DashboardResponse } from '../src/console-app';
import type { AlarmRow, Series, WidgetView } from '../src/dashboard/dashboard-view';

/** Longer than the console's own 10 s per emulator call, so that its answer says what is wrong. */
const ANSWER_TIMEOUT_MS = 25_000;
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

const grid = document.getElementById('grid') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;
const refresh = document.getElementById('refresh') as HTMLSelectElement;
const params = new URLSearchParams(location.search);
let range = params.get('range') ?? '3h';
let timer: number | undefined;
let charts: uPlot[] = [];
let lastDrawn: DashboardResponse | undefined;

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  text?: string,
) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

const time = (iso: string) => new Date(iso).toLocaleTimeString();

let loading = false;
let again = false;

/**
 * One read at a time: a slow emulator must not pile up requests from every refresh. A read
 * asked for meanwhile (another range chosen) runs once the current one ends.
 */
async function load(): Promise<void> {
  if (loading) {
    again = true;
    return;
  }
  loading = true;
  try {
    await read();
  } finally {
    loading = false;
    if (again) {
      again = false;
      void load();
    }
  }
}

async function read(): Promise<void> {
  let answer: Response;
  try {
    answer = await fetch(`/api/dashboard?range=${encodeURIComponent(range)}`, {
      cache: 'no-store',
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
  } catch (error) {
    return stale(`the console does not answer (${(error as Error).message})`);
  }
  const body = (await answer.json()) as DashboardResponse | { error: string };
  if ('error' in body) return stale(body.error);
  draw(body);
  lastDrawn = body;
  status.classList.remove('stale');
  status.textContent = `updated ${time(body.end)}`;
}

/** Keeps what is drawn, and says why it is not being updated. */
function stale(reason: string): void {
  status.classList.add('stale');
  status.textContent = lastDrawn ? `${reason} Showing data from ${time(lastDrawn.end)}.` : reason;
}

function draw(dashboard: DashboardResponse): void {
  (document.getElementById('dashboard-name') as HTMLElement).textContent = `· ${dashboard.name}`;
  for (const chart of charts) chart.destroy();
  charts = [];
  grid.replaceChildren();
  const start = Date.parse(dashboard.start) / 1000;
  const end = Date.parse(dashboard.end) / 1000;
  for (const widget of dashboard.widgets) {
    const box = element('section', { class: `widget ${widget.type}`, 'data-widget-type': widget.type });
    box.style.gridColumn = `${widget.layout.x + 1} / span ${widget.layout.width}`;
    box.style.gridRow = `${widget.layout.y + 1} / span ${widget.layout.height}`;
    box.append(element('h2', {}, widget.title || '(untitled)'));
    grid.append(box);
    drawWidget(box, widget, start, end);
  }
}

function drawWidget(box: HTMLElement, widget: WidgetView, start: number, end: number): void {
  switch (widget.type) {
    case 'metric':
      drawMetric(box, widget.series, start, end);
      return;
    case 'alarm':
      drawAlarms(box, widget.alarms);
      return;
    case 'log': {
      if (widget.note) box.append(element('p', { class: 'note' }, widget.note));
      if (widget.rows.length === 0) {
        box.append(element('p', { class: 'empty' }, 'No data found.'));
        box.dataset.rows = '0';
        return;
      }
      const table = element('table');
      const head = element('tr');
      for (const column of widget.columns) head.append(element('th', {}, column));
      table.append(element('thead'), element('tbody'));
      (table.tHead as HTMLTableSectionElement).append(head);
      for (const row of widget.rows) {
        const tr = element('tr');
        for (const column of widget.columns) {
          const value = row[column];
          const shown =
            column === '@timestamp' && typeof value === 'number'
              ? new Date(value).toISOString()
              : (value ?? '');
          tr.append(element('td', {}, String(shown)));
        }
        (table.tBodies[0] as HTMLTableSectionElement).append(tr);
      }
      box.dataset.rows = String(widget.rows.length);
      box.append(table);
      return;
    }
    case 'unsupported':
      box.append(element('p', { class: 'note' }, `Not supported locally: ${widget.reason}`));
      return;
  }
}

function drawMetric(box: HTMLElement, series: readonly Series[], start: number, end: number): void {
  const points = series.reduce((sum, line) => sum + line.values.length, 0);
  box.dataset.points = String(points);
  box.dataset.series = String(series.length);
  if (points === 0) {
    box.append(element('p', { class: 'empty' }, 'No data available.'));
    return;
  }
  // uPlot takes one x axis: the union of the series' timestamps, with gaps where a series has none.
  const xs = [...new Set(series.flatMap((line) => line.timestamps))].sort((a, b) => a - b);
  const ys = series.map((line) => {
    const byTime = new Map(line.timestamps.map((t, i) => [t, line.values[i]]));
    return xs.map((x) => byTime.get(x) ?? null);
  });
  const holder = element('div', { class: 'chart' });
  box.append(holder);
  const width = Math.max(holder.clientWidth, 200);
  const height = Math.max(holder.clientHeight, 120);
  const chart = new uPlot(
    {
      width,
      height,
      scales: { x: { time: true, min: start, max: end } },
      series: [
        {},
        ...series.map((line, i) => ({
          label: line.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: false,
        })),
      ],
      axes: [{}, { size: 50 }],
      legend: { live: false },
    },
    [xs, ...ys] as uPlot.AlignedData,
    holder,
  );
  // The legend is drawn below the plot, in the same box: the plot gives it the room it takes.
  const legend = chart.root.querySelector<HTMLElement>('.u-legend')?.offsetHeight ?? 0;
  chart.setSize({ width, height: Math.max(height - legend - 4, 60) });
  charts.push(chart);
}

function drawAlarms(box: HTMLElement, alarms: readonly AlarmRow[]): void {
  const list = element('ul', { class: 'alarms' });
  for (const alarm of alarms) {
    const item = element(
      'li',
      { 'data-alarm': alarm.name, 'data-state': alarm.state ?? '' },
      `${alarm.name} · ${alarm.state ?? 'missing'}`,
    );
    item.title = [alarm.reason, alarm.updated && `since ${alarm.updated}`].filter(Boolean).join('\n');
    list.append(item);
  }
  box.append(list);
}

function schedule(): void {
  if (timer !== undefined) clearInterval(timer);
  const seconds = Number(refresh.value);
  timer = seconds > 0 ? window.setInterval(() => void load(), seconds * 1000) : undefined;
}

function chooseRange(chosen: string): void {
  range = chosen;
  for (const button of document.querySelectorAll<HTMLButtonElement>('#ranges button'))
    button.setAttribute('aria-pressed', String(button.dataset.range === range));
  params.set('range', range);
  history.replaceState(null, '', `?${params}`);
  void load();
}

for (const button of document.querySelectorAll<HTMLButtonElement>('#ranges button'))
  button.addEventListener('click', () => chooseRange(button.dataset.range as string));
refresh.addEventListener('change', schedule);
// Graphs are drawn to their box's size: draw again, once, when the window has been resized.
let resizing: number | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = window.setTimeout(() => lastDrawn && draw(lastDrawn), 200);
});
const every = params.get('refresh');
if (every !== null) refresh.value = every;
schedule();
chooseRange(range);
