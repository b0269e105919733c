/**
 * `npm run bench -w api` (`make bench-api`): autocannon against POST /api/v1/sum on the built
 * service, on a bare node:http server doing the same work with the service's own modules (so
 * the ratio is what Koa costs), and on a bare node:http server doing only the sum (so the report
 * also shows what the per-request logging, metrics, request id and rate limit cost), in the same
 * run, each server pinned to CPU 0 and the load generator to CPU 1 when taskset and a second CPU
 * exist.
 *
 * The three servers run side by side for the whole run and each round loads them one after
 * another within seconds, so a burst of other work on a shared machine lands in one round for
 * all of them rather than on one server. Each ratio is the median of the rounds' own ratios.
 *
 * Two measurements per server: throughput with CONNECTIONS connections saturating its CPU, and
 * latency over one connection sending one request after another, where nothing queues and the
 * difference is the time the service adds to each request. (autocannon's rate option sends each
 * second's requests in a burst, which would measure queueing instead.)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const API_DIR = join(__dirname, '..', '..', '..');
const API_KEY = 'bench-key-0123456789';
const BODY = JSON.stringify({ numbers: [1.5, 2.5, 3, 4.25, 5, 6.5, 7, 8.75, 9, 10] });
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);

interface Target {
  name: string;
  script: string;
  environment: NodeJS.ProcessEnv;
}

interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** CPU time the server spent per request: what decides one core's capacity. */
  cpuMicrosecondsPerRequest: number;
}

interface TargetResult {
  saturated: Measurement;
  sequential: Measurement;
}

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const pinned = hasTaskset && cpus().length >= 2;

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** User + system CPU seconds a process has used, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
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

