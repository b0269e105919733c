/**
 * The part of CloudWatch Logs Insights' query language that the dashboard's log widgets use,
 * run over the events FilterLogEvents returns (CloudWatch Logs User Guide, "Query syntax"):
 * `fields`, `filter` (comparisons, `in`, `like`, `and`, `or`, `not`), `stats` with `count`,
 * `sum`, `avg`, `min` and `max` grouped `by` fields, `sort` and `limit`. Any other command or
 * function is refused as not supported locally, so that its widget says so.
 */

export class InsightsQueryError extends Error {
  override name = 'InsightsQueryError';
}

/** A query the language allows, which this subset does not run. */
export class QueryNotSupportedError extends InsightsQueryError {
  override name = 'QueryNotSupportedError';
}

export const SUPPORTED_COMMANDS = ['fields', 'filter', 'stats', 'sort', 'limit'] as const;
const AGGREGATES = ['count', 'sum', 'avg', 'min', 'max'] as const;
type Aggregate = (typeof AGGREGATES)[number];

/** Insights returns at most this many rows without a `limit` ("limit"). */
export const DEFAULT_LIMIT = 10_000;

type Value = string | number | undefined;
export type LogRecord = Readonly<Record<string, Value>>;

export type Condition =
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly condition: Condition }
  | {
      readonly kind: 'compare';
      readonly op: '=' | '!=' | '<' | '<=' | '>' | '>=';
      readonly left: Operand;
      readonly right: Operand;
    }
  | { readonly kind: 'in'; readonly operand: Operand; readonly list: readonly Operand[] }
  | { readonly kind: 'like'; readonly operand: Operand; readonly pattern: RegExp }
  | { readonly kind: 'truthy'; readonly operand: Operand };

type Operand = { readonly field: string } | { readonly literal: string | number };

export type Command =
  | { readonly kind: 'fields'; readonly fields: readonly string[] }
  | { readonly kind: 'filter'; readonly condition: Condition }
  | {
      readonly kind: 'stats';
      readonly aggregates: readonly {
        readonly fn: Aggregate;
        readonly field?: string;
        readonly as: string;
      }[];
      readonly by: readonly string[];
    }
  | {
      readonly kind: 'sort';
      readonly keys: readonly { readonly field: string; readonly descending: boolean }[];
    }
  | { readonly kind: 'limit'; readonly count: number };

export interface InsightsQuery {
  /** From the dashboard's `SOURCE '<group>' |` prefix. */
  readonly logGroupNames: readonly string[];
  readonly commands: readonly Command[];
}

export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly LogRecord[];
}

export function parseInsightsQuery(query: string): InsightsQuery {
  const stages = splitStages(query);
  const logGroupNames: string[] = [];
  while (stages.length > 0 && /^SOURCE\s/i.test(stages[0])) {
    const source = /^SOURCE\s+(?:'([^']*)'|"([^"]*)"|(\S+))\s*$/i.exec(stages.shift() as string);
    if (!source) throw new InsightsQueryError(`cannot read the SOURCE of: ${query}`);
    logGroupNames.push(source[1] ?? source[2] ?? source[3]);
  }
  return { logGroupNames, commands: stages.map(parseCommand) };
}

/** The fields Insights discovers in an event: the @-fields, and a JSON message's keys, flattened with dots. */
export function recordOf(event: {
  readonly timestamp?: number;
  readonly message?: string;
  readonly logStreamName?: string;
  readonly logGroupName?: string;
}): LogRecord {
  const record: Record<string, Value> = {
    '@timestamp': event.timestamp,
    '@message': event.message,
    '@logStream': event.logStreamName,
    '@log': event.logGroupName,
  };
  const message = event.message?.trim() ?? '';
  if (message.startsWith('{')) {
    try {
      flatten(JSON.parse(message), '', record);
    } catch {
      // Not JSON after all: Insights leaves such a message to @message.
    }
  } else {
    Object.assign(record, flowLogFields(message));
  }
  return record;
}

