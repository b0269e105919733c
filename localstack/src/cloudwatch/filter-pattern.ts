/**
 * CloudWatch Logs filter patterns, evaluated the way metric filters apply them to log events
 * ("Filter pattern syntax for metric filters, subscription filters, filter log events, and
 * Live Tail" in the CloudWatch Logs user guide). Three kinds, chosen by the first character:
 *
 * - `{ ... }` JSON: conditions on properties of a JSON log event, e.g. `{ $.latency > 500 }`;
 * - `[ ... ]` space-delimited: named fields of a line split on whitespace, with conditions;
 * - anything else: terms and quoted phrases the message must (or must not) contain.
 *
 * Regular expressions (`%...%`) and JSON wildcard selectors (`$.*`, `[*]`) are rejected with
 * an error rather than half-supported.
 */

export type FilterPatternKind = 'unstructured' | 'json' | 'space-delimited';

export interface FilterPattern {
  readonly kind: FilterPatternKind;
  /** The pattern as given. */
  readonly text: string;
  matches(message: string): boolean;
  /**
   * The value `selector` picks from `message` when the message matches: for JSON patterns a
   * JSON value (`$.latency`, `$.users[0].id`), for space-delimited patterns a field's text
   * (`$bytes` by name, `$3` for the third field of the line). Undefined when the message does
   * not match or has nothing there. Throws when the selector cannot apply to this pattern.
   */
  extract(message: string, selector: string): unknown;
}

export class FilterPatternError extends Error {
  override readonly name = 'FilterPatternError';
}

export function compileFilterPattern(pattern: string): FilterPattern {
  const cursor = new Cursor(pattern, 'filter pattern');
  cursor.skipSpace();
  if (cursor.peek() === '{') return compileJsonPattern(cursor);
  if (cursor.peek() === '[') return compileSpaceDelimitedPattern(cursor);
  return compileUnstructuredPattern(cursor);
}

/**
 * The value a metric transformation emits for `message`: its `metricValue` is a number
 * (`1`), a JSON selector (`$.latency`) or a space-delimited field (`$bytes`, `$7`). Undefined
 * when the message does not match or the selected value is not a number.
 */
export function metricValueFor(
  pattern: FilterPattern | string,
  metricValue: string,
  message: string,
): number | undefined {
  const compiled = typeof pattern === 'string' ? compileFilterPattern(pattern) : pattern;
  const expression = metricValue.trim();
  if (NUMBER.test(expression)) return compiled.matches(message) ? Number(expression) : undefined;
  if (!expression.startsWith('$')) {
    throw new Error(
      `Invalid metric value "${metricValue}": expected a number such as "1", a JSON selector such as "$.latency" or a space-delimited field such as "$bytes"`,
    );
  }
  return numberOf(compiled.extract(message, expression));
}

// ---------------------------------------------------------------------------------------------
// Scanning

/** An integer or decimal with an optional sign and exponent, as filter patterns write numbers. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Values written without quotes; anything else has to be quoted. */
const BARE_VALUE = /[A-Za-z0-9_.*+-]+/y;
const BARE_TERM = /^[A-Za-z0-9_]+$/;
const PROPERTY_NAME = /[A-Za-z0-9_-]+/y;
const FIELD_NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const WORD = /[A-Za-z]+/y;
const DIGITS = /\d+/y;
const OPERATOR_CHARACTERS = /[=!<>~]+/y;

const OPERATORS = ['=', '!=', '<', '>', '<=', '>='] as const;
type Operator = (typeof OPERATORS)[number];

class Cursor {
  index = 0;

  constructor(
    readonly text: string,
    private readonly subject: string,
  ) {}

  get atEnd(): boolean {
    return this.index >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text.charAt(this.index + offset);
  }

  startsWith(token: string): boolean {
    return this.text.startsWith(token, this.index);
  }

  skipSpace(): void {
    while (!this.atEnd && /\s/.test(this.peek())) this.index++;
  }

  /** Consumes and returns what `sticky` matches here, or '' when it does not. */
  take(sticky: RegExp): string {
    sticky.lastIndex = this.index;
    const match = sticky.exec(this.text);
    if (!match) return '';
    this.index += match[0].length;
    return match[0];
  }

