import type { Middleware } from 'koa';
import { z } from 'zod';
import { CpuBurner } from './cpu-burner';
import type { HealthCheck } from './health';
import type { Logger } from './logger';
import type { AppState } from './state';

/**
 * Failures a local task can be told to fake, so that end-to-end suites can prove that health
 * checks, the load balancer's fail-open and the alarms react to them. Only the local profile
 * enables this (FAULT_INJECTION_ENABLED=true); elsewhere none of it is reachable.
 */
export const FAULT_MODES = ['none', 'http-500', 'slow', 'unhealthy', 'error-logs', 'cpu'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** Where the mode is read (GET) and set (PUT), with the API key. */
export const FAULT_PATH = '/_local/fault';

export const DEFAULT_SLOW_DELAY_MS = 3000;
export const MAX_SLOW_DELAY_MS = 30_000;

/** Mode cpu burns this share of the task's CPU unless told otherwise: above the 70 % scaling target. */
export const DEFAULT_CPU_PERCENT = 90;

export type FaultSetting =
  | { mode: Exclude<FaultMode, 'slow' | 'cpu'> }
  | { mode: 'slow'; delayMs: number }
  | { mode: 'cpu'; percent: number };

const faultSettingSchema = z
  .strictObject(
    {
      mode: z.enum(FAULT_MODES, {
        error: (issue) =>
          issue.input === undefined ? 'is required' : `must be one of ${FAULT_MODES.join(', ')}`,
      }),
      delayMs: z
        .number({ error: `must be an integer from 0 to ${MAX_SLOW_DELAY_MS}` })
        .int(`must be an integer from 0 to ${MAX_SLOW_DELAY_MS}`)
        .min(0, `must be an integer from 0 to ${MAX_SLOW_DELAY_MS}`)
        .max(MAX_SLOW_DELAY_MS, `must be an integer from 0 to ${MAX_SLOW_DELAY_MS}`)
        .optional(),
      percent: z
        .number({ error: 'must be an integer from 1 to 100' })
        .int('must be an integer from 1 to 100')
        .min(1, 'must be an integer from 1 to 100')
        .max(100, 'must be an integer from 1 to 100')
        .optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `has unknown fields (${issue.keys.join(', ')}); it accepts mode, delayMs and percent`
          : 'must be a JSON object such as {"mode":"slow","delayMs":3000}',
    },
  )
  .refine((body) => body.delayMs === undefined || body.mode === 'slow', {
    path: ['delayMs'],
    error: 'applies only to mode "slow"',
  })
  .refine((body) => body.percent === undefined || body.mode === 'cpu', {
    path: ['percent'],
    error: 'applies only to mode "cpu"',
  });

export type FaultSettingOutcome = { ok: true; setting: FaultSetting } | { ok: false; message: string };

/** Validates a parsed PUT /_local/fault body: `{"mode":...,"delayMs"?:...,"percent"?:...}`. */
export function parseFaultSetting(body: unknown): FaultSettingOutcome {
  const parsed = faultSettingSchema.safeParse(body);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const field = issue.path.length > 0 ? String(issue.path[0]) : 'request body';
    return { ok: false, message: `${field} ${issue.message}` };
  }
  const { mode, delayMs, percent } = parsed.data;
  if (mode === 'slow') return { ok: true, setting: { mode, delayMs: delayMs ?? DEFAULT_SLOW_DELAY_MS } };
  if (mode === 'cpu') return { ok: true, setting: { mode, percent: percent ?? DEFAULT_CPU_PERCENT } };
  return { ok: true, setting: { mode } };
}

/** Thrown on purpose in mode http-500; like any unexpected error it becomes a logged INTERNAL_ERROR. */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

/** The fault mode of this process. Each change is logged at warn, so a faked outage is explained in the logs. */
export class FaultSwitch {
  #setting: FaultSetting = { mode: 'none' };
  #burner = new CpuBurner();

  constructor(private readonly logger: Logger) {}

  get setting(): FaultSetting {
    return this.#setting;
  }

  set(setting: FaultSetting, requestId: string): void {
    this.logger.warn(
      {
        request_id: requestId,
        fault_mode: setting.mode,
        delay_ms: setting.mode === 'slow' ? setting.delayMs : undefined,
        cpu_percent: setting.mode === 'cpu' ? setting.percent : undefined,
        previous_fault_mode: this.#setting.mode,
      },
      `fault injection mode set to ${setting.mode}`,
    );
    this.#setting = setting;
    this.#burner.burn(setting.mode === 'cpu' ? setting.percent : 0);
  }
}

/** Makes GET /healthz answer 503 in mode unhealthy, the way a failing dependency check would. */
export function faultHealthCheck(faults: FaultSwitch): HealthCheck {
  return {
    name: 'fault_injection',
    run: () => ({ healthy: faults.setting.mode !== 'unhealthy', mode: faults.setting.mode }),
  };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Applies the http-500, slow and error-logs modes to the requests it sees (the app mounts it on /api/*). */
export function injectFaults(faults: FaultSwitch, logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    const setting = faults.setting;
    switch (setting.mode) {
      case 'http-500':
        throw new InjectedFault('injected fault: every /api request fails (PUT /_local/fault to clear)');
      case 'slow':
        await delay(setting.delayMs);
        break;
      case 'error-logs':
        logger.error(
          { request_id: ctx.state.requestId, fault_mode: setting.mode },
          'injected error log line',
        );
        break;
    }
    await next();
  };
}