function startServer(target: Target, port: number): ChildProcess {
  const command = pinned ? 'taskset' : process.execPath;
  const args = pinned ? ['-c', '0', process.execPath, target.script] : [target.script];
  return spawn(command, args, {
    cwd: API_DIR,
    env: {
      PATH: process.env.PATH,
      ...target.environment,
      PORT: String(port),
      API_KEYS: JSON.stringify({ bench: API_KEY }),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitUntilListening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`nothing listening on ${port} after 10 s`);
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/** Percentiles come from the exact per-response times: autocannon's histogram keeps whole ms. */
async function load(
  server: ChildProcess,
  port: number,
  seconds: number,
  connections: number,
): Promise<Measurement> {
  const cpuBefore = cpuSeconds(server.pid as number);
  const latencies: number[] = [];
  let failures = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}/api/v1/sum`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: BODY,
        connections,
        duration: seconds,
      },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode !== 200) failures += 1;
      latencies.push(responseTime);
    });
  });
  if (failures > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${failures} non-200 answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const cpuMicrosecondsPerRequest =
    ((cpuSeconds(server.pid as number) - cpuBefore) * 1e6) / result.requests.total;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: result.requests.average,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpuMicrosecondsPerRequest,
  };
}

interface RunningServer {
  process: ChildProcess;
  port: number;
}

/** One after another: a port is only taken once its server listens on it. */
async function startAll(targets: Target[]): Promise<RunningServer[]> {
  const servers: RunningServer[] = [];
  try {
    for (const target of targets) {
      const port = await freePort();
      servers.push({ process: startServer(target, port), port });
      await waitUntilListening(port);
    }
  } catch (error) {
    for (const server of servers) server.process.kill('SIGKILL');
    throw error;
  }
  return servers;
}

async function measureRound({ process: server, port }: RunningServer): Promise<TargetResult> {
  const saturated = await load(server, port, SECONDS, CONNECTIONS);
  const sequential = await load(server, port, SECONDS, 1);
  return { saturated, sequential };
}

const ms = (value: number) => value.toFixed(3);
const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;

function row(name: string, { saturated, sequential }: TargetResult): string[] {
  return [
    name,
    saturated.requestsPerSecond.toFixed(0),
    saturated.cpuMicrosecondsPerRequest.toFixed(0),
    ms(saturated.p50),
    ms(saturated.p99),
    ms(sequential.p50),
    ms(sequential.p99),
  ];
}

// The service's rate limit raised out of the way (every request is still counted), in both
// servers that count.
const RATE_LIMIT_PER_MINUTE = '1000000';

const TARGETS: Target[] = [
  {
    name: 'bare node:http, sum only',
    script: join(API_DIR, 'bench', 'dist', 'bench', 'bare-sum-only-server.js'),
    environment: {},
  },
  {
    name: 'bare node:http, same work',
    script: join(API_DIR, 'bench', 'dist', 'bench', 'bare-server.js'),
    environment: { RATE_LIMIT_PER_MINUTE },
  },
  {
    name: 'service',
    script: join(API_DIR, 'dist', 'server.js'),
    environment: { NODE_ENV: 'production', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE },
  },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function medianOf(results: TargetResult[]): TargetResult {
  const medianMeasurement = (pick: (result: TargetResult) => Measurement): Measurement => ({
    requestsPerSecond: median(results.map((result) => pick(result).requestsPerSecond)),
    cpuMicrosecondsPerRequest: median(results.map((result) => pick(result).cpuMicrosecondsPerRequest)),
    p50: median(results.map((result) => pick(result).p50)),
    p99: median(results.map((result) => pick(result).p99)),
  });
  return {
    saturated: medianMeasurement((result) => result.saturated),
    sequential: medianMeasurement((result) => result.sequential),
  };
}

interface Comparison {
  throughputKept: number;
  cpuKept: number;
  added: { p50: number; p99: number; sequentialP50: number; sequentialP99: number };
}

const throughputKept = (subject: TargetResult, baseline: TargetResult) =>
  subject.saturated.requestsPerSecond / baseline.saturated.requestsPerSecond;

/** Round by round, the subject against the baseline measured seconds before it. */
function compare(subject: TargetResult[], baseline: TargetResult[]): Comparison {
  const perRound = (value: (subject: TargetResult, baseline: TargetResult) => number) =>
    median(subject.map((result, round) => value(result, baseline[round])));
  return {
    throughputKept: perRound(throughputKept),
    cpuKept: perRound(
      (s, b) => b.saturated.cpuMicrosecondsPerRequest / s.saturated.cpuMicrosecondsPerRequest,
    ),
    added: {
      p50: perRound((s, b) => s.saturated.p50 - b.saturated.p50),
      p99: perRound((s, b) => s.saturated.p99 - b.saturated.p99),
      sequentialP50: perRound((s, b) => s.sequential.p50 - b.sequential.p50),
      sequentialP99: perRound((s, b) => s.sequential.p99 - b.sequential.p99),
    },
  };
}

function comparisonRow(name: string, { throughputKept, cpuKept, added }: Comparison): string[] {
  const plus = (difference: number) => `${difference >= 0 ? '+' : ''}${ms(difference)}`;
  return [
    name,
    percent(throughputKept),
    percent(cpuKept),
    plus(added.p50),
    plus(added.p99),
    plus(added.sequentialP50),
    plus(added.sequentialP99),
  ];
}

async function main(): Promise<void> {
  if (pinned) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const servers = await startAll(TARGETS);
  const rounds: TargetResult[][] = TARGETS.map(() => []);
  const [sumOnly, bare, service] = rounds;
  try {
    for (const server of servers) await load(server.process, server.port, 3, CONNECTIONS);
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const [index, server] of servers.entries()) rounds[index].push(await measureRound(server));
      const kept = throughputKept(service[round - 1], bare[round - 1]);
      process.stderr.write(
        `round ${round}/${ROUNDS}: service kept ${percent(kept)} of the same-work req/s\n`,
      );
    }
  } finally {
    for (const server of servers) server.process.kill('SIGKILL');
  }
  const serviceVsBare = compare(service, bare);
  const throughputRatio = serviceVsBare.throughputKept;
  const addedP99 = serviceVsBare.added.sequentialP99;
  const rows = [
    ['server', 'req/s', 'CPU µs/req', 'p50 ms', 'p99 ms', 'p50 ms, 1 conn', 'p99 ms, 1 conn'],
    ['---', '---:', '---:', '---:', '---:', '---:', '---:'],
    row(TARGETS[0].name, medianOf(sumOnly)),
    row(TARGETS[1].name, medianOf(bare)),
    row(TARGETS[2].name, medianOf(service)),
    comparisonRow('same work vs sum only', compare(bare, sumOnly)),
    comparisonRow('service vs same work', serviceVsBare),
  ];
  const setup = pinned
    ? 'servers pinned to CPU 0, autocannon to CPU 1'
    : 'not pinned (no taskset or one CPU)';
  process.stdout.write(
    [
      `POST /api/v1/sum; ${CONNECTIONS} connections (req/s, CPU, p50, p99) and 1 connection (1 conn), ${SECONDS} s each;`,
      `medians of ${ROUNDS} rounds, the servers side by side; Node ${process.version}; ${setup}`,
      '',
      ...rows.map((cells) => `| ${cells.join(' | ')} |`),
      '',
      `In "vs" rows, req/s and CPU are the share of the second server's throughput kept (CPU: judged by CPU time per request), latencies the time added: each the median of the rounds' own comparisons.`,
      `service throughput kept against bare node:http doing the same work: ${percent(throughputRatio)} (target >= 70 %): ${throughputRatio >= 0.7 ? 'met' : 'MISSED'}`,
      `service p99 added on one connection: ${ms(addedP99)} ms (target < 1 ms): ${addedP99 < 1 ? 'met' : 'MISSED'}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
