import type { IncomingMessage } from 'node:http';

export type JsonBody = { ok: true; value: unknown } | { ok: false; status: 400 | 413; error: string };

/** The bare servers' body reading: at most limitBytes, then JSON.parse; `done` gets the outcome. */
export function readJson(request: IncomingMessage, limitBytes: number, done: (body: JsonBody) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limitBytes) chunks.push(chunk);
  });
  request.on('end', () => {
    if (size > limitBytes) return done({ ok: false, status: 413, error: 'too large' });
    try {
      done({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    } catch {
      done({ ok: false, status: 400, error: 'json' });
    }
  });
}
