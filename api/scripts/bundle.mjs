#!/usr/bin/env node
// `npm run bundle -w api`: what the API image holds at /app/api, built on the host into
// api/dist/image/ (the Dockerfile copies that directory and nothing else):
//   dist/server.js  src/server.ts and every production dependency in one CommonJS file (esbuild),
//                   so the image needs Node.js alone and its build runs no package manager;
//   package.json    the name and version, which src/service-info.ts reads next to dist/.
// The output depends on the sources and the lock file only (paths in it are relative to api/),
// so an unchanged tree gives the same bytes, the same CDK asset hash and no new image.
// Logging works as in the unbundled service: pino writes through src/log-destination.ts and
// LOG_FORMAT=pretty formats in-process (pino-pretty's prettyFactory); no worker-thread transport.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const apiDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(apiDir, 'dist', 'image');

rmSync(outDir, { recursive: true, force: true });
try {
  await build({
    absWorkingDir: apiDir,
    entryPoints: ['src/server.ts'],
    outfile: join(outDir, 'dist', 'server.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // engines.node of package.json; the image runs versions.env's Node.js 24.
    target: 'node22',
    // Not minified: stack traces in the log lines keep their function names and readable lines.
    minify: false,
    legalComments: 'eof',
    logLevel: 'warning',
  });
} catch {
  // esbuild has printed the errors (file:line) already.
  console.error('bundle: the API bundle was not built (errors above)');
  process.exit(1);
}
const { name, version, license } = JSON.parse(readFileSync(join(apiDir, 'package.json'), 'utf8'));
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'package.json'),
  `${JSON.stringify({ name, version, private: true, license }, null, 2)}\n`,
);
if (!process.argv.includes('--quiet')) {
  console.log(`bundle: ${relative(process.cwd(), outDir) || '.'}/dist/server.js (@zama/api ${version})`);
}
