import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SERVICE_NAME = 'zama-api';

// Read at run time rather than imported, so the compiled output keeps the src -> dist layout
// and the image only needs package.json next to dist/.
const packageJson = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

export const SERVICE_VERSION = packageJson.version;
