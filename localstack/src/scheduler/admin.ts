import { createServer, type Server } from 'node:http';
import type { ServiceAutoScaling } from '../ecs/service-autoscaling';
import type { ServiceScheduler } from '../ecs/service-scheduler';
import { sendJson } from '../http-json';

/**
 * The scheduler's own HTTP endpoint, in the shapes of the AWS APIs it stands for:
 * `GET /services` (DescribeServices), `GET /tasks` (ListTasks and DescribeTasks, stopped tasks
 * with their stoppedReason), `GET /scaling-activities` (DescribeScalingActivities),
 * `POST /deployments` (UpdateService --force-new-deployment), `GET /healthz`.
 */
export function createSchedulerAdmin(scheduler: ServiceScheduler, scaling: ServiceAutoScaling): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://admin').pathname;
    if (path === '/deployments') {
      if (req.method !== 'POST') {
        sendJson(res, 405, { message: `${req.method} is not supported; use POST` }, { Allow: 'POST' });
        return;
      }
      sendJson(res, 201, { deployment: scheduler.forceNewDeployment() });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { message: `${req.method} is not supported; use GET` }, { Allow: 'GET, HEAD' });
    } else if (path === '/services') {
      sendJson(res, 200, { services: [scheduler.describe()] });
    } else if (path === '/tasks') {
      sendJson(res, 200, scheduler.describeTasks());
    } else if (path === '/scaling-activities') {
      sendJson(res, 200, scaling.describeScalingActivities());
    } else if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else {
      sendJson(res, 404, {
        message: `No ${path} here; try /services, /tasks, /scaling-activities, POST /deployments or /healthz`,
      });
    }
  });
}