  fail(problem: string, at = this.index, hint?: string): never {
    const where = at >= this.text.length ? `at the end of the ${this.subject}` : `at position ${at + 1}`;
    throw new FilterPatternError(
      `Invalid ${this.subject} "${this.text}": ${problem} ${where}${hint ? `; ${hint}` : ''}`,
    );
  }
}

/** A double- (or, in selectors, single-) quoted string; `\"` and `\\` stand for `"` and `\`. */
function readQuoted(cursor: Cursor): string {
  const start = cursor.index;
  const quote = cursor.peek();
  cursor.index++;
  let text = '';
  while (!cursor.atEnd) {
    const character = cursor.peek();
    if (character === '\\' && (cursor.peek(1) === quote || cursor.peek(1) === '\\')) {
      text += cursor.peek(1);
      cursor.index += 2;
    } else if (character === quote) {
      cursor.index++;
      return text;
    } else {
      text += character;
      cursor.index++;
    }
  }
  return cursor.fail(`the quoted text starting here is never closed`, start, `add the closing ${quote}`);
}

/** Consumes `close`, or fails: at the opening delimiter when the pattern ends first. */
function expectClosing(cursor: Cursor, close: string, openAt: number, expected: string): void {
  cursor.skipSpace();
  if (cursor.peek() === close) {
    cursor.index++;
    return;
  }
  if (cursor.atEnd) {
    cursor.fail(`unclosed "${cursor.text.charAt(openAt)}"`, openAt, `add the matching "${close}"`);
  }
  cursor.fail(expected);
}

function rejectRegex(cursor: Cursor): void {
  if (cursor.peek() === '%') {
    cursor.fail(
      'regular expressions (%...%) are not supported',
      cursor.index,
      'use a term, a quoted phrase or a value with * wildcards',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Values and comparisons, shared by JSON and space-delimited patterns

interface Literal {
  /** Set when the value is an unquoted number, so that `400` also equals `400.0`. */
  readonly number: number | undefined;
  readonly matchesText: (text: string) => boolean;
}

/**
 * A `*` at the start or end of a value matches any text there (`Update*`, `*.html*`); the
 * guide says a `*` in the middle (`Ev*ent`) only matches itself.
 */
function literalOf(text: string, quoted: boolean): Literal {
  const leading = text.startsWith('*');
  const rest = leading ? text.slice(1) : text;
  const trailing = rest.endsWith('*');
  const core = trailing ? rest.slice(0, -1) : rest;
  const wildcard = leading || trailing;
  const matchesText = (value: string): boolean => {
    if (leading && trailing) return value.includes(core);
    if (leading) return value.endsWith(core);
    if (trailing) return value.startsWith(core);
    return value === core;
  };
  const number = !quoted && !wildcard && NUMBER.test(text) ? Number(text) : undefined;
  return { number, matchesText };
}

function readOperator(cursor: Cursor, expected: string): Operator {
  cursor.skipSpace();
  const at = cursor.index;
  const operator = cursor.take(OPERATOR_CHARACTERS);
  if (!operator) cursor.fail(expected, at);
  if (!(OPERATORS as readonly string[]).includes(operator)) {
    cursor.fail(`unknown operator "${operator}"`, at, `use one of ${OPERATORS.join(' ')}`);
  }
  return operator as Operator;
}

function readLiteral(cursor: Cursor, operator: Operator): Literal {
  cursor.skipSpace();
  const at = cursor.index;
  rejectRegex(cursor);
  const quoted = cursor.peek() === '"';
  const text = quoted ? readQuoted(cursor) : cursor.take(BARE_VALUE);
  if (!quoted && !text) {
    cursor.fail(
      `expected a value after "${operator}"`,
      at,
      cursor.atEnd || /[\s,)\]}]/.test(cursor.peek())
        ? undefined
        : 'put values with characters other than letters, digits and _ . * + - in double quotes',
    );
  }
  const literal = literalOf(text, quoted);
  if (isOrdering(operator) && literal.number === undefined) {
    cursor.fail(`expected a number after "${operator}"`, at);
  }
  return literal;
}

