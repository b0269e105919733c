/** The `monitor` service of compose.yaml: task telemetry, log shipping and alarms (monitor/start.ts). */
import { runMain, stopOnSignals } from '../cli';
import { log, startMonitor } from '../monitor/start';

runMain('monitor', async () => {
  stopOnSignals(await startMonitor(process.env), log);
});