/** Runs the commands in order over the events' records, as Insights pipes them. */
export function runInsightsQuery(query: InsightsQuery, records: readonly LogRecord[]): QueryResult {
  let rows: LogRecord[] = [...records];
  let columns: string[] = ['@timestamp', '@message'];
  let limit = DEFAULT_LIMIT;
  for (const command of query.commands) {
    switch (command.kind) {
      case 'fields':
        columns = [...command.fields];
        break;
      case 'filter':
        rows = rows.filter((row) => holds(command.condition, row));
        break;
      case 'stats':
        rows = aggregate(command, rows);
        columns = [...command.by, ...command.aggregates.map(({ as }) => as)];
        break;
      case 'sort':
        rows = [...rows].sort((a, b) => {
          for (const { field, descending } of command.keys) {
            const order = naturalCompare(a[field], b[field]);
            if (order !== 0) return descending ? -order : order;
          }
          return 0;
        });
        break;
      case 'limit':
        limit = command.count;
        rows = rows.slice(0, limit);
        break;
    }
  }
  return {
    columns,
    rows: rows.slice(0, limit).map((row) => Object.fromEntries(columns.map((c) => [c, row[c]]))),
  };
}

/** VPC flow logs' default format, under the names Insights discovers for it. */
const FLOW_LOG_FIELDS = [
  'version',
  'accountId',
  'interfaceId',
  'srcAddr',
  'dstAddr',
  'srcPort',
  'dstPort',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'logStatus',
];

function flowLogFields(message: string): Record<string, Value> {
  const values = message.split(/\s+/);
  if (
    values.length !== FLOW_LOG_FIELDS.length ||
    !/^\d+$/.test(values[0]) ||
    !/^(ACCEPT|REJECT|-)$/.test(values[12])
  )
    return {};
  return Object.fromEntries(FLOW_LOG_FIELDS.map((name, i) => [name, asValue(values[i])]));
}

function flatten(value: unknown, prefix: string, into: Record<string, Value>): void {
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else if (prefix) {
    into[prefix] =
      typeof value === 'number' ? value : value === null || value === undefined ? undefined : String(value);
  }
}

const asValue = (text: string): Value => (/^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text);

function aggregate(command: Extract<Command, { kind: 'stats' }>, rows: readonly LogRecord[]): LogRecord[] {
  const groups = new Map<string, LogRecord[]>();
  for (const row of rows) {
    const key = JSON.stringify(command.by.map((field) => row[field] ?? null));
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()].map((group) => {
    const result: Record<string, Value> = Object.fromEntries(
      command.by.map((field) => [field, group[0][field]]),
    );
    for (const { fn, field, as } of command.aggregates) {
      const present = field === undefined ? group : group.filter((row) => row[field] !== undefined);
      const numbers =
        field === undefined ? [] : present.map((row) => Number(row[field])).filter(Number.isFinite);
      result[as] =
        fn === 'count'
          ? present.length
          : numbers.length === 0
            ? undefined
            : fn === 'sum'
              ? numbers.reduce((a, b) => a + b, 0)
              : fn === 'avg'
                ? numbers.reduce((a, b) => a + b, 0) / numbers.length
                : fn === 'min'
                  ? Math.min(...numbers)
                  : Math.max(...numbers);
    }
    return result;
  });
}

