/**
 * `make local-restart`: replaces the api tasks one at a time, as an ECS deployment does
 * (ecs/rolling-restart.ts).
 *   node localstack/dist/bin/rolling-restart.js <compose project> <ALB admin URL>
 */
import { runMain, UsageError } from '../cli';
import { DEFAULT_ROLLING_RESTART, rollingRestart } from '../ecs/rolling-restart';

runMain('rolling restart', async () => {
  const [project, adminUrl] = process.argv.slice(2);
  if (!project || !adminUrl) {
    throw new UsageError(
      'a compose project and the ALB admin URL are needed',
      'rolling-restart <compose project> <ALB admin URL>',
    );
  }
  await rollingRestart({ ...DEFAULT_ROLLING_RESTART, project, adminUrl });
});
