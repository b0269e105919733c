import request from 'supertest';
import { createConsoleApp, type WebAsset } from '../src/console-app';
import { type FakeEmulator, fakeDataPlane, fakeReader } from './fake-reader';
import { synthesizedDashboard } from './synthesized-dashboard';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const { name, body } = synthesizedDashboard();
const assets = new Map<string, WebAsset>([
  [
    'index.html',
    { contentType: 'text/html; charset=utf-8', body: Buffer.from('<!doctype html><title>console</title>') },
  ],
  ['console.js', { contentType: 'text/javascript; charset=utf-8', body: Buffer.from('void 0') }],
]);
const app = (emulator: FakeEmulator, dashboardName?: string) =>
  createConsoleApp({
    reader: fakeReader(emulator),
    dashboardName,
    assets,
    emulatorEndpoint: 'http://emulator:4566',
    dataPlane: fakeDataPlane(),
    alarmHistory: 'emulator',
    now: () => NOW,
  }).callback();

describe('GET /api/dashboard', () => {
  test('draws the only dashboard the emulator has, over the chosen range', async () => {
    // GIVEN an emulator with the deployed dashboard
    const response = await request(app({ dashboards: { [name]: body }, logs: {} })).get(
      '/api/dashboard?range=15m',
    );
    // THEN
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name,
      range: '15m',
      start: '2026-12-04T11:45:00.000Z',
      end: '2026-12-04T12:00:00.000Z',
      calls: { ListDashboards: 1, GetDashboard: 1, GetMetricData: 1 },
    });
    expect(response.body.widgets).toHaveLength(9);
  });

  test('refuses an unknown range, naming the ones there are', async () => {
    const response = await request(app({ dashboards: { [name]: body } })).get('/api/dashboard?range=2d');
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('unknown time range "2d": use one of 15m, 1h, 3h');
  });

  test('says when the emulator does not answer, and where it was looked for', async () => {
    const response = await request(app({ down: new Error('connect ECONNREFUSED 172.18.0.2:4566') })).get(
      '/api/dashboard',
    );
    expect(response.status).toBe(503);
    expect(response.body.error).toMatch(
      /^the emulator at http:\/\/emulator:4566 did not answer: connect ECONNREFUSED.*make local-status/,
    );
  });

  test.each([
    [
      'no dashboard',
      {},
      undefined,
      /the emulator has no dashboard: deploy the platform with 'make local-up'/,
    ],
    [
      'two dashboards',
      { dashboards: { a: body, b: body } },
      undefined,
      /has 2 dashboards \(a, b\): name one with DASHBOARD_NAME/,
    ],
    ['not the one named', { dashboards: { a: body } }, 'zama', /Dashboard zama does not exist/],
    [
      'a body that is not a dashboard',
      { dashboards: { a: '[]' } },
      undefined,
      /the dashboard body is not valid/,
    ],
  ])('answers 404 with the reason when the emulator has %s', async (_, emulator, dashboardName, reason) => {
    const response = await request(app(emulator, dashboardName)).get('/api/dashboard');
    expect(response.status).toBe(404);
    expect(response.body.error).toMatch(reason);
  });
});

describe('the page', () => {
  test('serves the page and its bundle, and 404 for anything else', async () => {
    const callback = app({});
    const page = await request(callback).get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<title>console</title>');
    const script = await request(callback).get('/assets/console.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await request(callback).get('/assets/../../etc/passwd')).status).toBe(404);
    expect((await request(callback).get('/assets/missing.js')).status).toBe(404);
  });

  test('answers 405 with Allow for a method a route does not take', async () => {
    const response = await request(app({})).post('/api/dashboard');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toContain('GET');
  });
});
