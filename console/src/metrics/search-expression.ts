/**
 * CloudWatch's SEARCH expressions, evaluated against ListMetrics as CloudWatch evaluates them
 * (CloudWatch User Guide, "CloudWatch search expression syntax"): a metric schema
 * `{Namespace,DimensionName,...}`, then search terms matched by token (partial) or whole
 * (exact, in double quotes), with `Property=` designators and AND, OR, NOT and parentheses.
 */
import type { Metric } from '@aws-sdk/client-cloudwatch';

export class SearchExpressionError extends Error {
  override name = 'SearchExpressionError';
}

/** A term of the search, as a tree. */
export type SearchTerm =
  | { readonly kind: 'and' | 'or'; readonly left: SearchTerm; readonly right: SearchTerm }
  | { readonly kind: 'not'; readonly term: SearchTerm }
  | {
      readonly kind: 'match';
      /** `MetricName`, `Namespace` or a dimension name; any of the metric's strings when absent. */
      readonly property?: string;
      readonly text: string;
      readonly exact: boolean;
    };

export interface SearchExpression {
  readonly schema?: { readonly namespace: string; readonly dimensionNames: readonly string[] };
  readonly term?: SearchTerm;
  readonly statistic: string;
  /** Seconds; the graph's period when the expression gives none. */
  readonly period?: number;
}

const SEARCH_CALL = /^\s*SEARCH\(\s*'((?:[^'\\]|\\.)*)'\s*,\s*'([^']+)'\s*(?:,\s*(\d+)\s*)?\)\s*$/;

/** Whether a metric expression is a SEARCH, which this evaluates; other math is not. */
export const isSearchExpression = (expression: string): boolean => /^\s*SEARCH\(/.test(expression);

export function parseSearchExpression(expression: string): SearchExpression {
  const call = SEARCH_CALL.exec(expression);
  if (!call) {
    throw new SearchExpressionError(
      `not a search expression: ${expression} (expected SEARCH(' {Namespace,Dimension} terms ', 'Statistic', period))`,
    );
  }
  const [, query, statistic, period] = call;
  let rest = query.trim();
  let schema: SearchExpression['schema'];
  if (rest.startsWith('{')) {
    const end = rest.indexOf('}');
    if (end < 0) throw new SearchExpressionError(`the metric schema of ${expression} has no closing brace`);
    const [namespace, ...dimensionNames] = splitSchema(rest.slice(1, end));
    if (!namespace) throw new SearchExpressionError(`the metric schema of ${expression} names no namespace`);
    schema = { namespace, dimensionNames };
    // The guide writes both `{...} terms` and `{...}, terms`.
    rest = rest.slice(end + 1).replace(/^\s*,/, '');
  }
  const tokens = lex(rest, expression);
  const term = tokens.length > 0 ? new TermParser(tokens, expression).parse() : undefined;
  if (!schema && !term)
    throw new SearchExpressionError(`${expression} has neither a metric schema nor a search term`);
  return { schema, term, statistic, period: period === undefined ? undefined : Number(period) };
}

/** Whether ListMetrics' metric is one the search finds. */
export function searchFinds(search: SearchExpression, metric: Metric): boolean {
  const dimensions = metric.Dimensions ?? [];
  if (search.schema) {
    if (metric.Namespace !== search.schema.namespace) return false;
    // A schema names the metric's dimensions exactly: `{AWS/EC2,InstanceType}` graphs the
    // per-type aggregates, not the per-instance metrics (search expression examples).
    const names = dimensions.map(({ Name }) => Name ?? '').sort();
    const wanted = [...search.schema.dimensionNames].sort();
    if (names.length !== wanted.length || names.some((name, i) => name !== wanted[i])) return false;
  }
  return search.term === undefined || termFinds(search.term, metric);
}

function termFinds(term: SearchTerm, metric: Metric): boolean {
  switch (term.kind) {
    case 'and':
      return termFinds(term.left, metric) && termFinds(term.right, metric);
    case 'or':
      return termFinds(term.left, metric) || termFinds(term.right, metric);
    case 'not':
      return !termFinds(term.term, metric);
    case 'match': {
      const strings = propertyStrings(metric, term.property);
      return strings.some((value) =>
        term.exact ? exactMatch(term.text, value) : partialMatch(term.text, value),
      );
    }
  }
}

/** The strings a term is matched against: one property's, or every name and value of the metric. */
function propertyStrings(metric: Metric, property: string | undefined): string[] {
  const dimensions = metric.Dimensions ?? [];
  if (property === 'MetricName') return [metric.MetricName ?? ''];
  if (property === 'Namespace') return [metric.Namespace ?? ''];
  if (property !== undefined)
    return dimensions.filter(({ Name }) => Name === property).map(({ Value }) => Value ?? '');
  return [
    metric.Namespace ?? '',
    metric.MetricName ?? '',
    ...dimensions.flatMap(({ Name, Value }) => [Name ?? '', Value ?? '']),
  ];
}

/**
 * An exact term is the whole string. Where the guide is silent, a dimension value made of
 * slash-separated parts (`app/<name>/<id>`, ELB's full names) is also matched by any whole
 * run of its parts, so that `"<name>"` finds its load balancer (docs/emulators.md).
 */
function exactMatch(text: string, value: string): boolean {
  if (value === text) return true;
  const parts = value.split('/');
  for (let start = 0; start < parts.length; start++) {
    for (let end = start + 1; end <= parts.length; end++) {
      if ((start > 0 || end < parts.length) && parts.slice(start, end).join('/') === text) return true;
    }
  }
  return false;
}

/**
 * The tokens of a name: its parts between non-alphanumeric characters, each split where a
 * capital follows a small letter, before the last capital of a run followed by a small letter,
 * and where digits begin (`SDBFailure` -> `SDB`, `Failure`; `Project2-trial333` -> `Project`,
 * `2`, `trial`, `333`), in their original case.
 */
export function subTokens(text: string): string[][] {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? []);
}

/**
 * The guide's tokens of a string, lowercase: the whole string without its delimiters, and each
 * piece (`CustomCount1` -> `customcount1`, `custom`, `count`, `1`).
 */
export function searchTokens(text: string): string[] {
  const parts = subTokens(text);
  const pieces = parts.flat();
  if (pieces.length === 0) return [];
  return [...new Set([pieces.join(''), ...pieces].map((token) => token.toLowerCase()))];
}

/**
 * A partial match: one token of the term equal to one of the string's, case-insensitively; or
 * a composite of consecutive pieces, case-sensitively within a part (`CustomCount` and `Count1`
 * find `CustomCount1`; `customcount` and `count1` do not) and across delimiters in any case
 * (`network/errors` finds `Network-Errors-2`).
 */
function partialMatch(text: string, value: string): boolean {
  const termParts = subTokens(text);
  const termPieces = termParts.flat();
  if (termPieces.length === 0) return false;
  if (termPieces.length === 1) return searchTokens(value).includes(termPieces[0].toLowerCase());
  const pieces = subTokens(value).flat();
  const wanted = termParts.flatMap((part) =>
    part.map((piece) => ({ piece, caseSensitive: part.length > 1 })),
  );
  for (let start = 0; start + wanted.length <= pieces.length; start++) {
    if (
      wanted.every(({ piece, caseSensitive }, i) =>
        caseSensitive ? pieces[start + i] === piece : pieces[start + i].toLowerCase() === piece.toLowerCase(),
      )
    )
      return true;
  }
  return false;
}

type Token =
  | { readonly kind: 'word' | 'quoted'; readonly text: string }
  | { readonly kind: 'designator'; readonly property: string; readonly text: string; readonly exact: boolean }
  | { readonly kind: '(' | ')' | 'AND' | 'OR' | 'NOT' };

function splitSchema(schema: string): string[] {
  const names: string[] = [];
  for (const [, quoted, bare] of schema.matchAll(/\s*(?:"((?:[^"\\]|\\.)*)"|([^,]+?))\s*(?:,|$)/g)) {
    const name = quoted !== undefined ? unescaped(quoted) : bare;
    if (name) names.push(name);
  }
  return names;
}

