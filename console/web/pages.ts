/**
 * The pages an SRE opens beside the dashboard, drawn from the console's reads: the alarms with
 * their state and reason, one alarm's history of transitions, the target group's targets with
 * their state and reason, and the ECS service with its tasks, events and scaling activities.
 */
import type { AlarmDetail, AlarmSummary } from '../src/console-app';
import type { ServicePage, TargetHealthDescription } from '../src/data-plane-reader';
import { badge, dateTime, element, table } from './dom';

const alarmLink = (name: string) => element('a', { href: `#/alarms/${encodeURIComponent(name)}` }, name);

export function drawAlarms(page: HTMLElement, alarms: readonly AlarmSummary[]): void {
  const counts = ['ALARM', 'OK', 'INSUFFICIENT_DATA'].map(
    (state) => `${alarms.filter((alarm) => alarm.state === state).length} ${state}`,
  );
  page.replaceChildren(
    element('h2', {}, `Alarms (${alarms.length})`),
    element('p', { class: 'summary' }, counts.join(' · ')),
    table(
      ['Name', 'State', 'Last state update', 'Conditions', 'Reason'],
      alarms.map((alarm) => ({
        attributes: { 'data-alarm-row': alarm.name, 'data-state': alarm.state ?? '' },
        cells: [
          alarmLink(alarm.name),
          badge(alarm.state),
          dateTime(alarm.updated),
          alarm.condition,
          alarm.reason ?? '',
        ],
      })),
      { id: 'alarm-table', class: 'wrap' },
    ),
  );
}

export function drawAlarm(page: HTMLElement, detail: AlarmDetail): void {
  const { alarm, history } = detail;
  const facts = element('dl', { class: 'facts' });
  for (const [term, value] of [
    ['State', badge(alarm.state)],
    ['Conditions', alarm.condition],
    ['Reason', alarm.reason ?? ''],
    ['Last state update', dateTime(alarm.updated)],
    ['Actions', alarm.actions.join(', ') || 'none'],
  ] as const) {
    facts.append(element('dt', {}, term));
    const definition = element('dd');
    definition.append(value);
    facts.append(definition);
  }
  page.replaceChildren(
    element('a', { href: '#/alarms', class: 'back' }, '← Alarms'),
    element('h2', { 'data-alarm-detail': alarm.name }, alarm.name),
    facts,
    element('h3', {}, `History (${history.length})`),
    element(
      'p',
      { class: 'note' },
      detail.historySource === 'emulator'
        ? "The emulator's DescribeAlarmHistory, newest first."
        : "The monitor's record of the state changes it made, newest first: this emulator keeps no alarm history (DescribeAlarmHistory is not implemented).",
    ),
    history.length === 0
      ? element('p', { class: 'empty' }, 'No state change yet.')
      : table(
          ['Date', 'Type', 'Description', 'Reason'],
          history.map((item) => ({
            attributes: { 'data-from': item.from ?? '', 'data-to': item.to ?? '' },
            cells: [dateTime(item.timestamp), 'State update', item.summary, item.reason ?? ''],
          })),
          { id: 'alarm-history', class: 'wrap' },
        ),
  );
}

export function drawTargets(page: HTMLElement, targets: readonly TargetHealthDescription[]): void {
  const healthy = targets.filter(({ TargetHealth }) => TargetHealth.State === 'healthy').length;
  page.replaceChildren(
    element('h2', {}, 'Target group'),
    element('p', { class: 'summary' }, `${targets.length} registered targets, ${healthy} healthy`),
    targets.length === 0
      ? element('p', { class: 'empty' }, 'No targets are registered.')
      : table(
          ['IP address', 'Port', 'Health status', 'Health status details'],
          targets.map(({ Target, TargetHealth }) => ({
            attributes: { 'data-target': Target.Id, 'data-state': TargetHealth.State },
            cells: [
              Target.Id,
              String(Target.Port),
              badge(TargetHealth.State),
              [TargetHealth.Reason, TargetHealth.Description].filter(Boolean).join(': '),
            ],
          })),
          { id: 'targets', class: 'wrap' },
        ),
  );
}

const field = (record: Record<string, unknown>, name: string) => {
  const value = record[name];
  return value === undefined || value === null ? '' : String(value);
};

export function drawService(page: HTMLElement, { service, tasks, scalingActivities }: ServicePage): void {
  const counts = element('dl', { class: 'facts', id: 'service-counts' });
  for (const name of ['desiredCount', 'runningCount', 'pendingCount'] as const) {
    counts.append(
      element('dt', {}, { desiredCount: 'Desired', runningCount: 'Running', pendingCount: 'Pending' }[name]),
    );
    counts.append(element('dd', { 'data-count': name }, field(service, name)));
  }
  const events = (service.events ?? []) as Array<Record<string, unknown>>;
  page.replaceChildren(
    element('h2', {}, `ECS service ${field(service, 'serviceName')}`),
    counts,
    element('h3', {}, `Tasks (${tasks.running.length} in the service, ${tasks.stopped.length} stopped)`),
    table(
      ['Task', 'Last status', 'Health', 'IP address', 'Started', 'Stopped reason'],
      [
        ...tasks.running.map((task) => ({
          attributes: { 'data-task': field(task, 'taskId'), 'data-status': field(task, 'lastStatus') },
          cells: [
            field(task, 'taskId'),
            badge(field(task, 'lastStatus')),
            field(task, 'healthStatus'),
            field(task, 'ip'),
            dateTime(field(task, 'startedAt')),
            '',
          ],
        })),
        ...tasks.stopped.map((task) => ({
          attributes: { 'data-task': field(task, 'taskId'), 'data-status': 'STOPPED' },
          cells: [
            field(task, 'taskId'),
            badge('STOPPED'),
            '',
            '',
            dateTime(field(task, 'stoppedAt')),
            field(task, 'stoppedReason'),
          ],
        })),
      ],
      { id: 'tasks', class: 'wrap' },
    ),
    element('h3', {}, 'Events'),
    events.length === 0
      ? element('p', { class: 'empty' }, 'No events.')
      : table(
          ['Started at', 'Message'],
          events.map((event) => ({ cells: [dateTime(field(event, 'createdAt')), field(event, 'message')] })),
          { id: 'service-events', class: 'wrap' },
        ),
    element('h3', {}, 'Scaling activities'),
    scalingActivities.length === 0
      ? element('p', { class: 'empty' }, 'No scaling activity yet.')
      : table(
          ['Start time', 'Status', 'Description', 'Cause'],
          scalingActivities.map((activity) => ({
            cells: [
              dateTime(field(activity, 'StartTime')),
              field(activity, 'StatusCode'),
              field(activity, 'Description'),
              field(activity, 'Cause'),
            ],
          })),
          { id: 'scaling-activities', class: 'wrap' },
        ),
  );
}
