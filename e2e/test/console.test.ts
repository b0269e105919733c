/**
 * The console in a real browser: headless Chromium opens the local platform's console and
 * reads what it drew. Every widget of the dashboard the observability stack synthesized is
 * there with data, a fault in the api tasks turns its alarm red within the alarm's time, and a
 * paused emulator is said on the page while the last data stays drawn. Screenshots go to
 * .local/ci/ for CI's artifacts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchClient, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { ALARM_KEYS, PROFILES, platformNames } from '@zama/infra';
import { selectEmulator } from '@zama/localstack';
import type { Browser, Page } from 'playwright-core';
import { emulatorClientConfig } from '../src/aws';
import { describeWithBrowser, launchChromium } from '../src/browser';
import { arrivedLines, deployedNames, taggedTraffic } from '../src/delivery';
import { describeWithImages } from '../src/docker';
import { setFault } from '../src/faults';
import {
  composeContainer,
  demoApiKey,
  type LocalPlatform,
  platformImages,
  startLocalPlatform,
} from '../src/local-platform';
import {
  type SteadyTraffic,
  secondsUntil,
  steadyTraffic,
  targetHealth,
  untilHealthyTargets,
} from '../src/traffic';

const emulator = selectEmulator();
const names = platformNames(PROFILES.local.prefix);
const SCREENSHOTS = join(__dirname, '..', '..', '.local', 'ci');
/** The page refreshes every 10 s; the alarm notifies within 45 s (the alarm suite's target). */
const REFRESH_SECONDS = 10;
const ALARM_ON_PAGE_BOUND_SECONDS = 45 + REFRESH_SECONDS;

interface DrawnWidget {
  readonly type: string;
  readonly title: string;
  readonly points?: number;
  readonly series?: number;
  readonly rows?: number;
  readonly text: string;
}

const drawnWidgets = (page: Page): Promise<DrawnWidget[]> =>
  page.$$eval('#grid > section', (sections) =>
    sections.map((section) => ({
      type: section.getAttribute('data-widget-type') ?? '',
      title: section.querySelector('h2')?.textContent ?? '',
      points: section.dataset.points === undefined ? undefined : Number(section.dataset.points),
      series: section.dataset.series === undefined ? undefined : Number(section.dataset.series),
      rows: section.dataset.rows === undefined ? undefined : Number(section.dataset.rows),
      text: section.textContent ?? '',
    })),
  );

const alarmStates = (page: Page): Promise<Record<string, string>> =>
  page.$$eval('li[data-alarm]', (items) =>
    Object.fromEntries(
      items.map((item) => [item.getAttribute('data-alarm'), item.getAttribute('data-state')]),
    ),
  );

const statusLine = (page: Page) =>
  page.$eval('#status', (status) => ({
    text: status.textContent ?? '',
    stale: status.classList.contains('stale'),
  }));