function isOrdering(operator: Operator): boolean {
  return operator !== '=' && operator !== '!=';
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMBER.test(value.trim())) return Number(value);
  return undefined;
}

function holds(actual: string | number, operator: Operator, literal: Literal): boolean {
  if (!isOrdering(operator)) {
    const actualNumber = numberOf(actual);
    const equal =
      literal.number !== undefined && actualNumber !== undefined
        ? actualNumber === literal.number
        : literal.matchesText(String(actual));
    return operator === '=' ? equal : !equal;
  }
  const actualNumber = numberOf(actual);
  const expected = literal.number;
  if (actualNumber === undefined || expected === undefined) return false;
  switch (operator) {
    case '<':
      return actualNumber < expected;
    case '>':
      return actualNumber > expected;
    case '<=':
      return actualNumber <= expected;
    default:
      return actualNumber >= expected;
  }
}

type Predicate<T> = (subject: T) => boolean;

/** `a || b && c`: && binds tighter than ||, as the guide says. */
function parseDisjunction<T>(cursor: Cursor, primary: () => Predicate<T>): Predicate<T> {
  const anyOf = [parseConjunction(cursor, primary)];
  while (skipLogical(cursor, '||')) anyOf.push(parseConjunction(cursor, primary));
  return anyOf.length === 1 ? anyOf[0] : (subject) => anyOf.some((condition) => condition(subject));
}

function parseConjunction<T>(cursor: Cursor, primary: () => Predicate<T>): Predicate<T> {
  const allOf = [primary()];
  while (skipLogical(cursor, '&&')) allOf.push(primary());
  return allOf.length === 1 ? allOf[0] : (subject) => allOf.every((condition) => condition(subject));
}

