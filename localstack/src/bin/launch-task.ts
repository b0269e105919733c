/**
 * Starts a task's application the way the ECS agent does: with the secrets of the task
 * definition already in its environment. It runs inside the api containers, so it uses
 * nothing but Node itself.
 *
 *   node launch-task.js <secrets.json> <entry.js>
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const [secretsFile, entry] = process.argv.slice(2);
if (!secretsFile || !entry) {
  process.stderr.write('usage: launch-task <secrets.json> <entry.js>\n');
  process.exit(2);
}
let secrets: Record<string, string>;
try {
  secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>;
} catch (error) {
  process.stderr.write(
    `cannot read the task's secrets from ${secretsFile} (${(error as Error).message}): the deploy service writes them; run make local-up\n`,
  );
  process.exit(1);
}
Object.assign(process.env, secrets);
// The application sees the argv it would have had when started directly.
process.argv = [process.argv[0], resolve(entry)];
require(resolve(entry));
