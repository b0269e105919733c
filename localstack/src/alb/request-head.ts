/**
 * An HTTP/1.x request head as ALB reads it: parsed leniently, and classified by the rules of
 * AWS's http_desync_guardian, the library behind ALB's desync mitigation mode
 * (https://github.com/aws/http-desync-guardian, its docs/README.md lists the tiers and reasons).
 * Strings hold one character per byte (latin1), so no byte is lost or reinterpreted.
 *
 * One deviation: the library stops at any version that sorts at or after "HTTP/2" and calls the
 * request Compliant (it leaves HTTP/2 to others), which would let "GET / ZZZ" through; here only
 * a real HTTP/2 or later version ("HTTP/<digit 2-9>...") is left alone.
 */

export type DesyncTier = 'Compliant' | 'Acceptable' | 'Ambiguous' | 'Severe';

export type ClassificationReason =
  | 'Compliant'
  // Acceptable
  | 'NonCompliantHeader'
  | 'SpaceInUri'
  | 'NonCompliantVersion'
  | 'GetHeadZeroContentLength'
  | 'NonCrLfLineTermination'
  // Ambiguous
  | 'EmptyHeader'
  | 'AmbiguousUri'
  | 'UndefinedContentLengthSemantics'
  | 'UndefinedTransferEncodingSemantics'
  | 'DuplicateContentLength'
  | 'BothTeClPresent'
  | 'SuspiciousHeader'
  | 'MultilineHeader'
  | 'MissingHeaderColon'
  | 'MissingUri'
  // Severe
  | 'BadHeader'
  | 'BadUri'
  | 'BadVersion'
  | 'MultipleContentLength'
  | 'BadContentLength'
  | 'MultipleTransferEncodingChunked'
  | 'BadTransferEncoding'
  | 'BadMethod';

export interface HeaderField {
  /** As sent, before the colon. */
  readonly name: string;
  /** Without the optional whitespace around it. */
  readonly value: string;
}

export interface RequestHead {
  readonly method: string;
  /** The request target as sent (origin form, absolute form, ...). */
  readonly target: string;
  /** As sent, '' for a request line without one (HTTP/0.9). */
  readonly version: string;
  readonly headers: readonly HeaderField[];
}

export interface Classification {
  readonly tier: DesyncTier;
  readonly reason: ClassificationReason;
}

export interface ClassifiedRequest extends Classification {
  readonly head: RequestHead;
}

const TIER_ORDER: Record<DesyncTier, number> = { Compliant: 0, Acceptable: 1, Ambiguous: 2, Severe: 3 };

/** token characters (RFC 9110 §5.6.2). */
const TCHAR = (() => {
  const table = new Uint8Array(256);
  for (let c = 0; c < 256; c += 1) {
    const ch = String.fromCharCode(c);
    table[c] = /[A-Za-z0-9]/.test(ch) || "-_.!#$%&'*+^`|~".includes(ch) ? 1 : 0;
  }
  return table;
})();

const isTchar = (code: number) => code < 256 && TCHAR[code] === 1;
/** NUL, CR and LF: never acceptable anywhere in a head. */
const isBad = (code: number) => code === 0 || code === 13 || code === 10;
const isRfcWhitespace = (code: number) => code === 32 || code === 9;
/** VCHAR, obs-text, SP and HTAB: what a field value may hold. */
const isFieldValueChar = (code: number) => (code >= 32 && code !== 127) || code === 9;
const isAlphanumeric = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

class Verdict {
  tier: DesyncTier = 'Compliant';
  reason: ClassificationReason = 'Compliant';

  /** The first reason found at the highest tier is the one reported. */
  upgrade(tier: DesyncTier, reason: ClassificationReason): void {
    if (TIER_ORDER[tier] > TIER_ORDER[this.tier]) {
      this.tier = tier;
      this.reason = reason;
    }
  }
}

function trimRfcWhitespace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isRfcWhitespace(text.charCodeAt(start))) start += 1;
  while (end > start && isRfcWhitespace(text.charCodeAt(end - 1))) end -= 1;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * Parses and classifies a request head: the bytes up to and including the empty line that ends
 * it (CRLF or bare LF line ends), as a latin1 string.
 */
