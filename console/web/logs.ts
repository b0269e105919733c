/**
 * The log view: a log group, a filter pattern in the syntax of metric filters, the matching
 * events of the time range, and a live tail that adds new matching events as they arrive
 * (asked for every two seconds from the newest one shown; CloudWatch's Live Tail streams them).
 */
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { LogsResponse } from '../src/console-app';
import { dateTime, element } from './dom';

const TAIL_EVERY_MS = 2_000;
/** Rows kept on the page while tailing, the newest. */
const ROWS_KEPT = 1_000;

export interface LogQuery {
  readonly group: string;
  readonly pattern: string;
  readonly tail: boolean;
}

type Fetcher = (url: string) => Promise<unknown>;

export class LogView {
  private shown: FilteredLogEvent[] = [];
  private seen = new Set<string>();
  private tailTimer?: number;
  private query?: LogQuery;

  constructor(
    private readonly page: HTMLElement,
    private readonly read: Fetcher,
    /** Called with the new query when the person changes it, to keep it in the address. */
    private readonly onQuery: (query: LogQuery) => void,
  ) {}

  /** Draws the form and the events of the range for the query; the tail goes on if asked. */
  async show(query: Partial<LogQuery>, range: string): Promise<void> {
    const { logGroups } = (await this.read('/api/log-groups')) as {
      logGroups: Array<{ logGroupName: string }>;
    };
    const group = query.group || logGroups[0]?.logGroupName || '';
    this.query = { group, pattern: query.pattern ?? '', tail: query.tail ?? false };
    this.drawForm(logGroups.map(({ logGroupName }) => logGroupName));
    if (!group) {
      this.page.append(element('p', { class: 'empty' }, 'The emulator has no log group.'));
      return;
    }
    const params = new URLSearchParams({ group, pattern: this.query.pattern, range });
    let found: LogsResponse;
    try {
      found = (await this.read(`/api/logs?${params}`)) as LogsResponse;
    } catch (error) {
      (this.page.querySelector('#log-error') as HTMLElement).textContent = (error as Error).message;
      this.stopTail();
      return;
    }
    this.shown = [];
    this.seen.clear();
    this.add(found.events);
    this.summarise(found);
    this.setTail(this.query.tail);
  }

  stopTail(): void {
    if (this.tailTimer !== undefined) clearInterval(this.tailTimer);
    this.tailTimer = undefined;
  }

  private drawForm(groups: readonly string[]): void {
    const query = this.query as LogQuery;
    const form = element('form', { id: 'log-form' });
    const select = element('select', { id: 'log-group', 'aria-label': 'log group' });
    for (const name of groups) select.append(element('option', { value: name }, name));
    select.value = query.group;
    const input = element('input', {
      id: 'log-pattern',
      type: 'search',
      placeholder: 'Filter pattern, e.g. ERROR, { $.level = "error" } or [ip, user, status = 5*]',
      'aria-label': 'filter pattern',
      size: '60',
    });
    input.value = query.pattern;
    const tail = element('input', { id: 'log-tail', type: 'checkbox' });
    tail.checked = query.tail;
    const tailLabel = element('label', {}, ' Live tail');
    tailLabel.prepend(tail);
    form.append(select, input, element('button', { type: 'submit' }, 'Search'), tailLabel);
    const changed = () => this.onQuery({ group: select.value, pattern: input.value, tail: tail.checked });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      changed();
    });
    select.addEventListener('change', changed);
    tail.addEventListener('change', () => {
      if (this.query) this.query = { ...this.query, tail: tail.checked };
      this.setTail(tail.checked);
      this.onQuery(this.query as LogQuery);
    });
    this.page.replaceChildren(
      element('h2', {}, 'Logs'),
      form,
      element('p', { id: 'log-error', class: 'error', role: 'alert' }),
      element('p', { id: 'log-summary', class: 'summary' }),
      element('table', { id: 'log-events', class: 'wrap' }),
    );
  }

  private setTail(on: boolean): void {
    this.stopTail();
    if (on) this.tailTimer = window.setInterval(() => void this.tailOnce(), TAIL_EVERY_MS);
  }

  private async tailOnce(): Promise<void> {
    const query = this.query;
    if (!query) return;
    const newest = this.shown.at(-1)?.timestamp ?? Date.now() - 60_000;
    const params = new URLSearchParams({ group: query.group, pattern: query.pattern, since: String(newest) });
    try {
      const found = (await this.read(`/api/logs?${params}`)) as LogsResponse;
      this.add(found.events);
      (this.page.querySelector('#log-error') as HTMLElement).textContent = '';
    } catch (error) {
      (this.page.querySelector('#log-error') as HTMLElement).textContent = (error as Error).message;
    }
  }

  private summarise(found: LogsResponse): void {
    (this.page.querySelector('#log-summary') as HTMLElement).textContent =
      `${found.matched} of ${found.scanned} events from ${dateTime(found.start)} to ${dateTime(found.end)} match` +
      (found.matched > found.events.length ? `; the newest ${found.events.length} are shown` : '') +
      (found.truncated ? '; the range held more events than the console reads' : '');
  }

  /** Adds events not shown yet, in time order, keeping the newest {@link ROWS_KEPT}. */
  private add(events: readonly FilteredLogEvent[]): void {
    const fresh = events.filter((event) => !this.seen.has(identity(event)));
    if (fresh.length === 0 && this.shown.length > 0) return;
    for (const event of fresh) this.seen.add(identity(event));
    this.shown = [...this.shown, ...fresh]
      .sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))
      .slice(-ROWS_KEPT);
    const rows = this.page.querySelector('#log-events') as HTMLTableElement;
    rows.replaceChildren();
    const head = element('tr');
    for (const column of ['Timestamp', 'Log stream', 'Message']) head.append(element('th', {}, column));
    rows.createTHead().append(head);
    const body = rows.createTBody();
    // Newest first, as CloudWatch's log events view lists them.
    for (const event of [...this.shown].reverse()) {
      const tr = element('tr', { 'data-event-id': identity(event) });
      tr.append(
        element('td', {}, dateTime(event.timestamp)),
        element('td', {}, event.logStreamName ?? ''),
        element('td', { class: 'message' }, event.message ?? ''),
      );
      body.append(tr);
    }
    rows.dataset.rows = String(this.shown.length);
  }
}

/** FilterLogEvents' eventId where the emulator gives one, else what makes an event itself. */
function identity(event: FilteredLogEvent): string {
  return event.eventId ?? `${event.logStreamName}/${event.timestamp}/${event.ingestionTime}/${event.message}`;
}
