import type { Context, Next } from 'koa';
import { RouteTable } from '../src/route-table';

const handler = (name: string) => (ctx: Context) => {
  ctx.body = name;
};

function table() {
  return new RouteTable()
    .get('/', handler('root'))
    .get('/healthz', handler('health'))
    .get('/api/v1/sum', handler('describe'))
    .post('/api/v1/sum', handler('sum'))
    .put('/_local/fault', handler('fault'));
}

async function dispatch(routes: RouteTable, method: string, path: string) {
  const ctx = { method, path, body: undefined as unknown } as unknown as Context;
  let passedOn = false;
  const next: Next = async () => {
    passedOn = true;
  };
  await routes.middleware()(ctx, next);
  return passedOn ? 'passed on' : ctx.body;
}

describe('RouteTable', () => {
  it.each([
    ['GET', '/', 'root'],
    ['GET', '/healthz', 'health'],
    ['HEAD', '/healthz', 'health'],
    ['GET', '/healthz/', 'health'],
    ['GET', '//', 'root'],
    ['POST', '/api/v1/sum', 'sum'],
    ['POST', '/api/v1/sum/', 'sum'],
    ['GET', '/api/v1/sum', 'describe'],
    ['PUT', '/_local/fault', 'fault'],
    ['DELETE', '/api/v1/sum', 'passed on'],
    ['GET', '/healthz//', 'passed on'],
    ['GET', '/HEALTHZ', 'passed on'],
    ['GET', '/api/v1//sum', 'passed on'],
    ['GET', '/%68ealthz', 'passed on'],
    ['GET', '', 'passed on'],
  ])('%s %j -> %s', async (method, path, expected) => {
    expect(await dispatch(table(), method, path)).toBe(expected);
  });

  it.each([
    ['/api/v1/sum', '/api/v1/sum'],
    ['/api/v1/sum/', '/api/v1/sum'],
    ['/', '/'],
    ['/nope', undefined],
    ['/Api/v1/sum', undefined],
  ])('names the route template of %j: %j', (path, template) => {
    expect(table().template(path)).toBe(template);
  });

  it.each([
    ['/api/v1/sum', ['HEAD', 'GET', 'POST']],
    ['/healthz/', ['HEAD', 'GET']],
    ['/_local/fault', ['PUT']],
    ['/nope', []],
  ])('lists the methods allowed at %j in the order they were added', (path, methods) => {
    expect(table().allowedMethods(path)).toEqual(methods);
  });

  it('refuses a method registered twice at one path', () => {
    expect(() => table().post('/api/v1/sum', handler('again'))).toThrow(
      'POST /api/v1/sum is registered twice',
    );
  });
});
