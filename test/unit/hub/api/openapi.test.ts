// The OpenAPI document built from the route table.
import { z } from 'zod';
import { openApiDocument, openApiPath } from '../../../../hub/api/openapi';

describe('openApiPath', () => {
  it('turns express parameters into OpenAPI templates', () => {
    expect(openApiPath('/users/:name/servers/:server/progress')).toEqual({ path: '/users/{name}/servers/{server}/progress', params: ['name', 'server'] });
    expect(openApiPath('/usage.csv')).toEqual({ path: '/usage.csv', params: [] });
  });
});

describe('openApiDocument', () => {
  const doc = openApiDocument([
    { method: 'get', path: '/users/:name/quota', access: 'read:quotas|read:users' },
    { method: 'put', path: '/users/:name/quota', access: 'admin:quotas' },
    { method: 'get', path: '/users', access: 'list:users' },
    { method: 'get', path: '/openapi.json', access: 'public' },
  ], { version: '5.5.1', serverUrl: '/hub/api' }) as { openapi: string; servers: unknown; paths: Record<string, Record<string, Record<string, unknown>>> };

  it('lists every route once, with its method, path parameters and any-of scopes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/hub/api' }]);
    expect(Object.keys(doc.paths).sort()).toEqual(['/openapi.json', '/users', '/users/{name}/quota']);
    const get = doc.paths['/users/{name}/quota']!.get!;
    expect(get.security).toEqual([{ token: ['read:quotas'] }, { token: ['read:users'] }]);
    expect(get.parameters).toEqual([{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(doc.paths['/users/{name}/quota']!.put!['x-scopes']).toEqual(['admin:quotas']);
  });

  it('marks public routes as needing no token and tells extensions from JupyterHub endpoints', () => {
    expect(doc.paths['/openapi.json']!.get!.security).toEqual([]);
    expect(doc.paths['/users']!.get!.tags).toEqual(['JupyterHub API']);
    expect(doc.paths['/users/{name}/quota']!.get!.tags).toEqual(['sciencehub extensions']);
  });

  it('gives every operation a unique id', () => {
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('request schemas', () => {
  const Body = z.object({ usernames: z.array(z.string().min(1)).min(1), admin: z.boolean().default(false) }).strict();
  const Query = z.object({ offset: z.coerce.number().int().min(0).default(0), state: z.enum(['active', 'ready']).optional() });
  const doc = openApiDocument([
    { method: 'post', path: '/users', access: 'admin:users', body: Body },
    { method: 'post', path: '/users/:name/server', access: 'servers', body: z.record(z.string(), z.unknown()), optionalBody: true },
    { method: 'get', path: '/users/:name/usage', access: 'read:usage', query: Query },
  ], { version: '5.5.1', serverUrl: '/hub/api' }) as { paths: Record<string, Record<string, Record<string, unknown>>> };

  it('gives a body route its JSON Schema as the client sends it (defaulted fields optional)', () => {
    expect(doc.paths['/users']!.post!.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: {
        type: 'object', additionalProperties: false, required: ['usernames'],
        properties: { usernames: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }, admin: { type: 'boolean', default: false } },
      } } },
    });
    expect((doc.paths['/users/{name}/server']!.post!.requestBody as { required: boolean }).required).toBe(false);
  });

  it('lists query fields as query parameters after the path parameters', () => {
    const params = doc.paths['/users/{name}/usage']!.get!.parameters as Array<Record<string, unknown>>;
    expect(params.map((p) => [p.name, p.in, p.required])).toEqual([['name', 'path', true], ['offset', 'query', false], ['state', 'query', false]]);
    expect(params[2]!.schema).toEqual({ type: 'string', enum: ['active', 'ready'] });
  });
});
