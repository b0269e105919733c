/**
 * Finds where a chunked body ends (RFC 9112 §7.1) without decoding it: the proxy relays the
 * bytes as they are and only needs to know where the next message starts. Chunk extensions and
 * trailer fields are passed over, as ALB forwards them.
 */

export class ChunkedBodyError extends Error {
  override readonly name = 'ChunkedBodyError';
}

type State =
  | 'size'
  | 'extension'
  | 'size-lf'
  | 'data'
  | 'data-cr'
  | 'data-lf'
  | 'trailer-start'
  | 'trailer'
  | 'end-lf';

/** A chunk-size line longer than this is not a real one. */
const MAX_SIZE_LINE = 4096;
const MAX_TRAILER_LINE = 16 * 1024;

export class ChunkedBodyEnd {
  private state: State = 'size';
  private size = 0;
  private sizeDigits = 0;
  private remaining = 0;
  private lineLength = 0;

  /**
   * Reads `chunk` from `start`; returns the index just past the body's last byte, or -1 when
   * the body goes on in the next chunk. Throws ChunkedBodyError on malformed framing.
   */
  feed(chunk: Buffer, start = 0): number {
    let i = start;
    while (i < chunk.length) {
      switch (this.state) {
        case 'data': {
          const take = Math.min(this.remaining, chunk.length - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = 'data-cr';
          continue;
        }
        case 'size': {
          const code = chunk[i];
          const digit = hexValue(code);
          if (digit >= 0) {
            this.sizeDigits += 1;
            // 2^53 bytes is past anything a JavaScript number counts exactly.
            if (this.sizeDigits > 13) throw new ChunkedBodyError('chunk size too large');
            this.size = this.size * 16 + digit;
          } else if (this.sizeDigits === 0) {
            throw new ChunkedBodyError('chunk size expected');
          } else if (code === 0x3b || code === 0x20 || code === 0x09) {
            this.state = 'extension';
          } else if (code === 0x0d) {
            this.state = 'size-lf';
          } else if (code === 0x0a) {
            this.endSizeLine();
          } else {
            throw new ChunkedBodyError('malformed chunk size');
          }
          break;
        }
        case 'extension': {
          const code = chunk[i];
          this.lineLength += 1;
          if (this.lineLength > MAX_SIZE_LINE) throw new ChunkedBodyError('chunk extension too long');
          if (code === 0x0d) this.state = 'size-lf';
          else if (code === 0x0a) this.endSizeLine();
          break;
        }
        case 'size-lf':
          if (chunk[i] !== 0x0a) throw new ChunkedBodyError('LF expected after the chunk size');
          this.endSizeLine();
          break;
        case 'data-cr':
          if (chunk[i] === 0x0d) this.state = 'data-lf';
          else if (chunk[i] === 0x0a) this.state = 'size';
          else throw new ChunkedBodyError('CRLF expected after chunk data');
          break;
        case 'data-lf':
          if (chunk[i] !== 0x0a) throw new ChunkedBodyError('LF expected after chunk data');
          this.state = 'size';
          break;
        case 'trailer-start':
          // An empty line ends the body; anything else is a trailer field.
          if (chunk[i] === 0x0d) this.state = 'end-lf';
          else if (chunk[i] === 0x0a) return i + 1;
          else {
            this.lineLength = 1;
            this.state = 'trailer';
          }
          break;
        case 'trailer':
          this.lineLength += 1;
          if (this.lineLength > MAX_TRAILER_LINE) throw new ChunkedBodyError('trailer field too long');
          if (chunk[i] === 0x0a) this.state = 'trailer-start';
          break;
        case 'end-lf':
          if (chunk[i] !== 0x0a) throw new ChunkedBodyError('LF expected at the end of the body');
          return i + 1;
      }
      i += 1;
    }
    return -1;
  }

  private endSizeLine(): void {
    this.lineLength = 0;
    if (this.size === 0) {
      this.state = 'trailer-start';
      return;
    }
    this.remaining = this.size;
    this.size = 0;
    this.sizeDigits = 0;
    this.state = 'data';
  }
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}
