#!/usr/bin/env node
// Packages have one door, and dependencies run one way (CONTRIBUTING.md, "Layout"): a workspace
// imports another only through its package entry (`@zama/<name>`), never by a relative path into
// its folder or a deep `@zama/<name>/...` path, and only the workspaces DEPENDS_ON allows it.
// Prints each violation as file:line and exits 1 when there is any. Import cycles inside a
// workspace are found by dpdm (`make lint` runs both).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
const SKIP = new Set(['node_modules', 'dist', 'cdk.out', 'coverage']);
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

/**
 * Which entries each workspace may import: api nothing; infra, the CDK app, no emulator (its
 * tests check log patterns against the api's logger); localstack the CDK app's entry (its tests,
 * the gateway policy against the api's); console the data plane's entry (its filter-pattern
 * engine and emulator clients; its tests, the synthesized dashboard); e2e everything.
 */
const DEPENDS_ON = {
  api: { sources: [], tests: [] },
  infra: { sources: [], tests: ['api'] },
  localstack: { sources: ['infra'], tests: ['infra', 'api'] },
  console: { sources: ['localstack'], tests: ['localstack', 'infra'] },
  e2e: { sources: ['infra', 'localstack', 'console'], tests: ['infra', 'localstack', 'console'] },
};

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.(ts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

const violations = [];
for (const workspace of workspaces) {
  const home = join(root, workspace);
  const rules = DEPENDS_ON[workspace];
  if (!rules) {
    violations.push(`${workspace}/: a workspace with no entry in DEPENDS_ON (scripts/check-imports.mjs)`);
    continue;
  }
  for (const file of sources(home)) {
    const inTests = relative(home, file).split(sep)[0] === 'test';
    const allowed = inTests ? rules.tests : rules.sources;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, index) => {
      for (const [, specifier] of line.matchAll(SPECIFIER)) {
        const where = `${relative(root, file)}:${index + 1}`;
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (target !== home && !target.startsWith(home + sep))
            violations.push(`${where}: '${specifier}' reaches into ${relative(root, target).split(sep)[0]}/`);
          continue;
        }
        const entry = /^@zama\/([^/]+)(\/.+)?$/.exec(specifier);
        if (!entry) continue;
        if (entry[2]) violations.push(`${where}: '${specifier}' goes past the package's entry`);
        else if (entry[1] !== workspace && !allowed.includes(entry[1]))
          violations.push(
            `${where}: '${specifier}': ${workspace}${inTests ? "'s tests" : ''} may not depend on ${entry[1]} (DEPENDS_ON)`,
          );
      }
    });
  }
}
for (const violation of violations) console.error(violation);
if (violations.length > 0) {
  console.error(
    `error: ${violations.length} import(s) break the package boundaries: import another workspace only through its entry, @zama/<name>, and only as DEPENDS_ON allows`,
  );
  process.exit(1);
}
console.log(
  `imports: every workspace uses the others only through their entries, one way (${workspaces.join(', ')})`,
);
