/**
 * Prints the simulated ALB's target health (its DescribeTargetHealth) as a table, or with
 * --count-healthy only the number of healthy targets:
 *   node localstack/dist/bin/target-health.js [--count-healthy] http://127.0.0.1:8081
 */
import type { TargetHealthDescription } from '../alb/admin';
import { runMain, UsageError } from '../cli';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const countOnly = args.includes('--count-healthy');
  const adminUrl = args.find((arg) => !arg.startsWith('--'));
  if (!adminUrl)
    throw new UsageError('no ALB admin URL given', 'target-health [--count-healthy] <ALB admin URL>');

  let body: { TargetHealthDescriptions: TargetHealthDescription[] };
  try {
    const response = await fetch(new URL('/targets', adminUrl), { signal: AbortSignal.timeout(3000) });
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new Error(
      `the simulated ALB does not answer at ${adminUrl} (${(error as Error).message}): is the platform up?`,
    );
  }
  const targets = body.TargetHealthDescriptions;
  if (countOnly) {
    console.log(targets.filter((target) => target.TargetHealth.State === 'healthy').length);
    return;
  }
  const rows = targets.map(({ Target, TargetHealth }) => [
    `${Target.Id}:${Target.Port}`,
    TargetHealth.State,
    TargetHealth.Reason ?? '',
  ]);
  const table = [['target', 'state', 'reason'], ...rows];
  const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
  for (const row of table)
    console.log(`  ${row.map((cell, column) => cell.padEnd(widths[column])).join('   ')}`);
  if (rows.length === 0) console.log('  (no registered targets)');
}

runMain('target-health', main);