function holds(condition: Condition, row: LogRecord): boolean {
  switch (condition.kind) {
    case 'and':
      return holds(condition.left, row) && holds(condition.right, row);
    case 'or':
      return holds(condition.left, row) || holds(condition.right, row);
    case 'not':
      return !holds(condition.condition, row);
    case 'truthy':
      return operandValue(condition.operand, row) !== undefined;
    case 'in': {
      const value = operandValue(condition.operand, row);
      return condition.list.some((item) => equal(value, operandValue(item, row)));
    }
    case 'like': {
      const value = operandValue(condition.operand, row);
      return value !== undefined && condition.pattern.test(String(value));
    }
    case 'compare': {
      const left = operandValue(condition.left, row);
      const right = operandValue(condition.right, row);
      if (condition.op === '=') return equal(left, right);
      if (condition.op === '!=') return left !== undefined && !equal(left, right);
      if (left === undefined || right === undefined) return false;
      const order = bothNumbers(left, right)
        ? Number(left) - Number(right)
        : String(left).localeCompare(String(right));
      return condition.op === '<'
        ? order < 0
        : condition.op === '<='
          ? order <= 0
          : condition.op === '>'
            ? order > 0
            : order >= 0;
    }
  }
}

const operandValue = (operand: Operand, row: LogRecord): Value =>
  'field' in operand ? row[operand.field] : operand.literal;
const bothNumbers = (a: Value, b: Value) =>
  a !== '' && b !== '' && Number.isFinite(Number(a)) && Number.isFinite(Number(b));
const equal = (a: Value, b: Value) =>
  a !== undefined &&
  b !== undefined &&
  (bothNumbers(a, b) ? Number(a) === Number(b) : String(a) === String(b));

/**
 * Insights' sort: every non-number before every number; numbers by value; other strings by
 * chunks of letters (by code point) and of digits (by length, then value) ("sort").
 */
export function naturalCompare(a: Value, b: Value): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  const aNumber = typeof a === 'number' || /^\d+$/.test(a);
  const bNumber = typeof b === 'number' || /^\d+$/.test(b);
  if (aNumber !== bNumber) return aNumber ? 1 : -1;
  if (aNumber) return Number(a) - Number(b) || (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);
  const chunks = (text: string) => text.match(/\d+|\D+/g) ?? [];
  const [x, y] = [chunks(String(a)), chunks(String(b))];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    const digits = /^\d/.test(x[i]) && /^\d/.test(y[i]);
    if (digits) return x[i].length !== y[i].length ? x[i].length - y[i].length : x[i] < y[i] ? -1 : 1;
    return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

