// The OpenAPI document built from the route table.
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
