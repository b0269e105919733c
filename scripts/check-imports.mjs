#!/usr/bin/env node
// Packages have one door: a workspace imports another only through its package entry
// (`@zama/<name>`), never by a relative path into its folder or a deep `@zama/<name>/...` path.
// Prints each violation as file:line and exits 1 when there is any that is not in the reviewed
// list of those still to untangle (scripts/import-boundary-exceptions.txt, which may only shrink:
// an entry that no longer occurs fails too, so that it is removed).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
const SKIP = new Set(['node_modules', 'dist', 'cdk.out', 'coverage']);
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

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
  for (const file of sources(home)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, index) => {
      for (const [, specifier] of line.matchAll(SPECIFIER)) {
        const where = `${relative(root, file)}:${index + 1}`;
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (target !== home && !target.startsWith(home + sep))
            violations.push(`${where}: '${specifier}' reaches into ${relative(root, target).split(sep)[0]}/`);
        } else if (/^@zama\/[^/]+\/.+/.test(specifier)) {
          violations.push(`${where}: '${specifier}' goes past the package's entry`);
        }
      }
    });
  }
}
const exceptionsFile = join(root, 'scripts', 'import-boundary-exceptions.txt');
const exceptions = new Set(
  readFileSync(exceptionsFile, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#')),
);
// An exception names the file and the specifier, not the line, so that edits elsewhere in the
// file do not invalidate it.
const key = (violation) => violation.replace(/:\d+: '([^']+)'.*$/, " '$1'");
const found = new Set(violations.map(key));
const fresh = violations.filter((violation) => !exceptions.has(key(violation)));
const stale = [...exceptions].filter((exception) => !found.has(exception));
for (const violation of fresh) console.error(violation);
for (const exception of stale)
  console.error(`${exception}: no longer occurs: remove it from ${relative(root, exceptionsFile)}`);
if (fresh.length > 0 || stale.length > 0) {
  console.error(
    `error: ${fresh.length} import(s) cross a workspace boundary (import the package's entry, @zama/<name>, instead), ${stale.length} stale exception(s)`,
  );
  process.exit(1);
}
console.log(
  `imports: no new import crosses a workspace boundary (${exceptions.size} listed ones still to untangle)`,
);
