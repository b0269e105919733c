import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * The share of one core this process may use: cgroup v2's `cpu.max` quota (what compose's
 * `cpus:` and a Fargate task's CPU units set), or every core where there is none.
 */
export function cpuLimitCores(cpuMax = readCpuMax()): number {
  const [quota, period] = (cpuMax ?? '').trim().split(/\s+/);
  const cores = Number(quota) / Number(period);
  return Number.isFinite(cores) && cores > 0 ? cores : availableParallelism();
}

function readCpuMax(): string | undefined {
  try {
    return readFileSync('/sys/fs/cgroup/cpu.max', 'utf8');
  } catch {
    return undefined;
  }
}

/** Each 100 ms, a worker thread spins for its share and sleeps the rest. */
const SLICE_MS = 100;
const SPIN = `
const { workerData } = require('node:worker_threads');
const sab = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  const start = Date.now();
  while (Date.now() - start < workerData.busyMs) {}
  Atomics.wait(sab, 0, 0, ${SLICE_MS} - workerData.busyMs);
}
`;

/**
 * Burns a share of the task's CPU in worker threads, so that CPUUtilization, and with it the
 * scaling policy, rises while the event loop keeps serving requests and health checks.
 */
export class CpuBurner {
  #workers: Worker[] = [];

  /** Burns `percent` of the task's CPU from now on; 0 stops. */
  burn(percent: number): void {
    for (const worker of this.#workers) void worker.terminate();
    this.#workers = [];
    if (percent <= 0) return;
    let cores = (cpuLimitCores() * percent) / 100;
    while (cores > 0) {
      const share = Math.min(1, cores);
      cores -= share;
      const worker = new Worker(SPIN, { eval: true, workerData: { busyMs: Math.round(share * SLICE_MS) } });
      worker.unref();
      this.#workers.push(worker);
    }
  }
}
