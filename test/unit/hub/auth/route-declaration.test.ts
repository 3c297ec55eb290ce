// Every API route declares its scopes or that it is public; anything else cannot be registered,
// and a route added to a router directly (past the declarations) is found at start-up.
import express from 'express';
import { ApiRoutes, accessProblem, assertApiRoutesDeclared, routesOf, type Access } from '../../../../hub/http/route';

const noop = () => undefined;

describe('accessProblem', () => {
  it.each<[unknown, string | null]>([
    [{ public: true }, null],
    [{ scopes: ['read:users'] }, null],
    [{ scopes: ['read:users!user=alice', 'workshops'] }, null],
    [undefined, 'declares neither scopes nor public'],
    [{}, 'declares neither scopes nor public'],
    [{ scopes: [] }, 'declares neither scopes nor public'],
    [{ scopes: 'read:users' }, 'declares neither scopes nor public'],
    [{ public: false }, 'declares public: false (only public: true is allowed)'],
    [{ public: 'yes' }, 'declares public: "yes" (only public: true is allowed)'],
    [{ public: true, scopes: ['read:users'] }, 'declares both public and scopes'],
    [{ scopes: ['read:userz'] }, 'declares unknown scopes: read:userz'],
    [{ scopes: ['read:users!bogus=1'] }, 'declares unknown scopes: read:users!bogus=1'],
  ])('%j → %p', (access, problem) => {
    expect(accessProblem(access)).toBe(problem);
  });
});

describe('ApiRoutes', () => {
  it('refuses to register a route without a valid declaration, and registers nothing then', () => {
    const router = express.Router();
    const api = new ApiRoutes(router, '/api');
    expect(() => api.get('/x', {} as Access, noop)).toThrow('route GET /x declares neither scopes nor public');
    expect(() => api.post('/y', { public: false } as unknown as Access, noop)).toThrow(/route POST \/y declares public: false/);
    expect(() => api.delete('/z', { scopes: ['nope'] }, noop)).toThrow(/unknown scopes: nope/);
    expect(routesOf(router)).toEqual([]);
    expect(api.table).toEqual([]);
  });

  it('records declared routes with their mount path and access', () => {
    const router = express.Router();
    const api = new ApiRoutes(router, '/api');
    api.get('/users/:name', { scopes: ['read:users', 'read:users:name'] }, noop);
    api.getPublic('/', noop);
    expect(api.table).toEqual([
      { method: 'get', path: '/api/users/:name', access: 'read:users|read:users:name' },
      { method: 'get', path: '/api/', access: 'public' },
    ]);
  });
});

describe('assertApiRoutesDeclared', () => {
  function hub() {
    const hubRouter = express.Router();
    const apiRouter = express.Router();
    const api = new ApiRoutes(apiRouter);
    api.get('/users', { scopes: ['list:users'] }, noop);
    hubRouter.use('/api', apiRouter);
    const oauth = new ApiRoutes(hubRouter);
    oauth.postPublic('/api/oauth2/token', noop);
    hubRouter.get(['/home', '/spawn/:user'], noop);
    const declared = [...oauth.table, ...api.table.map((r) => ({ ...r, path: `/api${r.path}` }))];
    return { hubRouter, apiRouter, declared };
  }

  it('finds every route, nested routers and path arrays included', () => {
    const { hubRouter } = hub();
    expect(routesOf(hubRouter)).toEqual(expect.arrayContaining([
      { method: 'get', path: '/api/users' }, { method: 'post', path: '/api/oauth2/token' },
      { method: 'get', path: '/home' }, { method: 'get', path: '/spawn/:user' },
    ]));
  });

  it('passes when every API route was declared', () => {
    const { hubRouter, declared } = hub();
    expect(() => assertApiRoutesDeclared(hubRouter, declared)).not.toThrow();
  });

  it('fails on an API route added to the hub router or the API router directly', () => {
    const a = hub();
    a.hubRouter.get('/api/backdoor', noop);
    expect(() => assertApiRoutesDeclared(a.hubRouter, a.declared)).toThrow('API routes registered without a scope declaration (use ApiRoutes): GET /api/backdoor');
    const b = hub();
    b.apiRouter.delete('/users/:name', noop);
    expect(() => assertApiRoutesDeclared(b.hubRouter, b.declared)).toThrow(/DELETE \/api\/users\/:name/);
  });
});