/** The query's stages, split at `|` outside quotes, brackets and regular expressions. */
function splitStages(query: string): string[] {
  const stages: string[] = [];
  let current = '';
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < query.length; i++) {
    const char = query[i];
    if (quote) {
      if (char === '\\') {
        current += char + (query[++i] ?? '');
        continue;
      }
      if (char === quote) quote = undefined;
    } else if (
      char === '"' ||
      char === "'" ||
      char === '`' ||
      (char === '/' && /(like|=~)\s*$/.test(current))
    ) {
      quote = char;
    } else if (char === '[' || char === '(') depth++;
    else if (char === ']' || char === ')') depth--;
    else if (char === '|' && depth === 0) {
      stages.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  if (quote) throw new InsightsQueryError(`a quote is not closed in: ${query}`);
  stages.push(current.trim());
  return stages.filter((stage) => stage.length > 0);
}

function parseCommand(stage: string): Command {
  const [, name, rest] = /^(\w+)\s*([\s\S]*)$/.exec(stage) ?? [];
  const command = name?.toLowerCase();
  if (!command || !(SUPPORTED_COMMANDS as readonly string[]).includes(command)) {
    throw new QueryNotSupportedError(
      `the command "${name ?? stage}" is not supported locally (supported: ${SUPPORTED_COMMANDS.join(', ')})`,
    );
  }
  const tokens = new Tokens(rest, stage);
  switch (command) {
    case 'fields': {
      const fields = tokens.list(() => tokens.field());
      tokens.end();
      return { kind: 'fields', fields };
    }
    case 'filter': {
      const condition = orCondition(tokens);
      tokens.end();
      return { kind: 'filter', condition };
    }
    case 'stats':
      return parseStats(tokens);
    case 'sort': {
      const keys = tokens.list(() => {
        const field = tokens.field();
        const order = tokens.acceptWord('asc', 'desc');
        return { field, descending: order === 'desc' };
      });
      tokens.end();
      return { kind: 'sort', keys };
    }
    default: {
      const count = tokens.next();
      if (count.kind !== 'number' || !Number.isInteger(count.value) || count.value < 1)
        throw new InsightsQueryError(`limit takes a whole number of rows: ${stage}`);
      tokens.end();
      return { kind: 'limit', count: count.value };
    }
  }
}

function parseStats(tokens: Tokens): Command {
  const aggregates = tokens.list(() => {
    const fn = tokens.word();
    if (!(AGGREGATES as readonly string[]).includes(fn.toLowerCase()) || tokens.peek().kind !== '(') {
      throw new QueryNotSupportedError(
        `the stats function "${fn}" is not supported locally (supported: ${AGGREGATES.join(', ')})`,
      );
    }
    tokens.expect('(');
    const star = tokens.peek().kind === '*';
    const field = star ? undefined : tokens.field();
    if (star) {
      if (fn.toLowerCase() !== 'count') throw new InsightsQueryError(`only count takes *: ${tokens.stage}`);
      tokens.next();
    }
    tokens.expect(')');
    const name = `${fn}(${field ?? '*'})`;
    const as = tokens.acceptWord('as') ? tokens.field() : name;
    return { fn: fn.toLowerCase() as Aggregate, field, as };
  });
  const by: string[] = [];
  if (tokens.acceptWord('by')) {
    by.push(...tokens.list(() => tokens.field()));
  }
  tokens.end();
  return { kind: 'stats', aggregates, by };
}

function orCondition(tokens: Tokens): Condition {
  let left = andCondition(tokens);
  while (tokens.acceptWord('or')) left = { kind: 'or', left, right: andCondition(tokens) };
  return left;
}

function andCondition(tokens: Tokens): Condition {
  let left = notCondition(tokens);
  while (tokens.acceptWord('and')) left = { kind: 'and', left, right: notCondition(tokens) };
  return left;
}

function notCondition(tokens: Tokens): Condition {
  if (tokens.acceptWord('not')) return { kind: 'not', condition: notCondition(tokens) };
  if (tokens.peek().kind === '(') {
    tokens.next();
    const condition = orCondition(tokens);
    tokens.expect(')');
    return condition;
  }
  const operand = operandOf(tokens);
  const next = tokens.peek();
  if (next.kind === 'op') {
    tokens.next();
    if (next.value === '=~') return { kind: 'like', operand, pattern: patternOf(tokens) };
    return { kind: 'compare', op: next.value, left: operand, right: operandOf(tokens) };
  }
  if (tokens.acceptWord('like')) return { kind: 'like', operand, pattern: patternOf(tokens) };
  const negated = tokens.acceptWord('not');
  if (tokens.acceptWord('in')) {
    tokens.expect('[');
    const list = tokens.list(() => operandOf(tokens));
    tokens.expect(']');
    const condition: Condition = { kind: 'in', operand, list };
    return negated ? { kind: 'not', condition } : condition;
  }
  if (negated) throw new InsightsQueryError(`"not" must be followed by "in" here: ${tokens.stage}`);
  return { kind: 'truthy', operand };
}

function operandOf(tokens: Tokens): Operand {
  const token = tokens.next();
  if (token.kind === 'string' || token.kind === 'number') return { literal: token.value };
  if (token.kind === 'word' || token.kind === 'field') {
    if (tokens.peek().kind === '(')
      throw new QueryNotSupportedError(`the function ${token.value}() is not supported locally`);
    return { field: token.value };
  }
  throw new InsightsQueryError(`expected a field or a value, found ${describe(token)}: ${tokens.stage}`);
}

/** `like` takes a regular expression (`/.../`, with `i` for case) or a string it contains. */
function patternOf(tokens: Tokens): RegExp {
  const token = tokens.next();
  if (token.kind === 'regex') return new RegExp(token.value, token.flags);
  if (token.kind === 'string') return new RegExp(String(token.value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  throw new InsightsQueryError(`like takes /a regular expression/ or "a string": ${tokens.stage}`);
}

type Token =
  | { readonly kind: 'word' | 'field'; readonly value: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'regex'; readonly value: string; readonly flags: string }
  | { readonly kind: 'op'; readonly value: '=' | '!=' | '<' | '<=' | '>' | '>=' | '=~' }
  | { readonly kind: '(' | ')' | '[' | ']' | ',' | '*' | 'end' };

const describe = (token: Token) =>
  'value' in token ? `"${token.value}"` : token.kind === 'end' ? 'the end' : `"${token.kind}"`;

class Tokens {
  private readonly tokens: Token[] = [];
  private at = 0;

  constructor(
    text: string,
    readonly stage: string,
  ) {
    const pattern =
      /\s*(?:(@?[A-Za-z_][\w.@-]*)|`([^`]*)`|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?\d+(?:\.\d+)?)|\/((?:[^/\\]|\\.)*)\/(i?)|(!=|<=|>=|=~|=|<|>)|([()[\],*]))/y;
    let at = 0;
    while (at < text.length && !/^\s*$/.test(text.slice(at))) {
      pattern.lastIndex = at;
      const m = pattern.exec(text);
      if (!m) throw new InsightsQueryError(`cannot read "${text.slice(at).trim()}" in: ${stage}`);
      at = pattern.lastIndex;
      const [, word, backticked, doubleQuoted, singleQuoted, number, regex, flags, op, punctuation] = m;
      if (word !== undefined)
        this.tokens.push({ kind: word.startsWith('@') ? 'field' : 'word', value: word });
      else if (backticked !== undefined) this.tokens.push({ kind: 'field', value: backticked });
      else if (doubleQuoted !== undefined || singleQuoted !== undefined)
        this.tokens.push({ kind: 'string', value: (doubleQuoted ?? singleQuoted).replace(/\\(.)/g, '$1') });
      else if (number !== undefined) this.tokens.push({ kind: 'number', value: Number(number) });
      else if (regex !== undefined) this.tokens.push({ kind: 'regex', value: regex, flags });
      else if (op !== undefined) this.tokens.push({ kind: 'op', value: op as '=' });
      else this.tokens.push({ kind: punctuation as '(' });
    }
  }

  peek(): Token {
    return this.tokens[this.at] ?? { kind: 'end' };
  }

  next(): Token {
    const token = this.peek();
    this.at++;
    return token;
  }

  expect(kind: '(' | ')' | '[' | ']'): void {
    const token = this.next();
    if (token.kind !== kind)
      throw new InsightsQueryError(`expected "${kind}", found ${describe(token)}: ${this.stage}`);
  }

  /** The next word if it is one of `words` (case-insensitive), consumed; else undefined. */
  acceptWord(...words: string[]): string | undefined {
    const token = this.peek();
    if (token.kind === 'word' && words.includes(token.value.toLowerCase())) {
      this.at++;
      return token.value.toLowerCase();
    }
    return undefined;
  }

  word(): string {
    const token = this.next();
    if (token.kind !== 'word')
      throw new InsightsQueryError(`expected a name, found ${describe(token)}: ${this.stage}`);
    return token.value;
  }

  field(): string {
    const token = this.next();
    if (token.kind !== 'word' && token.kind !== 'field')
      throw new InsightsQueryError(`expected a field, found ${describe(token)}: ${this.stage}`);
    if (this.peek().kind === '(')
      throw new QueryNotSupportedError(`the function ${token.value}() is not supported locally`);
    return token.value;
  }

  list<T>(item: () => T): T[] {
    const items = [item()];
    while (this.peek().kind === ',') {
      this.at++;
      items.push(item());
    }
    return items;
  }

  end(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw new InsightsQueryError(`unexpected ${describe(token)} in: ${this.stage}`);
  }
}
