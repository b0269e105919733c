/**
 * The committed gateway policy is a decK file Kong can load, and the schema refuses what Kong
 * or this platform could not use.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkDeckFile, DeckFileError, parseDeckFile } from '../../src/gateway/deck-file';
import { GATEWAY_TEMPLATE, readGatewayTemplate } from '../../src/gateway/render';

const templateText = readFileSync(GATEWAY_TEMPLATE, 'utf8');
/** A fresh copy of the committed template, as plain data a case may break in any way. */
const template = (): unknown => parse(templateText);

type Path = ReadonlyArray<string | number>;

function at(data: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], data);
}

/** The template with the value at `path` replaced (or added at the end of a list). */
function templateWith(path: Path, value: (file: unknown) => unknown): unknown {
  const file = template();
  const parent = at(file, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]] = value(file);
  return file;
}

// The template's api route and its plugins, in the order kong.yaml lists them.
const API_ROUTE = ['services', 0, 'routes', 0];
const [KEY_AUTH, RATE_LIMITING, SIZE_LIMITING] = [0, 1, 2].map((index) => [...API_ROUTE, 'plugins', index]);
const PLUGIN_COUNT = 3;
const consumers =
  (...entries: Array<[string, string]>) =>
  () =>
    entries.map(([username, key]) => ({ username, keyauth_credentials: [{ key }] }));

describe('the committed gateway policy (localstack/gateway/kong.yaml)', () => {
  it('is a decK file of the subset the gateway uses', () => {
    expect(() => readGatewayTemplate()).not.toThrow();
  });

  it('guards /api with key-auth, rate-limiting and request-size-limiting and leaves /healthz open', () => {
    const [service] = readGatewayTemplate().services;
    const routes = Object.fromEntries(service.routes.map((route) => [route.name, route]));
    expect(routes.api.paths).toEqual(['/api']);
    expect(routes.api.plugins?.map((entry) => entry.name).sort()).toEqual([
      'key-auth',
      'rate-limiting',
      'request-size-limiting',
    ]);
    expect(routes.health.paths).toEqual(['/healthz']);
    expect(routes.health.plugins ?? []).toEqual([]);
  });

  it('passes the key on to the API, so the API checks it too, and takes it from the header only', () => {
    expect(at(template(), [...KEY_AUTH, 'config'])).toMatchObject({
      hide_credentials: false,
      key_in_header: true,
      key_in_query: false,
      key_in_body: false,
    });
  });

  it('limits each consumer (not each client address) and tells clients when to retry', () => {
    expect(at(template(), [...RATE_LIMITING, 'config'])).toMatchObject({
      limit_by: 'consumer',
      hide_client_headers: false,
    });
  });

  it('holds no consumer: keys come from Secrets Manager at start-up', () => {
    const withConsumer = templateWith(['consumers'], consumers(['leak', 'committed-key']));
    const dir = mkdtempSync(join(tmpdir(), 'gateway-template-'));
    const path = join(dir, 'kong.yaml');
    writeFileSync(path, JSON.stringify(withConsumer));
    try {
      expect(() => readGatewayTemplate(path)).toThrow(/declares consumers.*never in the repository/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the decK schema', () => {
  const cases: Array<[string, Path, (file: unknown) => unknown, RegExp]> = [
    ['an older format version', ['_format_version'], () => '1.1', /_format_version/],
    ['an unknown top-level key', ['upstreams'], () => [], /upstreams/],
    ['a service URL that is not http(s)', ['services', 0, 'url'], () => 'tcp://alb:8080', /http/],
    ['a route path without a leading slash', [...API_ROUTE, 'paths'], () => ['api'], /must start with/],
    [
      'two routes with one name',
      ['services', 0, 'routes', 1, 'name'],
      () => 'api',
      /route api is declared twice/,
    ],
    ['key-auth without a key name', [...KEY_AUTH, 'config', 'key_names'], () => [], /key_names/],
    [
      'a size unit Kong does not know',
      [...SIZE_LIMITING, 'config', 'size_unit'],
      () => 'kibibytes',
      /size_unit/,
    ],
    ['a fractional rate limit', [...RATE_LIMITING, 'config', 'minute'], () => 1.5, /minute/],
    ['a misspelt plugin setting', [...RATE_LIMITING, 'config', 'minutes'], () => 600, /minutes/],
    [
      'a plugin outside the subset',
      [...API_ROUTE, 'plugins', PLUGIN_COUNT],
      () => ({ name: 'cors', config: {} }),
      /name/,
    ],
    [
      'one plugin enabled twice on a route',
      [...API_ROUTE, 'plugins', PLUGIN_COUNT],
      (file) => structuredClone(at(file, KEY_AUTH)),
      /route api enables plugin key-auth twice/,
    ],
    [
      'two consumers with one name',
      ['consumers'],
      consumers(['a', 'k1'], ['a', 'k2']),
      /consumer a is declared twice/,
    ],
    [
      'two consumers with one key',
      ['consumers'],
      consumers(['a', 'same'], ['b', 'same']),
      /consumers a and b have the same key/,
    ],
  ];

  it.each(cases)('refuses %s', (_, path, value, problem) => {
    const file = templateWith(path, value);
    expect(() => checkDeckFile(file, 'the test file')).toThrow(DeckFileError);
    expect(() => checkDeckFile(file, 'the test file')).toThrow(problem);
  });

  it('never quotes a key when it refuses consumers', () => {
    const file = templateWith(['consumers'], consumers(['a', 'do-not-print-me'], ['b', 'do-not-print-me']));
    expect(() => checkDeckFile(file, 'the test file')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('do-not-print-me') }),
    );
  });

  it('says where YAML that does not parse went wrong', () => {
    expect(() => parseDeckFile('services: [', 'broken.yaml')).toThrow(/broken.yaml is not valid YAML/);
  });
});
