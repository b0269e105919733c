/**
 * `make local-restart`: a new deployment of the api service, run by the scheduler
 * (ecs/rolling-restart.ts).
 *   node localstack/dist/bin/rolling-restart.js <scheduler admin URL>
 */
import { runMain, UsageError } from '../cli';
import { DEFAULT_ROLLING_RESTART, rollingRestart } from '../ecs/rolling-restart';

runMain('rolling restart', async () => {
  const [schedulerUrl] = process.argv.slice(2);
  if (!schedulerUrl) {
    throw new UsageError('the scheduler admin URL is needed', 'rolling-restart <scheduler admin URL>');
  }
  await rollingRestart({ ...DEFAULT_ROLLING_RESTART, schedulerUrl });
});
