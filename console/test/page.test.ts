/**
 * The page in headless Chromium, drawing each widget type from fixture data: the console app
 * with an emulator in memory, the bundle as build-web.mjs makes it. Skipped, loudly, without a
 * Chromium (apt-get install -y chromium, or CHROMIUM_PATH).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, chromium as playwrightChromium } from 'playwright-core';
import { createConsoleApp } from '../src/console-app';
import { readWebAssets } from '../src/web-assets';
import { type FakeDataPlane, type FakeEmulator, fakeDataPlane, fakeReader } from './fake-reader';

const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path): path is string => path !== undefined && existsSync(path),
);
if (!chromium)
  process.stderr.write(
    '\n*** SKIPPED: the console page suite: no Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)\n\n',
  );
const describeInChromium = chromium ? describe : describe.skip;

const NOW = Date.now();
const ago = (minutes: number) => new Date(NOW - minutes * 60_000);
const ALARM_ARN = (name: string) => `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`;

/** One widget of each type the console draws, and one it does not. */
const FIXTURE: FakeEmulator = {
  dashboards: {
    fixture: JSON.stringify({
      widgets: [
        {
          type: 'alarm',
          x: 0,
          y: 0,
          width: 24,
          height: 2,
          properties: { title: 'Alarms', alarms: ['a-red', 'b-green', 'c-grey', 'd-gone'].map(ALARM_ARN) },
        },
        {
          type: 'metric',
          x: 0,
          y: 2,
          width: 12,
          height: 6,
          properties: {
            title: 'Requests',
            metrics: [['App', 'Requests', 'Service', 'api', { stat: 'Sum', period: 60 }]],
          },
        },
        {
          type: 'metric',
          x: 12,
          y: 2,
          width: 12,
          height: 6,
          properties: { title: 'Quiet', metrics: [['App', 'Nothing']] },
        },
        {
          type: 'log',
          x: 0,
          y: 8,
          width: 16,
          height: 4,
          properties: {
            title: 'Errors',
            query: "SOURCE 'app' | fields @timestamp, msg | filter level = 'error' | sort @timestamp desc",
          },
        },
        {
          type: 'text',
          x: 16,
          y: 8,
          width: 8,
          height: 4,
          properties: { title: 'Notes', markdown: '# hello' },
        },
      ],
    }),
  },
  metrics: [
    {
      Namespace: 'App',
      MetricName: 'Requests',
      Dimensions: [{ Name: 'Service', Value: 'api' }],
      points: [
        [ago(3), 5],
        [ago(2), 7],
        [ago(1), 6],
      ],
    },
  ],
  alarms: [
    { AlarmName: 'a-red', StateValue: 'ALARM', StateReason: 'Threshold Crossed' },
    { AlarmName: 'b-green', StateValue: 'OK' },
    { AlarmName: 'c-grey', StateValue: 'INSUFFICIENT_DATA' },
  ],
  logs: {
    app: [
      { timestamp: ago(4).getTime(), message: JSON.stringify({ level: 'error', msg: 'first failure' }) },
      { timestamp: ago(3).getTime(), message: JSON.stringify({ level: 'info', msg: 'fine' }) },
      { timestamp: ago(2).getTime(), message: JSON.stringify({ level: 'error', msg: 'second failure' }) },
    ],
  },
};