describeWithBrowser(describeWithImages([emulator.image, platformImages().api, platformImages().node]))(
  `console in Chromium (${emulator.name})`,
  () => {
    let platform: LocalPlatform;
    let apiKey: string;
    let browser: Browser;
    let page: Page;
    let traffic: SteadyTraffic | undefined;

    beforeAll(async () => {
      platform = await startLocalPlatform(emulator);
      apiKey = await demoApiKey(platform, names.secrets.apiKeys);
      await untilHealthyTargets(platform.adminUrl, 2);
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1600, height: 1400 } });
      mkdirSync(SCREENSHOTS, { recursive: true });
    });

    afterAll(async () => {
      await traffic?.stop();
      await browser?.close();
      await platform?.down();
    });

    it("turns an alarm red on the page within the alarm's time", async () => {
      // GIVEN the console open, refreshing every 10 s, and traffic through the ALB
      const opened = Date.now();
      await page.goto(`${platform.consoleUrl}/?range=15m&refresh=${REFRESH_SECONDS}`);
      await page.waitForSelector('#grid > section', { timeout: 10_000 });
      const firstDrawn = (Date.now() - opened) / 1000;
      const paint = await page.evaluate(
        () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
      );
      process.stdout.write(
        `  [console] first contentful paint ${(paint / 1000).toFixed(2)} s, widgets drawn ${firstDrawn.toFixed(2)} s after opening\n`,
      );
      traffic = steadyTraffic(
        `${platform.albUrl}/api/v1/sum`,
        1,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify({ numbers: [1, 2, 3] }),
        },
        200,
      );

      // WHEN the api tasks write error lines
      const alarm = names.alarm('api_error_count');
      expect((await alarmStates(page))[alarm]).not.toBe('ALARM');
      setFault(platform.apiTasks(), apiKey, 'error-logs');

      // THEN the page shows api-error-count in ALARM
      const seconds = await secondsUntil(
        async () => (await alarmStates(page))[alarm] === 'ALARM',
        ALARM_ON_PAGE_BOUND_SECONDS * 1000,
        `${alarm} red on the page`,
      );
      process.stdout.write(
        `  [console] ${alarm} red on the page ${seconds.toFixed(1)} s after the fault (bound ${ALARM_ON_PAGE_BOUND_SECONDS} s)\n`,
      );
      expect(seconds).toBeLessThan(ALARM_ON_PAGE_BOUND_SECONDS);
    });

    it('draws every widget of the synthesized dashboard with data', async () => {
      // GIVEN the dashboard the deploy put into the emulator
      const cloudWatch = new CloudWatchClient(emulatorClientConfig(platform.emulatorEndpoint));
      const { DashboardBody } = await cloudWatch.send(
        new GetDashboardCommand({ DashboardName: PROFILES.local.prefix }),
      );
      cloudWatch.destroy();
      const deployed = JSON.parse(DashboardBody as string) as {
        widgets: Array<{ properties: { title: string } }>;
      };

      // WHEN the page has drawn a refresh with the fault's data in it
      await page
        .waitForFunction(
          `Number(document.querySelector('section.log')?.dataset.rows ?? 0) > 0 &&
          [...document.querySelectorAll('section.metric')].every((graph) => Number(graph.dataset.points) > 0)`,
          undefined,
          { timeout: 60_000 },
        )
        .catch(() => {
          // The expectations below say which widget is still empty.
        });
      const widgets = await drawnWidgets(page);
      await page.screenshot({ path: join(SCREENSHOTS, `console-${emulator.name}.png`), fullPage: true });

      // THEN each deployed widget is drawn, none unsupported
      expect(widgets.map(({ title }) => title)).toEqual(
        deployed.widgets.map(({ properties }) => properties.title),
      );
      expect(widgets.filter(({ type }) => type === 'unsupported')).toEqual([]);
      // the alarm widget lists the twelve alarms, each with a state
      const states = await alarmStates(page);
      expect(Object.keys(states).sort()).toEqual(ALARM_KEYS.map((key) => names.alarm(key)).sort());
      expect(
        Object.values(states).every((state) => ['OK', 'ALARM', 'INSUFFICIENT_DATA'].includes(state)),
      ).toBe(true);
      // every graph has points
      const graphs = widgets.filter(({ type }) => type === 'metric');
      process.stdout.write(
        `  [console] points (series) per graph: ${graphs.map(({ title, points, series }) => `${title}: ${points} (${series})`).join('; ')}\n`,
      );
      expect(graphs.filter(({ points }) => !points)).toEqual([]);
      // the latest errors are the fault's error lines; no flow logs exist locally
      const [latestErrors, rejected] = widgets.filter(({ type }) => type === 'log');
      expect(latestErrors.rows).toBeGreaterThan(0);
      expect(latestErrors.text).toContain('error');
      expect(rejected.text).toContain('No data found.');
    });

    it("shows the alarm's transition to ALARM in its history", async () => {
      // GIVEN api-error-count went to ALARM in the first test
      const alarm = names.alarm('api_error_count');
      // WHEN its page is opened
      await page.goto(`${platform.consoleUrl}/?refresh=0#/alarms/${encodeURIComponent(alarm)}`);
      await page.waitForSelector('#alarm-history, #page .empty', { timeout: 15_000 });
      // THEN the history lists the change, from the emulator (LocalStack) or the monitor's record (moto)
      const history = await page.$$eval('#alarm-history tbody tr', (rows) =>
        rows.map((row) => [row.getAttribute('data-from'), row.getAttribute('data-to')]),
      );
      process.stdout.write(
        `  [console] ${alarm} history: ${history.map(([from, to]) => `${from} -> ${to}`).join(', ')} (${await page.textContent('#page .note')})\n`,
      );
      expect(history).toContainEqual([expect.any(String), 'ALARM']);
      await page.screenshot({
        path: join(SCREENSHOTS, `console-${emulator.name}-alarm.png`),
        fullPage: true,
      });
    });

    it('lists in the log view exactly the lines a filter pattern matches', async () => {
      // GIVEN requests tagged two ways through the ALB, every line of them shipped
      const run = Math.random().toString(36).slice(2, 8);
      const [wanted, unwanted] = [`cm${run}`, `co${run}`];
      const logGroupName = deployedNames(platform.monitor().getId()).logGroupName;
      for (const tag of [wanted, unwanted]) {
        const tagged = taggedTraffic(platform.albUrl, apiKey, tag, 1);
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect((await tagged.stop()).failed).toBe(0);
      }
      const linesOf = async (tag: string) =>
        [...(await arrivedLines(platform.emulatorEndpoint, logGroupName, tag)).values()].flat().length;
      let expected = 0;
      await secondsUntil(
        async () => {
          expected = await linesOf(wanted);
          return expected > 0 && (await linesOf(unwanted)) > 0;
        },
        30_000,
        'the tagged lines in CloudWatch Logs',
      );

      // WHEN the log view searches the group for one of the tags
      const pattern = `"${wanted}-"`;
      await page.goto(
        `${platform.consoleUrl}/?range=15m&refresh=0#/logs?${new URLSearchParams({ group: logGroupName, pattern })}`,
      );
      await page.waitForSelector('#log-events[data-rows]', { timeout: 15_000 });
      const messages = await page.$$eval('#log-events tbody td.message', (cells) =>
        cells.map((cell) => cell.textContent ?? ''),
      );
      await page.screenshot({ path: join(SCREENSHOTS, `console-${emulator.name}-logs.png`), fullPage: true });

      // THEN it lists every line with that tag, and no other
      process.stdout.write(
        `  [console] log view, pattern ${pattern}: ${messages.length} lines listed, ${expected} in CloudWatch Logs\n`,
      );
      expect(messages.filter((message) => message.includes(`${wanted}-`))).toHaveLength(expected);
      expect(messages.filter((message) => !message.includes(`${wanted}-`))).toEqual([]);
    });

    it("shows the target group's and the service's state as the ALB and the scheduler report it", async () => {
      // GIVEN what the simulated ALB and the scheduler report
      const reported = await targetHealth(platform.adminUrl);
      const { services } = (await (await fetch(`${platform.schedulerUrl}/services`)).json()) as {
        services: Array<{ desiredCount: number; runningCount: number }>;
      };
      // WHEN the target group's page and the service's page are opened
      await page.goto(`${platform.consoleUrl}/?refresh=0#/targets`);
      await page.waitForSelector('#targets', { timeout: 10_000 });
      const targets = await page.$$eval('#targets tbody tr', (rows) =>
        rows.map((row) => [row.getAttribute('data-target'), row.getAttribute('data-state')]),
      );
      await page.click('#views a[data-view="service"]');
      await page.waitForSelector('#service-counts', { timeout: 10_000 });
      const counts = await page.$$eval('#service-counts dd', (dds) =>
        Object.fromEntries(dds.map((dd) => [dd.dataset.count, Number(dd.textContent)])),
      );
      // THEN each shows the same
      expect(targets.sort()).toEqual(
        reported.map(({ Target, TargetHealth }) => [Target.Id, TargetHealth.State]).sort(),
      );
      expect(targets.filter(([, state]) => state === 'healthy').length).toBeGreaterThanOrEqual(2);
      expect(counts).toMatchObject({
        desiredCount: services[0].desiredCount,
        runningCount: services[0].runningCount,
      });
      expect(await page.$$('#tasks tbody tr[data-status="RUNNING"]')).toHaveLength(services[0].runningCount);
    });

    // moto's server logs each request with the caller's address; LocalStack's log names no caller.
    (emulator.name === 'moto' ? it : it.skip)(
      'costs the emulator fewer calls than the monitor, with the page refreshing every 10 s',
      async () => {
        // GIVEN the dashboard open and refreshing every 10 s
        await page.goto(`${platform.consoleUrl}/?range=1h&refresh=${REFRESH_SECONDS}`);
        await page.waitForSelector('#grid > section');
        const since = new Date();
        // WHEN both run side by side for 30 s
        await new Promise((resolve) => setTimeout(resolve, 30_000));
        // werkzeug writes its request lines to stderr
        const log = spawnSync(
          'docker',
          ['logs', '--since', since.toISOString(), composeContainer(platform.project, 'emulator')],
          {
            encoding: 'utf8',
            maxBuffer: 64 * 1024 * 1024,
          },
        ).stderr;
        const requestsFrom = (service: string) => {
          const addresses = execFileSync(
            'docker',
            [
              'inspect',
              '-f',
              '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
              composeContainer(platform.project, service),
            ],
            { encoding: 'utf8' },
          )
            .trim()
            .split(/\s+/);
          return log
            .split('\n')
            .filter((line) => addresses.some((address) => line.startsWith(`${address} - - [`))).length;
        };
        const [consoleCalls, monitorCalls] = [requestsFrom('console'), requestsFrom('monitor')];
        // THEN
        process.stdout.write(
          `  [console] emulator calls in 30 s: console ${consoleCalls}, monitor ${monitorCalls} (${(consoleCalls / monitorCalls).toFixed(2)} of the monitor's)\n`,
        );
        expect(consoleCalls).toBeGreaterThan(0);
        expect(consoleCalls).toBeLessThanOrEqual(monitorCalls);
      },
      60_000,
    );

    it('says so when the emulator does not answer, and keeps the last data drawn', async () => {
      // GIVEN the dashboard drawn, refreshing every 10 s
      await page.goto(`${platform.consoleUrl}/?range=15m&refresh=${REFRESH_SECONDS}`);
      await page.waitForSelector('#grid > section', { timeout: 10_000 });
      const before = await drawnWidgets(page);
      const emulatorId = composeContainer(platform.project, 'emulator');
      // WHEN the emulator stops answering
      execFileSync('docker', ['pause', emulatorId]);
      try {
        await secondsUntil(
          async () => (await statusLine(page)).stale,
          40_000,
          'the page saying the emulator does not answer',
        );
        // THEN the page says what is wrong, and the widgets stay as they were drawn
        expect((await statusLine(page)).text).toMatch(/did not answer.*Showing data from/);
        await page.screenshot({
          path: join(SCREENSHOTS, `console-${emulator.name}-emulator-paused.png`),
          fullPage: true,
        });
        expect((await drawnWidgets(page)).map(({ title, points }) => [title, points])).toEqual(
          before.map(({ title, points }) => [title, points]),
        );
      } finally {
        execFileSync('docker', ['unpause', emulatorId]);
      }
      // and recovers on the next refresh
      await secondsUntil(async () => !(await statusLine(page)).stale, 30_000, 'the page updating again');
    });
  },
);
