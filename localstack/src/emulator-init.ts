/**
 * The check that the emulator leaves alarm evaluation and metric filters to the monitor.
 * LocalStack does both itself unless the start hook in localstack/emulator-init, which
 * compose.yaml mounts, has switched them off; with both evaluating, an alarm flaps and a change
 * is notified more than once. The monitor runs this check before it evaluates anything.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { type Emulator, LOCALSTACK_FREE_TAG } from './emulator';

export const ALARMS_HOOK = 'leave-alarms-to-the-monitor.py';
/** The hooks' folder in this package, and where LocalStack runs the scripts of its start stage. */
export const EMULATOR_INIT_DIR = join(__dirname, '..', 'emulator-init');
export const START_HOOKS_PATH = '/etc/localstack/init/start.d';
const HOOKS_MOUNT = `mount localstack/emulator-init at ${START_HOOKS_PATH}, as compose.yaml does`;
const REQUEST_TIMEOUT_MS = 5000;

const initScriptsSchema = z.object({
  scripts: z.array(z.object({ name: z.string(), state: z.string() })),
});

export class EmulatorInitError extends Error {}

/** Resolves when the emulator reports the hook ran successfully; otherwise says what to do. */
export async function verifyAlarmsLeftToMonitor(emulator: Emulator, endpoint: string): Promise<void> {
  if (!emulator.initScriptsPath) return;
  const url = new URL(emulator.initScriptsPath, endpoint).href;
  let body: unknown;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new EmulatorInitError(
      `cannot ask ${emulator.name} which start hooks it ran (GET ${url}: ${(error as Error).message}); ` +
        'is AWS_ENDPOINT_URL the emulator?',
    );
  }
  const parsed = initScriptsSchema.safeParse(body);
  if (!parsed.success) {
    throw new EmulatorInitError(`GET ${url} did not answer with ${emulator.name}'s list of init scripts`);
  }
  const hook = parsed.data.scripts.find(({ name }) => name === ALARMS_HOOK);
  if (!hook) {
    throw new EmulatorInitError(
      `${emulator.name} has not loaded the start hook ${ALARMS_HOOK}: ${HOOKS_MOUNT}. ` +
        'Without it the emulator evaluates the alarms and counts metric filters too, and changes are notified twice.',
    );
  }
  if (hook.state !== 'SUCCESSFUL') {
    throw new EmulatorInitError(
      `${emulator.name}'s start hook ${ALARMS_HOOK} is ${hook.state}, not SUCCESSFUL: ` +
        'its reason is in the emulator container’s log (docker compose logs emulator); ' +
        `the hook is written for LocalStack ${LOCALSTACK_FREE_TAG}.`,
    );
  }
}
