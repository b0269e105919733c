/**
 * The dashboard view: each widget at its place in the dashboard's 24-column grid, metric widgets
 * drawn with uPlot, the alarm widget as coloured states, log widgets as tables.
 */
import uPlot from 'uplot';
import type { DashboardResponse } from '../src/console-app';
import type { AlarmRow, Series, WidgetView } from '../src/dashboard/dashboard-view';
import { element } from './dom';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
let charts: uPlot[] = [];

export function drawDashboard(grid: HTMLElement, dashboard: DashboardResponse): void {
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
    const item = element('li', { 'data-alarm': alarm.name, 'data-state': alarm.state ?? '' });
    // Each alarm opens its page, with its history, as on CloudWatch's dashboards.
    item.append(
      element(
        'a',
        { href: `#/alarms/${encodeURIComponent(alarm.name)}` },
        `${alarm.name} · ${alarm.state ?? 'missing'}`,
      ),
    );
    item.title = [alarm.reason, alarm.updated && `since ${alarm.updated}`].filter(Boolean).join('\n');
    list.append(item);
  }
  box.append(list);
}
