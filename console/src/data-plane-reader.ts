/**
 * What the console reads of the parts that stand in for ELBv2 and ECS, which neither emulator
 * runs: the simulated ALB's DescribeTargetHealth (`GET /targets` of its admin endpoint, open
 * for reads) and the scheduler's DescribeServices, tasks and DescribeScalingActivities.
 */

export interface TargetHealthDescription {
  readonly Target: { readonly Id: string; readonly Port: number };
  readonly TargetHealth: { readonly State: string; readonly Reason?: string; readonly Description?: string };
}

export interface ServicePage {
  /** DescribeServices' service: desired, running and pending counts, events, deployments. */
  readonly service: Record<string, unknown>;
  /** The service's tasks, and the recently stopped ones with their stoppedReason. */
  readonly tasks: {
    readonly running: readonly Record<string, unknown>[];
    readonly stopped: readonly Record<string, unknown>[];
  };
  readonly scalingActivities: readonly Record<string, unknown>[];
}

export interface DataPlaneReader {
  targetHealth(): Promise<TargetHealthDescription[]>;
  service(): Promise<ServicePage>;
}

export class DataPlaneError extends Error {
  override readonly name = 'DataPlaneError';
}

const ANSWER_TIMEOUT_MS = 3_000;

async function getJson(base: string, path: string, part: string): Promise<Record<string, unknown>> {
  const url = new URL(path, base);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS) });
  } catch (error) {
    throw new DataPlaneError(`the ${part} at ${url.origin} did not answer: ${(error as Error).message}`);
  }
  if (!response.ok)
    throw new DataPlaneError(`the ${part} answered ${response.status} to GET ${url.pathname}`);
  return (await response.json()) as Record<string, unknown>;
}

export function dataPlaneReader(options: { albAdminUrl: string; schedulerUrl: string }): DataPlaneReader {
  return {
    async targetHealth() {
      const answer = await getJson(options.albAdminUrl, '/targets', 'simulated ALB');
      return (answer.TargetHealthDescriptions ?? []) as TargetHealthDescription[];
    },
    async service() {
      const [services, tasks, activities] = await Promise.all([
        getJson(options.schedulerUrl, '/services', 'scheduler'),
        getJson(options.schedulerUrl, '/tasks', 'scheduler'),
        getJson(options.schedulerUrl, '/scaling-activities', 'scheduler'),
      ]);
      return {
        service: ((services.services as unknown[]) ?? [])[0] as Record<string, unknown>,
        tasks: {
          running: (tasks.running ?? []) as Record<string, unknown>[],
          stopped: (tasks.stopped ?? []) as Record<string, unknown>[],
        },
        scalingActivities: (activities.ScalingActivities ?? []) as Record<string, unknown>[],
      };
    },
  };
}