export function classifyRequestHead(head: string): ClassifiedRequest {
  const verdict = new Verdict();
  const lines = head.split('\n');
  // The last element is what follows the final LF: nothing, for a complete head.
  if (lines[lines.length - 1] === '') lines.pop();
  const line = (index: number) => {
    const text = lines[index] ?? '';
    if (text.endsWith('\r')) return text.slice(0, -1);
    verdict.upgrade('Acceptable', 'NonCrLfLineTermination');
    return text;
  };
  const { method, target, version } = parseRequestLine(line(0), verdict);
  const headers = parseHeaderLines(lines.length, line, verdict);
  const request: RequestHead = { method, target, version, headers: headers.map(toField) };
  analyze(request, headers, verdict);
  return { head: request, tier: verdict.tier, reason: verdict.reason };
}

/** request-line = method SP request-target SP HTTP-version (RFC 9112 §3), read as the library does. */
function parseRequestLine(
  line: string,
  verdict: Verdict,
): { method: string; target: string; version: string } {
  const firstSpace = line.indexOf(' ');
  if (firstSpace < 0) {
    verdict.upgrade('Ambiguous', 'MissingUri');
    return { method: line, target: '', version: '' };
  }
  const method = line.slice(0, firstSpace);
  const rest = line.slice(firstSpace + 1);
  if (rest === '') {
    verdict.upgrade('Ambiguous', 'MissingUri');
    return { method, target: '', version: '' };
  }
  // The version is the last space-separated token, trailing characters that are no token
  // characters (spaces) included; nothing found means there is no version.
  let index = rest.length - 1;
  let seenTchar = false;
  while (index > 0 && (rest.charCodeAt(index) !== 32 || !seenTchar)) {
    seenTchar ||= isTchar(rest.charCodeAt(index));
    index -= 1;
  }
  if (index > 0 || rest.charCodeAt(0) === 32) {
    const split = { method, target: rest.slice(0, index), version: rest.slice(index + 1) };
    if (split.target === '' && split.version === '') verdict.upgrade('Ambiguous', 'MissingUri');
    return split;
  }
  if (rest.startsWith('HTTP/1.')) {
    verdict.upgrade('Ambiguous', 'MissingUri');
    return { method, target: '', version: rest };
  }
  return { method, target: rest, version: '' };
}

interface RawHeader {
  readonly name: string;
  /** As sent after the colon, whitespace included. */
  readonly rawValue: string;
}

function toField({ name, rawValue }: RawHeader): HeaderField {
  return { name, value: trimRfcWhitespace(rawValue) };
}

function parseHeaderLines(count: number, line: (index: number) => string, verdict: Verdict): RawHeader[] {
  const headers: RawHeader[] = [];
  let previousName: string | undefined;
  let inContentType = false;
  for (let index = 1; index < count; index += 1) {
    const text = line(index);
    if (text === '') break;
    const continuation = isRfcWhitespace(text.charCodeAt(0));
    const colon = text.indexOf(':');
    const name = colon < 0 ? text : text.slice(0, colon);
    if (!continuation && colon >= 0) {
      inContentType = name.toLowerCase() === 'content-type';
      previousName = name;
    }
    if (continuation && previousName !== undefined && (inContentType || colon < 0)) {
      // obs-fold (RFC 9112 §5.2): the line continues the previous field.
      headers.push({ name: previousName, rawValue: text });
    } else {
      // An ordinary field, or a folded line that looks like a field of its own (" Content-Length: 1").
      headers.push({ name, rawValue: colon < 0 ? '' : text.slice(colon + 1) });
    }
    if (!continuation && colon < 0) verdict.upgrade('Ambiguous', 'MissingHeaderColon');
    // Folding is deprecated except in message/http media types, and a folded line can hide a field.
    if (continuation && !inContentType) verdict.upgrade('Ambiguous', 'MultilineHeader');
  }
  return headers;
}

type Similarity = 'Identical' | 'SameLetters' | 'Distant';

const TRANSFER_ENCODING = 'transfer-encoding';
const CONTENT_LENGTH = 'content-length';
/** Two UTF-8 letters whose upper case is ASCII: 'ſ' (U+017F) becomes S, 'ı' (U+0131) becomes I. */
const LOOKALIKES: ReadonlyArray<readonly [string, number, number]> = [
  ['s', 0xc5, 0xbf],
  ['i', 0xc4, 0xb1],
];

