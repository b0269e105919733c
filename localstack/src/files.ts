import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Written whole, then renamed, so that a reader in another container never sees half a file.
 * Readable by every user: the volume is private to the compose project, and the gateway and
 * the api tasks run as users of their own.
 */
export function writeWhole(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text, { mode: 0o644 });
  renameSync(`${path}.tmp`, path);
}