describeInChromium('the console page in Chromium', () => {
  let webDir: string;
  let browser: Browser;

  const serve = async (
    emulator: FakeEmulator,
    dataPlane?: FakeDataPlane,
  ): Promise<{ url: string; server: Server }> => {
    const app = createConsoleApp({
      reader: fakeReader(emulator),
      assets: readWebAssets(webDir),
      emulatorEndpoint: 'http://emulator:4566',
      dataPlane: fakeDataPlane(dataPlane),
      alarmHistory: 'emulator',
    });
    const server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  };

  const open = async (url: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${url}/?range=15m&refresh=0`);
    return page;
  };

  beforeAll(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'console-web-'));
    execFileSync(process.execPath, [join(__dirname, '..', 'build-web.mjs'), webDir]);
    browser = await playwrightChromium.launch({
      executablePath: chromium,
      headless: true,
      args: ['--disable-dev-shm-usage'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  test('draws each widget type at its place in the grid', async () => {
    // GIVEN the console over the fixture emulator
    const { url, server } = await serve(FIXTURE);
    try {
      // WHEN the page opens
      const page = await open(url);
      await page.waitForSelector('#grid > section');
      const widgets = await page.$$eval('#grid > section', (sections) =>
        sections.map((section) => ({
          type: section.dataset.widgetType,
          column: section.style.gridColumn,
          row: section.style.gridRow,
          points: section.dataset.points,
          canvas: section.querySelector('canvas') !== null,
          text: section.textContent,
        })),
      );

      // THEN
      expect(widgets.map(({ type, column, row }) => [type, column, row])).toEqual([
        ['alarm', '1 / span 24', '1 / span 2'],
        ['metric', '1 / span 12', '3 / span 6'],
        ['metric', '13 / span 12', '3 / span 6'],
        ['log', '1 / span 16', '9 / span 4'],
        ['unsupported', '17 / span 8', '9 / span 4'],
      ]);
      const [, requests, quiet, , notes] = widgets;
      expect(requests).toMatchObject({ points: '3', canvas: true });
      expect(quiet).toMatchObject({ points: '0', canvas: false });
      expect(quiet.text).toContain('No data available.');
      expect(notes.text).toContain('Not supported locally: the widget type "text" is not supported locally');
      const alarms = await page.$$eval('li[data-alarm]', (items) =>
        items.map((item) => [item.dataset.alarm, item.dataset.state]),
      );
      expect(alarms).toEqual([
        ['a-red', 'ALARM'],
        ['b-green', 'OK'],
        ['c-grey', 'INSUFFICIENT_DATA'],
        ['d-gone', ''],
      ]);
      const colour = await page.evaluate(
        'getComputedStyle(document.querySelector(\'li[data-alarm="a-red"]\')).backgroundColor',
      );
      expect(colour).toBe('rgb(209, 50, 18)');
      const rows = await page.$$eval('section.log tbody tr', (trs) =>
        trs.map((tr) => [...tr.cells].map((td) => td.textContent)),
      );
      expect(rows).toEqual([
        [new Date(FIXTURE.logs?.app[2].timestamp as number).toISOString(), 'second failure'],
        [new Date(FIXTURE.logs?.app[0].timestamp as number).toISOString(), 'first failure'],
      ]);
      expect(await page.$eval('#status', (status) => status.textContent)).toMatch(/^updated /);
    } finally {
      server.close();
    }
  });

  test('draws the alarms, an alarm history, the target group, the service and a log search', async () => {
    // GIVEN the console over the fixture emulator and a data plane with one unhealthy target
    const emulator: FakeEmulator = {
      ...FIXTURE,
      alarmHistory: [
        {
          AlarmName: 'a-red',
          Timestamp: ago(1),
          HistoryItemType: 'StateUpdate',
          HistorySummary: 'Alarm updated from OK to ALARM',
          HistoryData: JSON.stringify({
            oldState: { stateValue: 'OK' },
            newState: { stateValue: 'ALARM', stateReason: 'Threshold Crossed' },
          }),
        },
      ],
    };
    const { url, server } = await serve(emulator, {
      targets: [
        { Target: { Id: '172.20.0.5', Port: 8080 }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: '172.20.0.6', Port: 8080 },
          TargetHealth: { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' },
        },
      ],
      service: {
        service: {
          serviceName: 'api',
          desiredCount: 2,
          runningCount: 1,
          pendingCount: 1,
          events: [
            {
              id: 'e',
              createdAt: ago(1).toISOString(),
              message: '(service api) has started 1 tasks: (task b2).',
            },
          ],
        },
        tasks: {
          running: [{ taskId: 'a1', lastStatus: 'RUNNING', healthStatus: 'HEALTHY', ip: '172.20.0.5' }],
          stopped: [
            {
              taskId: 'z9',
              stoppedAt: ago(2).toISOString(),
              stoppedReason: 'Essential container in task exited',
            },
          ],
        },
        scalingActivities: [],
      },
    });
    try {
      const page = await open(url);
      const rows = (selector: string) =>
        page.$$eval(`${selector} tbody tr`, (trs) =>
          trs.map((tr) => [...tr.cells].map((td) => td.textContent)),
        );

      // WHEN each view is opened THEN it shows what the reads said
      await page.goto(`${url}/?refresh=0#/alarms`);
      await page.waitForSelector('#alarm-table');
      expect((await rows('#alarm-table')).map(([name, state]) => [name, state])).toEqual([
        ['a-red', 'ALARM'],
        ['b-green', 'OK'],
        ['c-grey', 'INSUFFICIENT_DATA'],
      ]);

      await page.click('a[href="#/alarms/a-red"]');
      await page.waitForSelector('#alarm-history');
      expect(await rows('#alarm-history')).toEqual([
        [expect.any(String), 'State update', 'Alarm updated from OK to ALARM', 'Threshold Crossed'],
      ]);

      await page.click('#views a[data-view="targets"]');
      await page.waitForSelector('#targets');
      expect(await rows('#targets')).toEqual([
        ['172.20.0.5', '8080', 'healthy', ''],
        ['172.20.0.6', '8080', 'unhealthy', 'Target.Timeout: Request timed out'],
      ]);

      await page.click('#views a[data-view="service"]');
      await page.waitForSelector('#tasks');
      expect(
        await page.$$eval('#service-counts dd', (dds) => dds.map((dd) => [dd.dataset.count, dd.textContent])),
      ).toEqual([
        ['desiredCount', '2'],
        ['runningCount', '1'],
        ['pendingCount', '1'],
      ]);
      expect((await rows('#tasks')).map(([task, status, , , , reason]) => [task, status, reason])).toEqual([
        ['a1', 'RUNNING', ''],
        ['z9', 'STOPPED', 'Essential container in task exited'],
      ]);
      expect(await page.textContent('#service-events')).toContain('has started 1 tasks');

      await page.click('#views a[data-view="logs"]');
      await page.waitForSelector('#log-events');
      await page.fill('#log-pattern', '{ $.level = "error" }');
      await page.press('#log-pattern', 'Enter');
      await page.waitForFunction(`document.querySelector('#log-events')?.dataset.rows === '2'`);
      expect((await rows('#log-events')).map(([, , message]) => JSON.parse(message as string).msg)).toEqual([
        'second failure',
        'first failure',
      ]);
      expect(await page.textContent('#log-summary')).toMatch(/^2 of 3 events .* match$/);

      // a pattern the engine refuses is said, and nothing is listed as if it matched
      await page.fill('#log-pattern', '{ $.level = ');
      await page.press('#log-pattern', 'Enter');
      await page.waitForFunction(`document.querySelector('#log-error')?.textContent.length > 0`);
      expect(await page.textContent('#log-error')).toMatch(/filter pattern/i);
    } finally {
      server.close();
    }
  });

  test('says what is wrong when the emulator does not answer', async () => {
    const { url, server } = await serve({ down: new Error('connect ECONNREFUSED') });
    try {
      const page = await open(url);
      await page.waitForFunction("document.querySelector('#status').textContent.length > 0");
      expect(await page.$eval('#status', (status) => [status.textContent, status.className])).toEqual([
        expect.stringMatching(/^the emulator at http:\/\/emulator:4566 did not answer: connect ECONNREFUSED/),
        'stale',
      ]);
      expect(await page.$$('#grid > section')).toHaveLength(0);
    } finally {
      server.close();
    }
  });
});
