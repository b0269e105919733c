/**
 * The simulated ALB's data path as `make bench-alb` runs it: the listener with its access log
 * (written to stdout as in the container; the benchmark sends stdout to /dev/null), its AWS/ApplicationELB
 * metrics (published to a sink that drops them) and trace ids, in front of the targets named by
 * BENCH_TARGET_PORTS on 127.0.0.1.
 */
// The compiled listener (`make build`), the code the alb container runs.
import { AccessLog, AlbMetricsPublisher, AlbProxy, stdoutAccessLog } from '../dist/alb';

const port = Number(process.env.PORT);
const targetPorts = (process.env.BENCH_TARGET_PORTS ?? '').split(',').map(Number);

// Round robin over the tasks, as the target group does over healthy targets.
const targets = targetPorts.map((targetPort) => ({ id: '127.0.0.1', port: targetPort }));
let next = 0;
const registry = {
  nextTarget: () => targets[next++ % targets.length],
  hostCounts: () => ({ healthy: targets.length, unhealthy: 0 }),
};
const writeAccessLog = stdoutAccessLog();
const metrics = new AlbMetricsPublisher({
  sink: { putMetricData: async () => undefined },
  dimensions: {
    loadBalancer: 'app/bench/0123456789abcdef',
    targetGroup: 'targetgroup/bench/0123456789abcdef',
  },
  intervalSeconds: 5,
  hosts: registry,
  writeDiagnostic: () => undefined,
});
const proxy = new AlbProxy({
  listenerPort: 80,
  idleTimeoutSeconds: 60,
  targets: registry,
  dropInvalidHeaderFields: true,
  observers: [
    new AccessLog(
      {
        elb: 'app/bench/0123456789abcdef',
        targetGroupArn:
          'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/bench/0123456789abcdef',
      },
      writeAccessLog,
    ),
    metrics,
  ],
});
metrics.start();
proxy.listen(port, '127.0.0.1');
// An orderly exit, so that `node --cpu-prof` writes its profile when the run stops it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
