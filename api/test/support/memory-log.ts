/** A pino destination that keeps what it is given, for asserting on real log lines. */
export class MemoryLog {
  readonly #chunks: string[] = [];

  write(chunk: string): void {
    this.#chunks.push(chunk);
  }

  get text(): string {
    return this.#chunks.join('');
  }

  get lines(): string[] {
    return this.text.split('\n').filter((line) => line.length > 0);
  }

  get entries(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** The request log line of the response that carried this X-Request-ID. */
  requestLine(requestId: string): Record<string, unknown> {
    const matches = this.entries.filter((entry) => entry.request_id === requestId && 'status' in entry);
    if (matches.length !== 1)
      throw new Error(`expected one log line for ${requestId}, found ${matches.length}`);
    return matches[0];
  }
}
