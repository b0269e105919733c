/** What the data plane's long-running services (monitor, scheduler) share: their log and their rounds. */

/** One JSON line per event on stderr, stamped with the time and the service's name. */
export function serviceLog(service: string): (event: Record<string, unknown>) => void {
  return (event) =>
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), service, ...event })}\n`);
}

/** Repeats `round` every interval, never two at a time, until stopped. */
export function every(
  intervalMs: number,
  what: string,
  round: () => Promise<void>,
  log: (event: Record<string, unknown>) => void,
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const run = () => {
    const started = Date.now();
    current = round()
      .catch((error: Error) => log({ event: `${what}-failed`, error: error.message }))
      .then(() => {
        if (!stopped) timer = setTimeout(run, Math.max(0, intervalMs - (Date.now() - started)));
      });
  };
  run();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await current;
  };
}
