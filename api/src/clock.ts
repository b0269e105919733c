let cachedMs = Number.NaN;
let cachedText = '';

/**
 * The current time in ISO 8601 (`2026-11-25T21:17:53.951Z`), as `new Date().toISOString()` writes
 * it. A busy process asks several times per millisecond (each request's log line and body), so
 * the text is made once per millisecond.
 */
export function isoNow(): string {
  const now = Date.now();
  if (now !== cachedMs) {
    cachedMs = now;
    cachedText = new Date(now).toISOString();
  }
  return cachedText;
}
