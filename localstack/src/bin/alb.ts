/** The `alb` service of compose.yaml: the simulated ALB, configured from the environment (alb/start.ts). */
import { logDiagnostic } from '../alb/simulated-alb';
import { startFromEnvironment } from '../alb/start';
import { runMain, stopOnSignals } from '../cli';

runMain('simulated ALB', async () => {
  const alb = await startFromEnvironment(process.env);
  stopOnSignals(() => alb.stop(), logDiagnostic);
});