const unescaped = (text: string) => text.replace(/\\(.)/g, '$1');

function lex(text: string, expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_.:/-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s()"]+))|([^\s()"]+))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    pattern.lastIndex = at;
    const m = pattern.exec(text);
    if (!m)
      throw new SearchExpressionError(`cannot read the search term of ${expression} at "${text.slice(at)}"`);
    at = pattern.lastIndex;
    const [, open, close, quoted, property, quotedValue, bareValue, word] = m;
    if (open) tokens.push({ kind: '(' });
    else if (close) tokens.push({ kind: ')' });
    else if (quoted !== undefined) tokens.push({ kind: 'quoted', text: unescaped(quoted) });
    else if (property !== undefined)
      tokens.push({
        kind: 'designator',
        property,
        text: quotedValue !== undefined ? unescaped(quotedValue) : bareValue,
        exact: quotedValue !== undefined,
      });
    else if (word === 'AND' || word === 'OR' || word === 'NOT') tokens.push({ kind: word });
    else tokens.push({ kind: 'word', text: word });
  }
  return tokens;
}

/** OR binds loosest, then AND (also implied between terms), then NOT. */
class TermParser {
  private at = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly expression: string,
  ) {}

  parse(): SearchTerm {
    const term = this.or();
    if (this.at < this.tokens.length) this.fail(`unexpected ${this.tokens[this.at].kind}`);
    return term;
  }

  private or(): SearchTerm {
    let left = this.and();
    while (this.peek() === 'OR') {
      this.at++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): SearchTerm {
    let left = this.not();
    while (this.at < this.tokens.length && this.peek() !== 'OR' && this.peek() !== ')') {
      if (this.peek() === 'AND') this.at++;
      left = { kind: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): SearchTerm {
    if (this.peek() === 'NOT') {
      this.at++;
      return { kind: 'not', term: this.not() };
    }
    return this.primary();
  }

  private primary(): SearchTerm {
    const token = this.tokens[this.at++];
    if (!token) return this.fail('the search term ends too early');
    switch (token.kind) {
      case '(': {
        const term = this.or();
        if (this.tokens[this.at++]?.kind !== ')') this.fail('a parenthesis is not closed');
        return term;
      }
      case 'word':
        return { kind: 'match', text: token.text, exact: false };
      case 'quoted':
        return { kind: 'match', text: token.text, exact: true };
      case 'designator':
        return { kind: 'match', property: token.property, text: token.text, exact: token.exact };
      default:
        return this.fail(`unexpected ${token.kind}`);
    }
  }

  private peek(): Token['kind'] | undefined {
    return this.tokens[this.at]?.kind;
  }

  private fail(message: string): never {
    throw new SearchExpressionError(`${message} in ${this.expression}`);
  }
}