function nextAlphanumeric(text: string, from: number): number {
  let index = from;
  while (index < text.length && !isAlphanumeric(text.charCodeAt(index))) index += 1;
  return index;
}

function nextAboveSpace(text: string, from: number): number {
  let index = from;
  while (index < text.length && text.charCodeAt(index) <= 32) index += 1;
  return index;
}

/** How close a field name comes to `Transfer-Encoding` or `Content-Length` once case, delimiters and lookalike letters are normalised. */
function similarity(essential: string, name: string): Similarity {
  if (name.length < essential.length) return 'Distant';
  let index = nextAlphanumeric(name, 0);
  let identical = index === 0 && essential.length === name.length;
  for (const letter of essential) {
    if (index === name.length) return 'Distant';
    const delimiter = letter === '-';
    const code = name.charCodeAt(index);
    const lower = code >= 65 && code <= 90 ? code + 32 : code;
    let same = lower === letter.charCodeAt(0);
    let next = index + 1;
    if (!same && index + 1 < name.length) {
      const lookalike = LOOKALIKES.some(
        ([ascii, first, second]) =>
          ascii === letter && code === first && name.charCodeAt(index + 1) === second,
      );
      if (lookalike) {
        same = true;
        next = index + 2;
      }
    }
    if (!same) {
      if (!delimiter) break;
      identical = false;
    }
    index = delimiter ? nextAlphanumeric(name, next) : nextAboveSpace(name, next);
  }
  const exhausted = index === name.length;
  if (exhausted && identical) return 'Identical';
  if (exhausted || nextAlphanumeric(name, index) === name.length) return 'SameLetters';
  return 'Distant';
}

type CharacterTier = 'Compliant' | 'NonCompliant' | 'Bad';

function charactersTier(text: string, allowed: (code: number) => boolean): CharacterTier {
  let tier: CharacterTier = 'Compliant';
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (allowed(code)) continue;
    if (isBad(code)) return 'Bad';
    tier = 'NonCompliant';
  }
  return tier;
}

function headerTier({ name, rawValue }: RawHeader): CharacterTier {
  const nameTier = charactersTier(name, isTchar);
  const valueTier = charactersTier(rawValue, isFieldValueChar);
  const rank = { Compliant: 0, NonCompliant: 1, Bad: 2 };
  return rank[nameTier] >= rank[valueTier] ? nameTier : valueTier;
}

const VALID_CODINGS = new Set(['chunked', 'compress', 'deflate', 'gzip', 'identity']);

/** A transfer coding without its parameters, lower case; undefined when it is none the library knows. */
function transferCoding(item: string): string | undefined {
  const trimmed = trimRfcWhitespace(item);
  const semicolon = trimmed.indexOf(';');
  const coding = trimRfcWhitespace(semicolon < 0 ? trimmed : trimmed.slice(0, semicolon)).toLowerCase();
  return VALID_CODINGS.has(coding) ? coding : undefined;
}

/** A decimal Content-Length, or undefined; an empty value counts as 0, as in the library. */
function contentLength(value: string): bigint | undefined {
  const trimmed = trimRfcWhitespace(value);
  if (!/^[0-9]*$/.test(trimmed)) return undefined;
  const parsed = BigInt(trimmed === '' ? '0' : trimmed);
  return parsed > 0xffff_ffff_ffff_ffffn ? undefined : parsed;
}

function analyze(request: RequestHead, headers: readonly RawHeader[], verdict: Verdict): void {
  const { method } = request;
  let { version } = request;
  if (/^HTTP\/[2-9]/.test(version)) return;
  if (trimRfcWhitespace(version) === '') version = 'HTTP/0.9';

  const transferEncodings: RawHeader[] = [];
  const contentLengths: RawHeader[] = [];
  for (const header of headers) {
    const te = similarity(TRANSFER_ENCODING, header.name);
    const cl = te === 'Distant' ? similarity(CONTENT_LENGTH, header.name) : 'Distant';
    const essential = te === 'Identical' || cl === 'Identical';
    const tier = headerTier(header);
    if (verdict.tier !== 'Severe') {
      if (tier === 'Bad') verdict.upgrade('Severe', 'BadHeader');
      else if (tier === 'NonCompliant') verdict.upgrade('Acceptable', 'NonCompliantHeader');
    }
    const trimmedName = trimRfcWhitespace(header.name);
    if (trimmedName === '' || trimmedName.startsWith(':')) {
      verdict.upgrade('Ambiguous', 'EmptyHeader');
    } else if (!essential && tier !== 'Bad') {
      if (te === 'SameLetters') {
        transferEncodings.push(header);
        verdict.upgrade('Ambiguous', 'SuspiciousHeader');
      } else if (cl === 'SameLetters') {
        contentLengths.push(header);
        verdict.upgrade('Ambiguous', 'SuspiciousHeader');
      }
    } else if (te === 'Identical') {
      transferEncodings.push(header);
    } else if (cl === 'Identical') {
      contentLengths.push(header);
    }
  }

  checkFraming(method, version, transferEncodings, contentLengths, verdict);
  for (let i = 0; i < method.length; i += 1) {
    if (!isTchar(method.charCodeAt(i))) {
      verdict.upgrade('Severe', 'BadMethod');
      break;
    }
  }
  checkVersion(request.version, version, verdict);
  checkTarget(request.target, verdict);
}