function skipLogical(cursor: Cursor, token: '&&' | '||'): boolean {
  cursor.skipSpace();
  if (cursor.startsWith(token)) {
    cursor.index += token.length;
    return true;
  }
  const character = cursor.peek();
  if ((character === '&' || character === '|') && cursor.peek(1) !== character) {
    cursor.fail(`unknown operator "${character}"`, cursor.index, 'use "&&" or "||"');
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Unstructured patterns

function compileUnstructuredPattern(cursor: Cursor): FilterPattern {
  const required: string[] = [];
  const excluded: string[] = [];
  const optional: string[] = [];
  for (cursor.skipSpace(); !cursor.atEnd; cursor.skipSpace()) {
    const prefix = cursor.peek() === '-' || cursor.peek() === '?' ? cursor.peek() : '';
    if (prefix) {
      cursor.index++;
      cursor.skipSpace();
    }
    const at = cursor.index;
    rejectRegex(cursor);
    let term: string;
    if (cursor.peek() === '"') {
      term = readQuoted(cursor);
    } else {
      while (!cursor.atEnd && !/\s/.test(cursor.peek())) cursor.index++;
      term = cursor.text.slice(at, cursor.index);
      if (!term) cursor.fail(`expected a term after "${prefix}"`, at);
      if (!BARE_TERM.test(term)) {
        cursor.fail(
          `term "${term}" has characters other than letters, digits and underscores`,
          at,
          'put it in double quotes',
        );
      }
    }
    // The guide's `" "` matches every event: a blank phrase asks for nothing.
    if (term.trim() === '') continue;
    (prefix === '-' ? excluded : prefix === '?' ? optional : required).push(term);
  }
  return {
    kind: 'unstructured',
    text: cursor.text,
    matches(message) {
      const contains = (term: string) => message.includes(term);
      // `?` terms only count in a pattern of nothing but `?` terms; elsewhere AWS ignores them.
      if (required.length === 0 && excluded.length === 0) {
        return optional.length === 0 || optional.some(contains);
      }
      return required.every(contains) && !excluded.some(contains);
    },
    extract(_message, selector) {
      throw new Error(
        `Selector "${selector}" cannot apply to the unstructured filter pattern "${cursor.text}": only JSON and space-delimited patterns have fields, so its metric value must be a number`,
      );
    },
  };
}

// ---------------------------------------------------------------------------------------------
// JSON patterns

type Step = { readonly key: string } | { readonly index: number };

function compileJsonPattern(cursor: Cursor): FilterPattern {
  const open = cursor.index;
  cursor.index++;
  const condition = parseDisjunction(cursor, () => parseJsonCondition(cursor));
  expectClosing(cursor, '}', open, 'expected "&&", "||" or "}"');
  cursor.skipSpace();
  if (!cursor.atEnd) cursor.fail('unexpected text after the closing "}"');
  const text = cursor.text;
  const matchingEvent = (message: string): object | undefined => {
    const event = parseJsonEvent(message);
    return event !== undefined && condition(event) ? event : undefined;
  };
  return {
    kind: 'json',
    text,
    matches: (message) => matchingEvent(message) !== undefined,
    extract(message, selector) {
      if (!selector.trim().startsWith('$.') && !selector.trim().startsWith('$[')) {
        throw new Error(
          `Selector "${selector}" cannot apply to the JSON filter pattern "${text}": JSON selectors start with "$.", such as "$.latency"`,
        );
      }
      const steps = parseWholeSelector(selector);
      const event = matchingEvent(message);
      return event === undefined ? undefined : select(event, steps);
    },
  };
}

/** A JSON object or array on its own: a line with anything around the JSON is not JSON. */
function parseJsonEvent(message: string): object | undefined {
  const trimmed = message.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    const event: unknown = JSON.parse(trimmed);
    return typeof event === 'object' && event !== null ? event : undefined;
  } catch {
    return undefined;
  }
}

function parseJsonCondition(cursor: Cursor): Predicate<object> {
  cursor.skipSpace();
  if (cursor.peek() === '(') {
    const open = cursor.index;
    cursor.index++;
    const inner = parseDisjunction(cursor, () => parseJsonCondition(cursor));
    expectClosing(cursor, ')', open, 'expected "&&", "||" or ")"');
    return inner;
  }
  rejectRegex(cursor);
  const steps = parseSelector(cursor);
  cursor.skipSpace();
  const keywordAt = cursor.index;
  const keyword = cursor.take(WORD).toUpperCase();
  if (keyword === 'IS') {
    cursor.skipSpace();
    const valueAt = cursor.index;
    const value = cursor.take(WORD).toUpperCase();
    if (value === 'NOT') {
      cursor.fail('IS NOT is not supported by CloudWatch Logs', keywordAt, 'use != or NOT EXISTS');
    }
    const expected = ({ TRUE: true, FALSE: false, NULL: null } as const)[value as 'TRUE' | 'FALSE' | 'NULL'];
    if (expected === undefined) cursor.fail('expected TRUE, FALSE or NULL after "IS"', valueAt);
    return (event) => select(event, steps) === expected;
  }
  if (keyword === 'NOT') {
    cursor.skipSpace();
    const existsAt = cursor.index;
    if (cursor.take(WORD).toUpperCase() !== 'EXISTS') cursor.fail('expected EXISTS after "NOT"', existsAt);
    return (event) => select(event, steps) === undefined;
  }
  if (keyword === 'EXISTS') {
    cursor.fail(
      'EXISTS is not supported by CloudWatch Logs',
      keywordAt,
      'use "= *" to match a property with a string or number value',
    );
  }
  if (keyword) {
    cursor.fail(`unknown operator "${keyword}"`, keywordAt, 'use one of = != < > <= >=, IS or NOT EXISTS');
  }
  const operator = readOperator(
    cursor,
    'expected an operator (= != < > <= >=), IS or NOT EXISTS after the selector',
  );
  const literal = readLiteral(cursor, operator);
  return (event) => {
    const value = select(event, steps);
    // Only strings and numbers are "value nodes"; arrays, objects, booleans and null never
    // compare, not even with !=. Numeric operators want a JSON number.
    if (typeof value === 'number') return holds(value, operator, literal);
    if (typeof value === 'string') return !isOrdering(operator) && holds(value, operator, literal);
    return false;
  };
}

/** `$.a.b`, `$.a[0][1]`, `$.['cluster.name']` (for a key with a period in it). */
function parseSelector(cursor: Cursor): Step[] {
  if (cursor.peek() !== '$') cursor.fail('expected a selector such as "$.level"');
  cursor.index++;
  const steps: Step[] = [];
  for (;;) {
    if (cursor.peek() === '.') {
      cursor.index++;
      if (cursor.peek() === '[') {
        steps.push(readBracketStep(cursor));
        continue;
      }
      rejectWildcardSelector(cursor);
      const key = cursor.take(PROPERTY_NAME);
      if (!key) cursor.fail('expected a property name after "."');
      steps.push({ key });
    } else if (cursor.peek() === '[') {
      steps.push(readBracketStep(cursor));
    } else {
      break;
    }
  }
  if (steps.length === 0) cursor.fail('expected a property after "$", such as "$.level"');
  return steps;
}

function readBracketStep(cursor: Cursor): Step {
  const open = cursor.index;
  cursor.index++;
  rejectWildcardSelector(cursor);
  let step: Step;
  if (cursor.peek() === '"' || cursor.peek() === "'") {
    step = { key: readQuoted(cursor) };
  } else {
    const digits = cursor.take(DIGITS);
    if (!digits) cursor.fail('expected an array index or a quoted property name after "["');
    step = { index: Number(digits) };
  }
  expectClosing(cursor, ']', open, 'expected "]"');
  return step;
}

function rejectWildcardSelector(cursor: Cursor): void {
  if (cursor.peek() === '*') {
    cursor.fail('wildcard selectors are not supported', cursor.index, 'select a property or an array index');
  }
}

function parseWholeSelector(selector: string): Step[] {
  const cursor = new Cursor(selector, 'selector');
  cursor.skipSpace();
  const steps = parseSelector(cursor);
  cursor.skipSpace();
  if (!cursor.atEnd) cursor.fail('unexpected text after the selector');
  return steps;
}

/** The value at `steps`, or undefined when there is none (JSON itself has no undefined). */
function select(event: unknown, steps: readonly Step[]): unknown {
  let node = event;
  for (const step of steps) {
    if ('index' in step) {
      if (!Array.isArray(node) || step.index >= node.length) return undefined;
      node = node[step.index];
    } else {
      if (
        typeof node !== 'object' ||
        node === null ||
        Array.isArray(node) ||
        !Object.hasOwn(node, step.key)
      ) {
        return undefined;
      }
      node = (node as Record<string, unknown>)[step.key];
    }
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// Space-delimited patterns

type Element = { readonly kind: 'ellipsis' } | { readonly kind: 'field'; readonly name: string };
type Fields = ReadonlyMap<string, string>;

function compileSpaceDelimitedPattern(cursor: Cursor): FilterPattern {
  const open = cursor.index;
  cursor.index++;
  const elements: Element[] = [];
  const conditions: Predicate<Fields>[] = [];
  const references: { name: string; at: number }[] = [];
  for (;;) {
    cursor.skipSpace();
    const at = cursor.index;
    if (cursor.startsWith('...')) {
      cursor.index += 3;
      elements.push({ kind: 'ellipsis' });
    } else {
      const name = cursor.take(FIELD_NAME);
      if (!name) cursor.fail('expected a field name or "..."', at);
      if (elements.some((element) => element.kind === 'field' && element.name === name)) {
        cursor.fail(`field "${name}" is declared twice`, at);
      }
      elements.push({ kind: 'field', name });
      cursor.skipSpace();
      if (!cursor.atEnd && cursor.peek() !== ',' && cursor.peek() !== ']') {
        conditions.push(parseFieldCondition(cursor, { name, at }, references));
      }
    }
    cursor.skipSpace();
    if (cursor.peek() !== ',') break;
    cursor.index++;
  }
  expectClosing(cursor, ']', open, 'expected "," or "]"');
  cursor.skipSpace();
  if (!cursor.atEnd) cursor.fail('unexpected text after the closing "]"');
  const names = new Set(elements.flatMap((element) => (element.kind === 'field' ? [element.name] : [])));
  for (const reference of references) {
    if (!names.has(reference.name)) {
      cursor.fail(`condition on "${reference.name}", which is not a field of this pattern`, reference.at);
    }
  }

  const text = cursor.text;
  const matchingFields = (message: string): Fields | undefined => {
    for (const fields of alignments(elements, splitFields(message), message)) {
      if (conditions.every((condition) => condition(fields))) return fields;
    }
    return undefined;
  };
  return {
    kind: 'space-delimited',
    text,
    matches: (message) => matchingFields(message) !== undefined,
    extract(message, selector) {
      const name = /^\s*\$([A-Za-z0-9_]+)\s*$/.exec(selector)?.[1];
      const position = name !== undefined && /^\d+$/.test(name) ? Number(name) : undefined;
      if (name === undefined || (position === undefined && !names.has(name))) {
        throw new Error(
          `Selector "${selector}" cannot apply to the space-delimited filter pattern "${text}": use $ and one of its fields (${[...names].map((field) => `$${field}`).join(', ')}) or a field number such as $1`,
        );
      }
      const fields = matchingFields(message);
      if (fields === undefined) return undefined;
      return position === undefined ? fields.get(name) : splitFields(message)[position - 1]?.text;
    },
  };
}

/** `status_code = 4* && status_code != 403`: the field's own name comes first. */
function parseFieldCondition(
  cursor: Cursor,
  field: { name: string; at: number },
  references: { name: string; at: number }[],
): Predicate<Fields> {
  let ownName: { name: string; at: number } | undefined = field;
  const comparison = (): Predicate<Fields> => {
    cursor.skipSpace();
    const at = cursor.index;
    const reference = ownName ?? { name: cursor.take(FIELD_NAME), at };
    ownName = undefined;
    if (!reference.name) cursor.fail('expected a field name', at);
    references.push(reference);
    const operator = readOperator(cursor, `expected an operator (= != < > <= >=) after "${reference.name}"`);
    const literal = readLiteral(cursor, operator);
    return (fields) => {
      const value = fields.get(reference.name);
      return value !== undefined && holds(value, operator, literal);
    };
  };
  return parseDisjunction(cursor, comparison);
}

interface LineField {
  readonly text: string;
  readonly start: number;
}

/** Whitespace-separated fields; text between "" or [] is one field, without its delimiters. */
function splitFields(message: string): LineField[] {
  const fields: LineField[] = [];
  let index = 0;
  while (index < message.length) {
    if (/\s/.test(message.charAt(index))) {
      index++;
      continue;
    }
    const start = index;
    const close = message.charAt(index) === '"' ? '"' : message.charAt(index) === '[' ? ']' : undefined;
    const end = close === undefined ? -1 : message.indexOf(close, index + 1);
    if (end !== -1) {
      fields.push({ text: message.slice(start + 1, end), start });
      index = end + 1;
      continue;
    }
    while (index < message.length && !/\s/.test(message.charAt(index))) index++;
    fields.push({ text: message.slice(start, index), start });
  }
  return fields;
}

/**
 * Every way the pattern's elements line up with the line's fields. Without "...", the last
 * element takes the rest of the line (the guide's `[w1=ERROR, w2]` matches "ERROR Failed to
 * process request"); each "..." takes any number of fields, as many as possible first.
 */
function* alignments(
  elements: readonly Element[],
  line: readonly LineField[],
  message: string,
): Generator<Fields> {
  const names = elements.flatMap((element) => (element.kind === 'field' ? [element.name] : []));
  if (names.length === elements.length) {
    if (line.length < names.length) return;
    const fields = new Map(names.map((name, index) => [name, line[index].text]));
    const last = names.length - 1;
    if (line.length > names.length) fields.set(names[last], message.slice(line[last].start).trimEnd());
    yield fields;
    return;
  }
  const bound: [string, string][] = [];
  function* align(element: number, field: number, fieldsLeft: number): Generator<Fields> {
    if (element === elements.length) {
      if (field === line.length) yield new Map(bound);
      return;
    }
    const current = elements[element];
    if (current.kind === 'ellipsis') {
      for (let next = line.length - fieldsLeft; next >= field; next--) {
        yield* align(element + 1, next, fieldsLeft);
      }
      return;
    }
    if (field === line.length) return;
    bound.push([current.name, line[field].text]);
    yield* align(element + 1, field + 1, fieldsLeft - 1);
    bound.pop();
  }
  yield* align(0, 0, names.length);
}
