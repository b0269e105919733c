/** The page's bundle, built by build-web.mjs into dist/web, read once into memory. */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { WebAsset } from './console-app';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

export const WEB_DIR = join(__dirname, 'web');

export function readWebAssets(dir: string = WEB_DIR): Map<string, WebAsset> {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    throw new Error(`the console's page is not built (${dir} is missing): run 'make build'`);
  }
  if (!files.includes('index.html'))
    throw new Error(`the console's page is not built (no ${dir}/index.html): run 'make build'`);
  return new Map(
    files
      .filter((file) => CONTENT_TYPES[extname(file)] !== undefined)
      .map((file) => [
        file,
        { contentType: CONTENT_TYPES[extname(file)], body: readFileSync(join(dir, file)) },
      ]),
  );
}
