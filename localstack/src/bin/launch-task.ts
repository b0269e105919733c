/**
 * Starts a task's application the way the ECS agent does: with the secrets of the task
 * definition already in its environment. It runs inside the api containers, so it uses
 * nothing but Node itself and ../cli.
 *
 *   node launch-task.js <secrets.json> <entry.js>
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runMain, UsageError } from '../cli';

runMain('launch-task', async () => {
  const [secretsFile, entry] = process.argv.slice(2);
  if (!secretsFile || !entry)
    throw new UsageError('a secrets file and an entry are needed', 'launch-task <secrets.json> <entry.js>');
  let secrets: Record<string, string>;
  try {
    secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new Error(
      `cannot read the task's secrets from ${secretsFile} (${(error as Error).message}): the deploy service writes them; run make local-up`,
    );
  }
  Object.assign(process.env, secrets);
  // The application sees the argv it would have had when started directly.
  process.argv = [process.argv[0] as string, resolve(entry)];
  require(resolve(entry));
});
