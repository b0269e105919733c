/**
 * The pinned versions and public image names of the repository's versions.env, the one place
 * they are written; a variable set in the environment wins, as in the Makefile and scripts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** From localstack/src (tests) or localstack/dist (built, and mounted in the containers). */
const VERSIONS_FILE = join(__dirname, '..', '..', 'versions.env');

export type PinnedName =
  | 'NODE_VERSION'
  | 'NODE_IMAGE'
  | 'MOTO_VERSION'
  | 'MOTO_IMAGE'
  | 'LOCALSTACK_VERSION'
  | 'KONG_IMAGE'
  | 'API_IMAGE';

let assignments: ReadonlyMap<string, string> | undefined;

/** The versions.env assignments, as written. */
export function pinnedVersions(): ReadonlyMap<string, string> {
  assignments ??= new Map(
    readFileSync(VERSIONS_FILE, 'utf8')
      .split('\n')
      .map((line) => /^([A-Z_0-9]+)=(.*)$/.exec(line))
      .filter((match) => match !== null)
      .map(([, name, value]) => [name, value]),
  );
  return assignments;
}

/** The value the project uses: the environment's, else versions.env's. */
export function pinned(name: PinnedName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name]?.trim() || pinnedVersions().get(name);
  if (!value) throw new Error(`${name} is missing from ${VERSIONS_FILE}`);
  return value;
}
