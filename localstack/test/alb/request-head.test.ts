/**
 * The classification of http_desync_guardian (AWS's library behind ALB's desync mitigation), one
 * case or more for each reason its docs/README.md lists, written here from those rules.
 */
import { type ClassificationReason, classifyRequestHead, type DesyncTier } from '../../src/alb/request-head';

const head = (requestLine: string, ...headers: string[]) =>
  `${requestLine}\r\n${headers.map((header) => `${header}\r\n`).join('')}\r\n`;

describe('classifyRequestHead', () => {
  it.each<[string, string, DesyncTier, ClassificationReason]>([
    // Compliant
    ['a plain GET', head('GET /index.html HTTP/1.1', 'Host: example.com'), 'Compliant', 'Compliant'],
    [
      'a POST with a body length',
      head('POST /sum HTTP/1.1', 'Host: a', 'Content-Length: 10'),
      'Compliant',
      'Compliant',
    ],
    [
      'a chunked POST',
      head('POST /sum HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'),
      'Compliant',
      'Compliant',
    ],
    [
      'a chunk extension in the coding',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked;ext=1'),
      'Compliant',
      'Compliant',
    ],
    ['UTF-8 in the path', head('GET /caf\xc3\xa9 HTTP/1.1', 'Host: a'), 'Compliant', 'Compliant'],
    ['HTTP/1.0', head('GET / HTTP/1.0'), 'Compliant', 'Compliant'],
    [
      'codings the library knows, chunked last',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: gzip, chunked'),
      'Compliant',
      'Compliant',
    ],
    ['HTTP/2, which it leaves alone', head('GET / HTTP/2.0', 'Content-Length: x'), 'Compliant', 'Compliant'],
    // Acceptable
    [
      'a control character in a header value',
      head('GET / HTTP/1.1', 'Host: a', 'X-Note: a\x01b'),
      'Acceptable',
      'NonCompliantHeader',
    ],
    [
      'a non-token character in a header name',
      head('GET / HTTP/1.1', 'Host: a', 'X(Note): 1'),
      'Acceptable',
      'NonCompliantHeader',
    ],
    [
      'DEL in a header value',
      head('GET / HTTP/1.1', 'Host: a', 'X-Note: \x7f'),
      'Acceptable',
      'NonCompliantHeader',
    ],
    ['a space in the URI', head('GET /a b HTTP/1.1', 'Host: a'), 'Acceptable', 'SpaceInUri'],
    ['HTTP/1.2', head('GET / HTTP/1.2', 'Host: a'), 'Acceptable', 'NonCompliantVersion'],
    ['a space after the version', head('GET / HTTP/1.1 ', 'Host: a'), 'Acceptable', 'NonCompliantVersion'],
    ['no version (HTTP/0.9)', 'GET /\r\n\r\n', 'Acceptable', 'NonCompliantVersion'],
    [
      'GET with Content-Length: 0',
      head('GET / HTTP/1.1', 'Host: a', 'Content-Length: 0'),
      'Acceptable',
      'GetHeadZeroContentLength',
    ],
    ['bare LF line ends', 'GET / HTTP/1.1\nHost: a\n\n', 'Acceptable', 'NonCrLfLineTermination'],
    // Ambiguous
    ['an empty header name', head('GET / HTTP/1.1', 'Host: a', ': value'), 'Ambiguous', 'EmptyHeader'],
    ['a tab in the URI', head('GET /a\tb HTTP/1.1', 'Host: a'), 'Ambiguous', 'AmbiguousUri'],
    ['a control character in the URI', head('GET /a\x01 HTTP/1.1', 'Host: a'), 'Ambiguous', 'AmbiguousUri'],
    [
      'GET with a body length',
      head('GET / HTTP/1.1', 'Host: a', 'Content-Length: 5'),
      'Ambiguous',
      'UndefinedContentLengthSemantics',
    ],
    [
      'HEAD with a transfer coding',
      head('HEAD / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'),
      'Ambiguous',
      'UndefinedTransferEncodingSemantics',
    ],
    [
      'Transfer-Encoding in HTTP/1.0',
      head('POST / HTTP/1.0', 'Transfer-Encoding: chunked'),
      'Ambiguous',
      'UndefinedTransferEncodingSemantics',
    ],
    [
      'two equal Content-Length headers',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 3', 'Content-Length: 3'),
      'Ambiguous',
      'DuplicateContentLength',
    ],
    [
      'Transfer-Encoding and Content-Length',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 3', 'Transfer-Encoding: chunked'),
      'Ambiguous',
      'BothTeClPresent',
    ],
    [
      'a space before the colon of Transfer-Encoding',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding : chunked'),
      'Ambiguous',
      'SuspiciousHeader',
    ],
    [
      'Transfer_Encoding',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer_Encoding: chunked'),
      'Ambiguous',
      'SuspiciousHeader',
    ],
    [
      'a dotless i in Transfer-Encoding',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encod\xc4\xb1ng: chunked'),
      'Ambiguous',
      'SuspiciousHeader',
    ],
    [
      'a long s in Transfer-Encoding',
      head('POST / HTTP/1.1', 'Host: a', 'Tran\xc5\xbffer-Encoding: chunked'),
      'Ambiguous',
      'SuspiciousHeader',
    ],
    [
      'a header line that starts with a space',
      head('GET / HTTP/1.1', '  Host: a'),
      'Ambiguous',
      'MultilineHeader',
    ],
    [
      'Content_Length',
      head('POST / HTTP/1.1', 'Host: a', 'Content_Length: 1'),
      'Ambiguous',
      'SuspiciousHeader',
    ],
    [
      'a folded header line',
      head('GET / HTTP/1.1', 'Host: a', 'X-Note: a', ' b'),
      'Ambiguous',
      'MultilineHeader',
    ],
    [
      'a folded line that looks like Content-Length',
      head('POST / HTTP/1.1', 'Host: a', 'X-Note: a', ' Content-Length: 5'),
      'Ambiguous',
      'MultilineHeader',
    ],
    [
      'a header line without a colon',
      head('GET / HTTP/1.1', 'Host: a', 'Garbage'),
      'Ambiguous',
      'MissingHeaderColon',
    ],
    ['a request line without a URI', head('GET HTTP/1.1', 'Host: a'), 'Ambiguous', 'MissingUri'],
    ['a request line of a method only', head('GET', 'Host: a'), 'Ambiguous', 'MissingUri'],
    // Severe
    ['NUL in a header value', head('GET / HTTP/1.1', 'Host: a', 'X-Note: a\x00b'), 'Severe', 'BadHeader'],
    ['CR inside a header value', head('GET / HTTP/1.1', 'Host: a', 'X-Note: a\rb'), 'Severe', 'BadHeader'],
    ['NUL in the URI', head('GET /a\x00 HTTP/1.1', 'Host: a'), 'Severe', 'BadUri'],
    ['a malformed version', head('GET / HTTP/1.10', 'Host: a'), 'Severe', 'BadVersion'],
    ['a version that is not HTTP', head('GET / ZZZ', 'Host: a'), 'Severe', 'BadVersion'],
    [
      'two different Content-Length headers',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 3', 'Content-Length: 4'),
      'Severe',
      'MultipleContentLength',
    ],
    [
      'a list in Content-Length',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 3, 3'),
      'Severe',
      'BadContentLength',
    ],
    [
      'a negative Content-Length',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: -1'),
      'Severe',
      'BadContentLength',
    ],
    [
      'a Content-Length past 64 bits',
      head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 18446744073709551616'),
      'Severe',
      'BadContentLength',
    ],
    [
      'chunked twice in a row',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked, chunked'),
      'Severe',
      'MultipleTransferEncodingChunked',
    ],
    [
      'chunked in two headers',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'),
      'Severe',
      'MultipleTransferEncodingChunked',
    ],
    [
      'an unknown transfer coding',
      head('POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: xchunked'),
      'Severe',
      'BadTransferEncoding',
    ],
    ['a malformed method', head('G(ET / HTTP/1.1', 'Host: a'), 'Severe', 'BadMethod'],
  ])('%s: %s, %s', (_case, text, tier, reason) => {
    expect(classifyRequestHead(text)).toMatchObject({ tier, reason });
  });

  it('reports the first reason found at the highest tier', () => {
    const result = classifyRequestHead(
      head('GET /a b HTTP/1.2', 'Host: a', 'X: \x01', 'Content-Length: 1', 'Content-Length: 1'),
    );
    // Content-Length is checked before what GET makes of it.
    expect(result).toMatchObject({ tier: 'Ambiguous', reason: 'DuplicateContentLength' });
  });

  it('parses what it classifies: method, target, version and trimmed field values', () => {
    const { head: parsed } = classifyRequestHead(
      head('POST /a?b=1 HTTP/1.1', 'Host:  example.com ', 'X-Empty:'),
    );
    expect(parsed).toEqual({
      method: 'POST',
      target: '/a?b=1',
      version: 'HTTP/1.1',
      headers: [
        { name: 'Host', value: 'example.com' },
        { name: 'X-Empty', value: '' },
      ],
    });
    expect(classifyRequestHead('GET /\r\n\r\n').head).toMatchObject({
      method: 'GET',
      target: '/',
      version: '',
    });
  });
});
