/**
 * Prints the local ECS service as `make local-status` shows it: desired, running and pending
 * counts, the recent service events and the scaling activities, from the scheduler's endpoint:
 *   node localstack/dist/bin/service-status.js http://127.0.0.1:8082
 */
import { runMain, UsageError } from '../cli';
import type { ScalingActivity } from '../ecs/service-autoscaling';
import type { ServiceEvent } from '../ecs/service-scheduler';

const RECENT = 8;

async function get<T>(schedulerUrl: string, path: string): Promise<T> {
  try {
    const response = await fetch(new URL(path, schedulerUrl), { signal: AbortSignal.timeout(3000) });
    return (await response.json()) as T;
  } catch (error) {
    throw new Error(
      `the scheduler does not answer at ${schedulerUrl} (${(error as Error).message}): is the platform up?`,
    );
  }
}

async function main(): Promise<void> {
  const [schedulerUrl] = process.argv.slice(2);
  if (!schedulerUrl)
    throw new UsageError('no scheduler admin URL given', 'service-status <scheduler admin URL>');
  const {
    services: [service],
  } = await get<{
    services: Array<{
      serviceName: string;
      desiredCount: number;
      runningCount: number;
      pendingCount: number;
      events: ServiceEvent[];
    }>;
  }>(schedulerUrl, '/services');
  const { ScalingActivities } = await get<{ ScalingActivities: ScalingActivity[] }>(
    schedulerUrl,
    '/scaling-activities',
  );
  if (!service) throw new Error(`the scheduler at ${schedulerUrl} runs no service`);
  console.log(
    `  service ${service.serviceName}: desired ${service.desiredCount}, running ${service.runningCount}, pending ${service.pendingCount}`,
  );
  console.log('\n  recent events');
  for (const { createdAt, message } of service.events.slice(0, RECENT))
    console.log(`  ${createdAt}  ${message}`);
  console.log('\n  scaling activities');
  for (const { StartTime, Description, Cause } of ScalingActivities.slice(0, RECENT)) {
    console.log(`  ${StartTime}  ${Description} (${Cause.replace(/^at \S+ /, '')})`);
  }
  if (ScalingActivities.length === 0) console.log('  (none yet)');
}

runMain('service-status', main);