function checkFraming(
  method: string,
  version: string,
  transferEncodings: readonly RawHeader[],
  contentLengths: readonly RawHeader[],
  verdict: Verdict,
): void {
  if (transferEncodings.length === 0 && contentLengths.length === 0) return;
  // Transfer-Encoding means nothing before HTTP/1.1, nor Content-Length in HTTP/0.9.
  if (version <= 'HTTP/1.0' && transferEncodings.length > 0) {
    verdict.upgrade('Ambiguous', 'UndefinedTransferEncodingSemantics');
    return;
  }
  if (version < 'HTTP/1.0' && contentLengths.length > 0) {
    verdict.upgrade('Ambiguous', 'UndefinedContentLengthSemantics');
    return;
  }
  let previousChunked = false;
  for (const header of transferEncodings) {
    for (const item of header.rawValue.split(',')) {
      const coding = transferCoding(item);
      if (coding === undefined) {
        verdict.upgrade('Severe', 'BadTransferEncoding');
        continue;
      }
      const chunked = coding === 'chunked';
      if (previousChunked && chunked) verdict.upgrade('Severe', 'MultipleTransferEncodingChunked');
      previousChunked = chunked;
    }
  }
  let length: bigint | undefined;
  for (const header of contentLengths) {
    const value = contentLength(header.rawValue);
    if (value === undefined) verdict.upgrade('Severe', 'BadContentLength');
    else if (length === undefined) length = value;
    else if (length !== value) verdict.upgrade('Severe', 'MultipleContentLength');
    else verdict.upgrade('Ambiguous', 'DuplicateContentLength');
  }
  // A payload within a GET or HEAD request has no defined semantics (RFC 9110 §9.3.1).
  if (method === 'GET' || method === 'HEAD') {
    if (transferEncodings.length > 0) verdict.upgrade('Ambiguous', 'UndefinedTransferEncodingSemantics');
    if (length === 0n) verdict.upgrade('Acceptable', 'GetHeadZeroContentLength');
    else if (length !== undefined) verdict.upgrade('Ambiguous', 'UndefinedContentLengthSemantics');
  }
  if (length !== undefined && transferEncodings.length > 0) verdict.upgrade('Ambiguous', 'BothTeClPresent');
}

function checkVersion(raw: string, version: string, verdict: Verdict): void {
  const trimmed = trimRfcWhitespace(version);
  if (trimmed === 'HTTP/0.9') {
    verdict.upgrade('Acceptable', 'NonCompliantVersion');
    return;
  }
  if (!/^HTTP\/1\.[0-9]$/.test(trimmed)) {
    verdict.upgrade('Severe', 'BadVersion');
  } else if (trimmed.length !== raw.length || trimmed.charCodeAt(7) > 49) {
    // HTTP/1.2 to 1.9, or spaces around the version: harmless, not compliant.
    verdict.upgrade('Acceptable', 'NonCompliantVersion');
  }
}

function checkTarget(target: string, verdict: Verdict): void {
  for (let i = 0; i < target.length; i += 1) {
    const code = target.charCodeAt(i);
    if (code > 32 && code !== 127) continue;
    if (isBad(code)) {
      verdict.upgrade('Severe', 'BadUri');
      return;
    }
    if (code === 32) verdict.upgrade('Acceptable', 'SpaceInUri');
    else verdict.upgrade('Ambiguous', 'AmbiguousUri');
  }
}
