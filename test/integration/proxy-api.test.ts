// The proxy's REST API against a real proxy on port 0: auth, route CRUD, inactive_since, bad input;
// once with the memory route table and once with the Redis one (a real redis-server).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { pino } from 'pino';
import { startProxy, type RunningProxy } from '../../proxy/main';
import { startRedis, type RedisServer } from '../helpers/redis-server';

const TOKEN = 'api-test-token';
const logger = pino({ level: 'silent' });

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

// node:http keeps the path byte-for-byte (fetch would normalise '..' away).
function call(port: number, method: string, path: string, opts: { body?: string; auth?: string | null } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.auth !== null) headers.Authorization = opts.auth ?? `token ${TOKEN}`;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe.each(['memory', 'redis'] as const)('proxy REST API (%s routes)', (kind) => {
  let proxy: RunningProxy;
  let redis: RedisServer | undefined;
  let now = Date.parse('2026-03-01T12:00:00.000Z');

  beforeAll(async () => {
    if (kind === 'redis') redis = await startRedis();
    const store = redis === undefined ? {} : { redisUrl: redis.url, redisPrefix: `api-test-${randomBytes(4).toString('hex')}:` };
    proxy = await startProxy(
      { port: 0, apiPort: 0, ip: '127.0.0.1', authToken: TOKEN, defaultTarget: 'http://127.0.0.1:8081', ...store },
      { logger, now: () => now },
    );
  }, 30_000);
  afterAll(async () => {
    await proxy.close();
    await redis?.stop();
  });

  const api = (method: string, path: string, opts?: { body?: string; auth?: string | null }): Promise<Reply> =>
    call(proxy.apiPort, method, path, opts);

  it('installs the default target as route /', async () => {
    const reply = await api('GET', '/api/routes');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body)).toEqual({ '/': { target: 'http://127.0.0.1:8081', last_activity: '2026-03-01T12:00:00.000Z' } });
  });

  describe('auth', () => {
    it.each([
      ['no header', null],
      ['Bearer', `Bearer ${TOKEN}`],
      ['wrong token', 'token nope'],
      ['token prefix of the real one', `token ${TOKEN.slice(0, -1)}`],
      ['empty token', 'token '],
    ])('%s → 403', async (_label, auth) => {
      const reply = await api('GET', '/api/routes', { auth });
      expect(reply.status).toBe(403);
      expect(reply.body).not.toContain(TOKEN);
    });

    it('accepts `token <T>` with extra whitespace', async () => {
      expect((await api('GET', '/api/routes', { auth: `token   ${TOKEN}` })).status).toBe(200);
    });

    it('refuses writes without the token', async () => {
      const reply = await api('POST', '/api/routes/user/mallory', { auth: null, body: '{"target":"http://127.0.0.1:1"}' });
      expect(reply.status).toBe(403);
      expect((await api('GET', '/api/routes/user/mallory')).status).toBe(404);
    });
  });

  it('adds, reads, lists and deletes a route like JupyterHub does', async () => {
    now = Date.parse('2026-03-01T12:05:00.123Z');
    const body = JSON.stringify({ user: 'alice', server_name: '', target: 'http://127.0.0.1:34707', jupyterhub: true });
    const added = await api('POST', '/api/routes/user/alice', { body });
    expect(added.status).toBe(201);
    expect(added.body).toBe('');

    const one = await api('GET', '/api/routes/user/alice');
    expect(one.status).toBe(200);
    expect(JSON.parse(one.body)).toEqual({
      user: 'alice',
      server_name: '',
      target: 'http://127.0.0.1:34707',
      jupyterhub: true,
      last_activity: '2026-03-01T12:05:00.123Z',
    });
    expect((await api('GET', '/api/routes/user/alice/')).status).toBe(200);

    const all = JSON.parse((await api('GET', '/api/routes')).body) as Record<string, unknown>;
    expect(Object.keys(all).sort()).toEqual(['/', '/user/alice']);
    expect(JSON.parse((await api('GET', '/api/routes/')).body)).toEqual(all);

    expect((await api('DELETE', '/api/routes/user/alice')).status).toBe(204);
    const again = await api('DELETE', '/api/routes/user/alice');
    expect(again.status).toBe(404);
    expect(JSON.parse(again.body)).toMatchObject({ status: 404 });
    expect((await api('GET', '/api/routes/user/alice')).status).toBe(404);
  });

  it('replaces a route on a second POST and keys it without a trailing slash', async () => {
    await api('POST', '/api/routes/services/x/', { body: '{"target":"http://127.0.0.1:1","v":1}' });
    await api('POST', '/api/routes/services/x', { body: '{"target":"http://127.0.0.1:2"}' });
    const route = JSON.parse((await api('GET', '/api/routes/services/x')).body) as Record<string, unknown>;
    expect(route).toEqual({ target: 'http://127.0.0.1:2', last_activity: expect.any(String) });
    expect(route.last_activity).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect((await api('DELETE', '/api/routes/services/x/')).status).toBe(204);
  });

  it('decodes escaped route paths', async () => {
    expect((await api('POST', '/api/routes/user/al%40ice', { body: '{"target":"http://127.0.0.1:1"}' })).status).toBe(201);
    const all = JSON.parse((await api('GET', '/api/routes')).body) as Record<string, unknown>;
    expect(all['/user/al@ice']).toBeDefined();
    expect((await api('DELETE', '/api/routes/user/al@ice')).status).toBe(204);
  });

  it('can replace the root route', async () => {
    expect((await api('POST', '/api/routes/', { body: '{"target":"http://127.0.0.1:9","hub":true}' })).status).toBe(201);
    const root = JSON.parse((await api('GET', '/api/routes')).body)['/'] as Record<string, unknown>;
    expect(root).toMatchObject({ target: 'http://127.0.0.1:9', hub: true });
    await api('POST', '/api/routes/', { body: '{"target":"http://127.0.0.1:8081"}' });
  });

  describe('inactive_since', () => {
    beforeAll(async () => {
      now = Date.parse('2026-04-01T00:00:00.000Z');
      await api('POST', '/api/routes/user/old', { body: '{"target":"http://127.0.0.1:1"}' });
      now = Date.parse('2026-04-02T00:00:00.000Z');
      await api('POST', '/api/routes/user/new', { body: '{"target":"http://127.0.0.1:1"}' });
    });
    afterAll(async () => {
      await api('DELETE', '/api/routes/user/old');
      await api('DELETE', '/api/routes/user/new');
    });

    it('returns only routes idle since before the given time', async () => {
      const reply = await api('GET', '/api/routes?inactive_since=2026-04-01T12:00:00.000Z');
      expect(reply.status).toBe(200);
      expect(Object.keys(JSON.parse(reply.body)).sort()).toEqual(['/', '/user/old']);
      const camel = await api('GET', '/api/routes?inactiveSince=2026-04-01T12:00:00Z');
      expect(Object.keys(JSON.parse(camel.body)).sort()).toEqual(['/', '/user/old']);
      const early = await api('GET', '/api/routes?inactive_since=2000-01-01T00:00:00Z');
      expect(JSON.parse(early.body)).toEqual({});
      const late = await api('GET', '/api/routes?inactive_since=2030-01-01');
      expect(Object.keys(JSON.parse(late.body)).sort()).toEqual(['/', '/user/new', '/user/old']);
    });

    it.each(['not-a-date', '2026-13-45T00:00:00Z', 'March 7 2026', '1700000000'])('refuses %s', async (value) => {
      const reply = await api('GET', `/api/routes?inactive_since=${encodeURIComponent(value)}`);
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.body)).toEqual({ status: 400, message: `Invalid datestamp '${value}' must be ISO8601.` });
    });
  });

  describe('bad input gets a clean 4xx and the API keeps serving', () => {
    afterEach(async () => {
      expect((await api('GET', '/api/routes')).status).toBe(200);
    });

    it.each([
      ['malformed JSON', '{"target": '],
      ['a JSON array', '[{"target":"http://127.0.0.1:1"}]'],
      ['a JSON string', '"http://127.0.0.1:1"'],
      ['null', 'null'],
      ['an empty body', ''],
      ['no target', '{"user":"alice"}'],
      ['a numeric target', '{"target":8080}'],
      ['a non-URL target', '{"target":"not a url"}'],
      ['a file: target', '{"target":"file:///etc/passwd"}'],
    ])('POST with %s → 400', async (_label, body) => {
      const reply = await api('POST', '/api/routes/user/bad', { body });
      expect(reply.status).toBe(400);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(JSON.parse(reply.body)).toMatchObject({ status: 400, message: expect.any(String) });
      expect((await api('GET', '/api/routes/user/bad')).status).toBe(404);
    });

    it.each([
      '/api/routes/user/alice/../../admin',
      '/api/routes/user/%2e%2e/admin',
      '/api/routes/user/./alice',
      '/api/routes/user%2Falice',
      '/api/routes/user%5Calice',
      '/api/routes/user/%00',
      '/api/routes/user/%E0%A4%A',
      '/api/routes/user//alice',
    ])('path %s → 400 for every method', async (path) => {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const reply = await api(method, path, method === 'POST' ? { body: '{"target":"http://127.0.0.1:1"}' } : {});
        expect(reply.status).toBe(400);
        expect(JSON.parse(reply.body).message).toMatch(/^Invalid route path/);
      }
      expect(Object.keys(JSON.parse((await api('GET', '/api/routes')).body))).toEqual(['/']);
    });

    it('answers 413 to a huge body', async () => {
      const big = JSON.stringify({ target: 'http://127.0.0.1:1', pad: 'x'.repeat(2 * 1024 * 1024) });
      const reply = await api('POST', '/api/routes/user/big', { body: big });
      expect(reply.status).toBe(413);
    });

    it('answers 405 to other methods and 404 outside /api/routes', async () => {
      const put = await api('PUT', '/api/routes/user/alice', { body: '{}' });
      expect(put.status).toBe(405);
      expect(put.headers.allow).toBe('GET, POST, DELETE');
      expect((await api('GET', '/api/other')).status).toBe(404);
      expect((await api('GET', '/api/routesx')).status).toBe(404);
    });
  });
});
