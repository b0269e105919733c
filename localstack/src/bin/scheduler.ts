/** The `scheduler` service of compose.yaml: the api tasks' ECS service and its auto scaling (scheduler/start.ts). */
import { runMain, stopOnSignals } from '../cli';
import { log, startScheduler } from '../scheduler/start';

runMain('scheduler', async () => {
  stopOnSignals(await startScheduler(process.env), log);
});
