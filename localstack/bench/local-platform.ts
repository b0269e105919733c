/**
 * `make bench-local`: what the local platform costs and how much the simulated ALB takes away.
 *
 * 1. Time from `make local-up` (dependencies and images already there) to healthy targets.
 * 2. Memory of each container after it has idled.
 * 3. Requests/s and p99 latency of GET / through the simulated ALB and straight to one task,
 *    alternating in rounds in the same run. The load generator runs in a container on the
 *    platform's network, so both paths cross the same bridge, and only the ALB hop differs.
 *
 * Knobs: BENCH_SECONDS (per measurement, default 5), BENCH_ROUNDS (default 3),
 * BENCH_CONNECTIONS (default 10), BENCH_IDLE_SECONDS (before the memory reading, default 10).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pinned } from '../src/versions';

const ROOT = join(__dirname, '..', '..');
const PROJECT = 'zama-api-platform';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
/** The target the issue sets: the ALB keeps at least this share of direct throughput. */
const THROUGHPUT_TARGET = 0.6;
const HEALTHY_TARGET_SECONDS = 60;

interface Load {
  requestsPerSecond: number;
  p99: number;
  errors: number;
  non2xx: number;
}

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

function makeTarget(target: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync('make', ['--no-print-directory', target], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`make ${target} failed (exit ${result.status})`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function projectContainers(): Array<{ id: string; name: string }> {
  return docker(
    'ps',
    '--filter',
    `label=com.docker.compose.project=${PROJECT}`,
    '--format',
    '{{.ID}} {{.Names}}',
  )
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, name] = line.split(' ');
      return { id, name };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function memoryMiB(id: string): number {
  // docker stats reports usage without the page cache, as `docker stats` users read it.
  const usage = docker('stats', '--no-stream', '--format', '{{.MemUsage}}', id).split('/')[0].trim();
  const match = /^([\d.]+)\s*([KMG]i?B|B)$/.exec(usage);
  if (!match) throw new Error(`cannot read the memory usage "${usage}" of container ${id}`);
  const factor: Record<string, number> = {
    B: 1 / 2 ** 20,
    KiB: 1 / 1024,
    MiB: 1,
    GiB: 1024,
    kB: 1 / 1024,
    MB: 1,
    GB: 1024,
  };
  return Number(match[1]) * (factor[match[2]] ?? 1);
}

/** autocannon, run from a container on the platform's network with the repository's node_modules. */
function load(network: string, url: string): Load {
  const nodeImage = pinned('NODE_IMAGE');
  const output = docker(
    'run',
    '--rm',
    '--network',
    network,
    '-v',
    `${ROOT}:/workspace:ro`,
    '-w',
    '/workspace',
    nodeImage,
    'node',
    'node_modules/autocannon/autocannon.js',
    '--json',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(SECONDS),
    url,
  );
  const result = JSON.parse(output.slice(output.indexOf('{'))) as {
    requests: { average: number };
    latency: { p99: number };
    errors: number;
    non2xx: number;
  };
  return {
    requestsPerSecond: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

const best = (loads: Load[]): Load =>
  loads.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));

function main(): void {
  process.stdout.write('== local platform benchmark\n\n-- make local-down, then make local-up\n');
  makeTarget('local-down');
  const upSeconds = makeTarget('local-up');

  process.stdout.write(`\n-- idling ${IDLE_SECONDS} s before reading memory\n`);
  spawnSync('sleep', [String(IDLE_SECONDS)]);
  const containers = projectContainers();
  const memory = containers.map(({ id, name }) => ({ name, mib: memoryMiB(id) }));

  const api = containers.find(({ name }) => /[-_]api[-_]1$/.test(name));
  if (!api) throw new Error('no api task container found: did make local-up start the platform?');
  const network = docker(
    'inspect',
    '-f',
    '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}}{{end}}',
    api.id,
  );
  const taskIp = docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', api.id);

  const through: Load[] = [];
  const direct: Load[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    process.stdout.write(`-- round ${round}/${ROUNDS}: ${SECONDS} s through the ALB, ${SECONDS} s direct\n`);
    through.push(load(network, 'http://alb:8080/'));
    direct.push(load(network, `http://${taskIp}:8080/`));
  }
  const alb = best(through);
  const task = best(direct);
  const ratio = alb.requestsPerSecond / task.requestsPerSecond;

  const lines = [
    '',
    '== results',
    `make local-up to healthy targets   ${upSeconds.toFixed(1)} s (target < ${HEALTHY_TARGET_SECONDS} s)`,
    '',
    'memory at idle',
    ...memory.map(({ name, mib }) => `  ${name.padEnd(40)} ${mib.toFixed(1).padStart(7)} MiB`),
    `  ${'total'.padEnd(40)} ${memory
      .reduce((sum, { mib }) => sum + mib, 0)
      .toFixed(1)
      .padStart(7)} MiB`,
    '',
    `GET / with ${CONNECTIONS} connections, best of ${ROUNDS} rounds of ${SECONDS} s`,
    `  ${'path'.padEnd(28)} ${'req/s'.padStart(8)} ${'p99 ms'.padStart(8)} ${'non-2xx'.padStart(8)} ${'errors'.padStart(7)}`,
    ...[
      ['through the simulated ALB', alb],
      ['straight to one task', task],
    ].map(
      ([name, figures]) =>
        `  ${(name as string).padEnd(28)} ${(figures as Load).requestsPerSecond.toFixed(0).padStart(8)} ${(figures as Load).p99.toFixed(1).padStart(8)} ${String((figures as Load).non2xx).padStart(8)} ${String((figures as Load).errors).padStart(7)}`,
    ),
    `  ALB / direct throughput      ${(ratio * 100).toFixed(0)} % (target >= ${THROUGHPUT_TARGET * 100} %)`,
    `  ALB p99 - direct p99         ${(alb.p99 - task.p99).toFixed(1)} ms`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`bench-local failed: ${(error as Error).message}\n`);
  process.exit(1);
}
