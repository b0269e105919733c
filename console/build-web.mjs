// Bundles the console's page (web/) into dist/web (or the directory given) with esbuild: its
// script with uPlot, and the styles, so that the container serves everything itself, offline,
// with no CDN.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, 'dist', 'web');
const require = createRequire(import.meta.url);

mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'web', 'main.ts')],
  outfile: join(out, 'console.js'),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: 'es2022',
  logLevel: 'warning',
});
copyFileSync(join(here, 'web', 'index.html'), join(out, 'index.html'));
copyFileSync(join(here, 'web', 'console.css'), join(out, 'console.css'));
copyFileSync(
  join(dirname(require.resolve('uplot/package.json')), 'dist', 'uPlot.min.css'),
  join(out, 'uplot.css'),
);
