/**
 * `make bench-alb`: the simulated ALB's cost against a real proxy's. Three paths to the same
 * two api tasks (the built service, `api/dist/server.js`), in one run:
 *
 * - direct: straight to one task;
 * - HAProxy (Debian's package), round robin to both tasks, keep-alive both ways;
 * - the simulated ALB's listener (bench/alb-listener.ts) with its access log, metrics and
 *   trace ids on.
 *
 * The proxies are pinned to CPU 0; the load generator (autocannon, in this process) and the
 * tasks to CPU 1, so a proxy never competes with what it is measured against. Each round loads
 * every path one after another for BENCH_SECONDS, over BENCH_ROUNDS rounds (at least 3), so a
 * burst of other work on a shared machine lands in one round for all of them. It prints req/s,
 * p50 and p99 of each path, the CPU time per request of the proxy and of the tasks behind it
 * (from /proc), each the median over the rounds, and the two ratios the target is set on.
 *
 * Knobs: BENCH_SECONDS (default 5), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 10).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const ROOT = join(__dirname, '..', '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const API_KEY = 'bench-key-0123456789';
const BODY = JSON.stringify({ numbers: [1.5, 2.5, 3, 4.25, 5, 6.5, 7, 8.75, 9, 10] });
/** The targets the issue sets: the ALB's CPU per request at most twice HAProxy's, the tasks' no more than behind HAProxy. */
const PROXY_CPU_TARGET = 2;
const TASK_CPU_TARGET = 1;

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function which(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function start(cpu: number, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn('taskset', ['-c', String(cpu), command, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function untilAnswering(port: number, path: string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt += 1) {
    try {
      await fetch(`http://127.0.0.1:${port}${path}`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`nothing answers on port ${port} after 15 s`);
}

interface Path {
  readonly name: string;
  readonly port: number;
  /** The proxy's process; none for the direct path. */
  readonly proxy?: ChildProcess;
}

interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  proxyMicroseconds?: number;
  taskMicroseconds: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

async function load(path: Path, tasks: ChildProcess[]): Promise<Measurement> {
  const cpuOf = (processes: ChildProcess[]) =>
    processes.reduce((sum, child) => sum + cpuSeconds(child.pid as number), 0);
  const proxyBefore = path.proxy ? cpuSeconds(path.proxy.pid as number) : 0;
  const tasksBefore = cpuOf(tasks);
  const latencies: number[] = [];
  let failures = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${path.port}/api/v1/sum`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: BODY,
        connections: CONNECTIONS,
        duration: SECONDS,
      },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode !== 200) failures += 1;
      latencies.push(responseTime);
    });
  });
  if (failures > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${path.name}: ${failures} non-200 answers, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  const requests = result.requests.total;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: result.requests.average,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    proxyMicroseconds: path.proxy
      ? ((cpuSeconds(path.proxy.pid as number) - proxyBefore) * 1e6) / requests
      : undefined,
    taskMicroseconds: ((cpuOf(tasks) - tasksBefore) * 1e6) / requests,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function haproxyConfig(port: number, taskPorts: number[]): string {
  return [
    'global',
    '  nbthread 1',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    '  option forwardfor',
    '  http-reuse always',
    '  timeout connect 10s',
    '  timeout client 60s',
    '  timeout server 60s',
    'frontend listener',
    `  bind 127.0.0.1:${port}`,
    '  default_backend tasks',
    'backend tasks',
    '  balance roundrobin',
    ...taskPorts.map((taskPort, index) => `  server task${index + 1} 127.0.0.1:${taskPort}`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  if (cpus().length < 2 || !which('taskset')) {
    throw new Error(
      'make bench-alb needs two CPUs and taskset (util-linux): the proxies and the load get one each',
    );
  }
  if (!which('haproxy')) {
    throw new Error(
      'make bench-alb compares with HAProxy: install it (apt-get install haproxy), then run it again',
    );
  }
  const taskPorts = [await freePort(), await freePort()];
  const tasks = taskPorts.map((port) =>
    start(1, process.execPath, [join(ROOT, 'api', 'dist', 'server.js')], {
      PORT: String(port),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      API_KEYS: JSON.stringify({ bench: API_KEY }),
      RATE_LIMIT_PER_MINUTE: '1000000',
    }),
  );
  for (const port of taskPorts) await untilAnswering(port, '/healthz');

  const haproxyPort = await freePort();
  const configFile = join(mkdtempSync(join(tmpdir(), 'bench-alb-')), 'haproxy.cfg');
  writeFileSync(configFile, haproxyConfig(haproxyPort, taskPorts));
  const haproxy = start(0, 'haproxy', ['-db', '-f', configFile]);
  await untilAnswering(haproxyPort, '/healthz');

  const albPort = await freePort();
  const alb = start(0, process.execPath, ['--import', 'tsx', join(__dirname, 'alb-listener.ts')], {
    PORT: String(albPort),
    BENCH_TARGET_PORTS: taskPorts.join(','),
  });
  await untilAnswering(albPort, '/healthz');

  const paths: Path[] = [
    { name: 'direct to one task', port: taskPorts[0] },
    { name: 'HAProxy 2.6', port: haproxyPort, proxy: haproxy },
    { name: 'simulated ALB', port: albPort, proxy: alb },
  ];
  process.stdout.write(
    `bench-alb: POST /api/v1/sum, ${CONNECTIONS} connections, ${SECONDS} s per path, ${ROUNDS} rounds; proxies on CPU 0, load and tasks on CPU 1\n`,
  );
  // Warm-up: JIT and connection pools, not measured.
  for (const path of paths) await load(path, tasks);
  const rounds: Measurement[][] = paths.map(() => []);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [index, path] of paths.entries()) rounds[index].push(await load(path, tasks));
    process.stdout.write(`  round ${round + 1} of ${ROUNDS} done\n`);
  }

  const summary = rounds.map((measurements) => ({
    requestsPerSecond: median(measurements.map((m) => m.requestsPerSecond)),
    p50: median(measurements.map((m) => m.p50)),
    p99: median(measurements.map((m) => m.p99)),
    proxyMicroseconds:
      measurements[0].proxyMicroseconds === undefined
        ? undefined
        : median(measurements.map((m) => m.proxyMicroseconds as number)),
    taskMicroseconds: median(measurements.map((m) => m.taskMicroseconds)),
  }));
  const rows = paths.map((path, index) => {
    const s = summary[index];
    return [
      path.name,
      s.requestsPerSecond.toFixed(0),
      s.p50.toFixed(2),
      s.p99.toFixed(2),
      s.proxyMicroseconds === undefined ? '-' : s.proxyMicroseconds.toFixed(0),
      s.taskMicroseconds.toFixed(0),
    ];
  });
  const header = ['path', 'req/s', 'p50 ms', 'p99 ms', 'proxy CPU µs/req', 'tasks CPU µs/req'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    `  ${cells.map((cell, column) => cell.padEnd(widths[column])).join('  ')}\n`;
  process.stdout.write(`\n${line(header)}`);
  for (const row of rows) process.stdout.write(line(row));

  // Ratios round by round, each against HAProxy measured seconds before.
  const perRound = (value: (alb: Measurement, reference: Measurement) => number) =>
    median(rounds[2].map((albRound, round) => value(albRound, rounds[1][round])));
  const proxyRatio = perRound((a, h) => (a.proxyMicroseconds as number) / (h.proxyMicroseconds as number));
  const taskRatio = perRound((a, h) => a.taskMicroseconds / h.taskMicroseconds);
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  process.stdout.write(
    `\n  simulated ALB CPU per request / HAProxy's: ${proxyRatio.toFixed(2)} (target <= ${PROXY_CPU_TARGET}: ${verdict(proxyRatio <= PROXY_CPU_TARGET)})\n` +
      `  tasks' CPU per request behind the ALB / behind HAProxy: ${taskRatio.toFixed(2)} (target <= ${TASK_CPU_TARGET}: ${verdict(taskRatio <= TASK_CPU_TARGET)})\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench-alb: ${error.message}\n`);
    process.exit(1);
  },
);
