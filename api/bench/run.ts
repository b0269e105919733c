/**
 * `npm run bench -w api` (`make bench-api`): autocannon against POST /api/v1/sum on the built
 * service, on a bare node:http server doing the same work with the service's own modules (so
 * the ratio is what Koa costs), and on a bare node:http server doing only the sum (so the report
 * also shows what the per-request logging, metrics, request id and rate limit cost), in the same
 * run, each server pinned to CPU 0 and the load generator to CPU 1 when taskset and a second CPU
 * exist.
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
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
// Rounds alternate the servers; each figure is the best of its rounds, since on a shared machine
// noise only ever makes a server look slower.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

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

async function measure(target: Target): Promise<TargetResult> {
  const port = await freePort();
  const server = startServer(target, port);
  try {
    await waitUntilListening(port);
    process.stderr.write(`${target.name}: warm-up, ${SECONDS} s saturated, ${SECONDS} s on one connection\n`);
    await load(server, port, 3, CONNECTIONS);
    const saturated = await load(server, port, SECONDS, CONNECTIONS);
    const sequential = await load(server, port, SECONDS, 1);
    return { saturated, sequential };
  } finally {
    server.kill('SIGKILL');
  }
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

function best(results: TargetResult[]): TargetResult {
  const bestOf = (pick: (result: TargetResult) => Measurement): Measurement => ({
    requestsPerSecond: Math.max(...results.map((result) => pick(result).requestsPerSecond)),
    cpuMicrosecondsPerRequest: Math.min(...results.map((result) => pick(result).cpuMicrosecondsPerRequest)),
    p50: Math.min(...results.map((result) => pick(result).p50)),
    p99: Math.min(...results.map((result) => pick(result).p99)),
  });
  return {
    saturated: bestOf((result) => result.saturated),
    sequential: bestOf((result) => result.sequential),
  };
}

function comparison(name: string, subject: TargetResult, baseline: TargetResult): string[] {
  const added = (pick: (result: TargetResult) => number) => {
    const difference = pick(subject) - pick(baseline);
    return `${difference >= 0 ? '+' : ''}${ms(difference)}`;
  };
  return [
    name,
    percent(subject.saturated.requestsPerSecond / baseline.saturated.requestsPerSecond),
    percent(baseline.saturated.cpuMicrosecondsPerRequest / subject.saturated.cpuMicrosecondsPerRequest),
    added((result) => result.saturated.p50),
    added((result) => result.saturated.p99),
    added((result) => result.sequential.p50),
    added((result) => result.sequential.p99),
  ];
}

async function main(): Promise<void> {
  if (pinned) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const rounds: TargetResult[][] = TARGETS.map(() => []);
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [index, target] of TARGETS.entries()) {
      process.stderr.write(`round ${round}/${ROUNDS}: `);
      rounds[index].push(await measure(target));
    }
  }
  const [sumOnly, bare, service] = rounds.map(best);

  const throughputRatio = service.saturated.requestsPerSecond / bare.saturated.requestsPerSecond;
  const addedP99 = service.sequential.p99 - bare.sequential.p99;
  const rows = [
    ['server', 'req/s', 'CPU µs/req', 'p50 ms', 'p99 ms', 'p50 ms, 1 conn', 'p99 ms, 1 conn'],
    ['---', '---:', '---:', '---:', '---:', '---:', '---:'],
    row(TARGETS[0].name, sumOnly),
    row(TARGETS[1].name, bare),
    row(TARGETS[2].name, service),
    comparison('same work vs sum only', bare, sumOnly),
    comparison('service vs same work', service, bare),
  ];
  const setup = pinned
    ? 'servers pinned to CPU 0, autocannon to CPU 1'
    : 'not pinned (no taskset or one CPU)';
  process.stdout.write(
    [
      `POST /api/v1/sum; ${CONNECTIONS} connections (req/s, CPU, p50, p99) and 1 connection (1 conn), ${SECONDS} s each;`,
      `best of ${ROUNDS} alternating rounds; Node ${process.version}; ${setup}`,
      '',
      ...rows.map((cells) => `| ${cells.join(' | ')} |`),
      '',
      `In "vs" rows, req/s and CPU are the share of the second server's throughput kept (CPU: judged by CPU time per request); latencies are the time added.`,
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
