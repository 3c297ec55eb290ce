// Forwarding through a real proxy to echo backends: paths, headers, bodies, websockets, errors,
// activity, and hostile requests that must get a clean 4xx without hurting later traffic; once
// with the memory route table and once with the Redis one (a real redis-server).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import WebSocket from 'ws';
import { startProxy, type RunningProxy } from '../../proxy/main';
import type { ProxyOptionsInput } from '../../proxy/options';
import { startEchoBackend, type EchoBackend, type EchoedRequest } from '../helpers/echo-backend';
import { freePort } from '../helpers/ports';
import { startRedis, type RedisServer } from '../helpers/redis-server';

const TOKEN = 'forwarding-test-token';
const logger = pino({ level: process.env.PROXY_TEST_LOG ?? 'silent' });

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function call(
  port: number,
  method: string,
  urlPath: string,
  opts: { body?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Send raw bytes and return what the server answered before closing. */
function rawExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
    socket.write(payload, () => socket.end());
  });
}

function echoed(reply: Reply): EchoedRequest {
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body) as EchoedRequest;
}

async function addRoute(proxy: RunningProxy, routePath: string, target: string): Promise<void> {
  const reply = await call(proxy.apiPort, 'POST', `/api/routes${routePath}`, {
    body: JSON.stringify({ target, jupyterhub: true }),
    headers: { Authorization: `token ${TOKEN}` },
  });
  expect(reply.status).toBe(201);
}

async function listRoutes(proxy: RunningProxy, query = ''): Promise<Record<string, { last_activity: string }>> {
  const reply = await call(proxy.apiPort, 'GET', `/api/routes${query}`, { headers: { Authorization: `token ${TOKEN}` } });
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body) as Record<string, { last_activity: string }>;
}

function wsRoundTrip(port: number, urlPath: string, message: string): Promise<{ url: string; received: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${urlPath}`);
    ws.on('open', () => ws.send(message));
    ws.on('message', (data) => {
      resolve(JSON.parse(String(data)) as { url: string; received: string });
      ws.close();
    });
    ws.on('error', reject);
  });
}

function wsRefusal(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${urlPath}`);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('websocket unexpectedly opened')));
    ws.on('error', () => undefined);
  });
}

describe.each(['memory', 'redis'] as const)('proxy forwarding (%s routes)', (kind) => {
  let redis: RedisServer | undefined;
  let hub: EchoBackend;
  let alice: EchoBackend;
  let aliceGpu: EchoBackend;
  let proxy: RunningProxy;
  let now = Date.parse('2026-06-01T08:00:00.000Z');
  const started: RunningProxy[] = [];

  async function start(options: Partial<ProxyOptionsInput>): Promise<RunningProxy> {
    const store = redis === undefined ? {} : { redisUrl: redis.url, redisPrefix: `fwd-test-${randomBytes(4).toString('hex')}:` };
    const p = await startProxy({ ip: '127.0.0.1', port: 0, apiPort: 0, authToken: TOKEN, ...store, ...options }, { logger, now: () => now });
    started.push(p);
    return p;
  }

  beforeAll(async () => {
    if (kind === 'redis') redis = await startRedis();
    [hub, alice, aliceGpu] = await Promise.all([startEchoBackend(), startEchoBackend(), startEchoBackend()]);
    proxy = await start({ defaultTarget: hub.url });
    await addRoute(proxy, '/user/alice', alice.url);
    await addRoute(proxy, '/user/alice/gpu', aliceGpu.url);
  });
  afterAll(async () => {
    await Promise.all(started.map((p) => p.close()));
    await Promise.all([hub.close(), alice.close(), aliceGpu.close()]);
    await redis?.stop();
  });

  it('answers the health check on the public port', async () => {
    const reply = await call(proxy.publicPort, 'GET', '/_chp_healthz');
    expect(reply.status).toBe(200);
    if (kind === 'memory') expect(JSON.parse(reply.body)).toEqual({ status: 'ok' });
    else expect(JSON.parse(reply.body)).toEqual({ status: 'ok', redis: { connected: true, since: expect.any(String) } });
  });

  it('forwards with the full path, query, method, body and X-Forwarded headers', async () => {
    const reply = await call(proxy.publicPort, 'POST', '/user/alice/api/contents/x?token=abc&y=1', {
      body: '{"hello":"world"}',
      headers: { 'Content-Type': 'application/json', Host: 'hub.example.org:8000' },
    });
    const got = echoed(reply);
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/user/alice/api/contents/x?token=abc&y=1');
    expect(got.body).toBe('{"hello":"world"}');
    expect(got.headers.host).toBe('hub.example.org:8000');
    expect(got.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(got.headers['x-forwarded-host']).toBe('hub.example.org:8000');
    expect(got.headers['x-forwarded-proto']).toBe('http');
    expect(got.headers['x-forwarded-port']).toBe('8000');
  });

  it('routes to the longest matching prefix and falls back to /', async () => {
    expect(echoed(await call(proxy.publicPort, 'GET', '/user/alice/gpu/lab')).url).toBe('/user/alice/gpu/lab');
    expect(aliceGpu.requests.at(-1)?.url).toBe('/user/alice/gpu/lab');
    const before = alice.requests.length;
    echoed(await call(proxy.publicPort, 'GET', '/user/alice/lab'));
    expect(alice.requests.length).toBe(before + 1);
    const hubBefore = hub.requests.length;
    echoed(await call(proxy.publicPort, 'GET', '/user/alicex/lab'));
    echoed(await call(proxy.publicPort, 'GET', '/hub/home'));
    expect(hub.requests.slice(hubBefore).map((r) => r.url)).toEqual(['/user/alicex/lab', '/hub/home']);
  });

  it('keeps percent-escapes intact on the way to the backend', async () => {
    await addRoute(proxy, '/user/al%40ice', alice.url);
    expect(echoed(await call(proxy.publicPort, 'GET', '/user/al%40ice/files/a%20b.txt')).url).toBe('/user/al%40ice/files/a%20b.txt');
  });

  it('forwards websockets with the path kept and echoes data', async () => {
    const reply = await wsRoundTrip(proxy.publicPort, '/user/alice/api/kernels/k1/channels?session_id=s', 'ping');
    expect(reply).toEqual({ url: '/user/alice/api/kernels/k1/channels?session_id=s', received: 'ping' });
    expect(alice.wsMessages.at(-1)).toEqual(reply);
  });

  it('updates last_activity on successful traffic and filters with inactive_since', async () => {
    now = Date.parse('2026-06-01T09:00:00.000Z');
    await addRoute(proxy, '/user/carol', alice.url);
    now = Date.parse('2026-06-01T09:30:00.000Z');
    echoed(await call(proxy.publicPort, 'GET', '/user/carol/api/status'));
    expect((await listRoutes(proxy))['/user/carol']?.last_activity).toBe('2026-06-01T09:30:00.000Z');
    expect(Object.keys(await listRoutes(proxy, '?inactive_since=2026-06-01T09:15:00Z'))).not.toContain('/user/carol');

    now = Date.parse('2026-06-01T10:00:00.000Z');
    const failed = await call(proxy.publicPort, 'GET', '/user/carol/missing', { headers: { 'x-echo-status': '404' } });
    expect(failed.status).toBe(404);
    expect((await listRoutes(proxy))['/user/carol']?.last_activity).toBe('2026-06-01T09:30:00.000Z');
    expect(Object.keys(await listRoutes(proxy, '?inactive_since=2026-06-01T09:45:00Z'))).toContain('/user/carol');

    now = Date.parse('2026-06-01T11:00:00.000Z');
    await wsRoundTrip(proxy.publicPort, '/user/carol/terminals/websocket/1', 'ls');
    expect((await listRoutes(proxy))['/user/carol']?.last_activity).toBe('2026-06-01T11:00:00.000Z');
    const single = await call(proxy.apiPort, 'GET', '/api/routes/user/carol', { headers: { Authorization: `token ${TOKEN}` } });
    expect(JSON.parse(single.body).last_activity).toBe('2026-06-01T11:00:00.000Z');
  });

  describe('errors without an error target', () => {
    it('answers 404 with the built-in page when no route matches', async () => {
      const bare = await start({});
      const reply = await call(bare.publicPort, 'GET', '/nothing/here?secret=1');
      expect(reply.status).toBe(404);
      expect(reply.headers['content-type']).toContain('text/html');
      expect(reply.body).toContain('404 Not Found');
      expect(reply.body).not.toContain('secret');
    });

    it('answers 503 with the built-in page when the target is down', async () => {
      const deadPort = await freePort();
      await addRoute(proxy, '/user/dead', `http://127.0.0.1:${deadPort}`);
      const reply = await call(proxy.publicPort, 'GET', '/user/dead/lab');
      expect(reply.status).toBe(503);
      expect(reply.body).toContain('503 Service Unavailable');
      expect(await wsRefusal(proxy.publicPort, '/user/dead/ws')).toBe(503);
    });

    it('serves <code>.html from --error-path', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'proxy-errors-'));
      writeFileSync(path.join(dir, '404.html'), '<p>custom missing page</p>');
      const withPages = await start({ errorPath: dir });
      const reply = await call(withPages.publicPort, 'GET', '/nope');
      expect(reply.status).toBe(404);
      expect(reply.body).toBe('<p>custom missing page</p>');
    });
  });

  describe('errors with an error target', () => {
    let errorServer: http.Server;
    let errorTargetUrl: string;
    const asked: string[] = [];
    let withTarget: RunningProxy;

    beforeAll(async () => {
      errorServer = http.createServer((req, res) => {
        asked.push(req.url ?? '');
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(`<h1>hub error page for ${req.url}</h1>`);
      });
      await new Promise<void>((resolve) => errorServer.listen(0, '127.0.0.1', resolve));
      errorTargetUrl = `http://127.0.0.1:${(errorServer.address() as AddressInfo).port}/hub/error`;
      withTarget = await start({ errorTarget: errorTargetUrl });
      await addRoute(withTarget, '/user/dead', `http://127.0.0.1:${await freePort()}`);
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => errorServer.close(() => resolve()));
    });

    it('relays the 404 page with the original status', async () => {
      const reply = await call(withTarget.publicPort, 'GET', '/user/bob/lab?token=zzz');
      expect(reply.status).toBe(404);
      expect(reply.headers['content-type']).toBe('text/html');
      expect(asked.at(-1)).toBe('/hub/error/404?url=%2Fuser%2Fbob%2Flab');
      expect(reply.body).toBe('<h1>hub error page for /hub/error/404?url=%2Fuser%2Fbob%2Flab</h1>');
    });

    it('relays the 503 page with the original status', async () => {
      const reply = await call(withTarget.publicPort, 'GET', '/user/dead/api/status');
      expect(reply.status).toBe(503);
      expect(asked.at(-1)).toBe('/hub/error/503?url=%2Fuser%2Fdead%2Fapi%2Fstatus');
      expect(reply.body).toContain('hub error page');
    });

    it('falls back to the built-in page when the error target is down', async () => {
      const broken = await start({ errorTarget: `http://127.0.0.1:${await freePort()}/hub/error` });
      const reply = await call(broken.publicPort, 'GET', '/anything');
      expect(reply.status).toBe(404);
      expect(reply.body).toContain('404 Not Found');
    });
  });

  describe('--no-include-prefix', () => {
    it('strips the matched prefix before forwarding', async () => {
      const stripping = await start({ includePrefix: false, defaultTarget: hub.url });
      await addRoute(stripping, '/user/alice', alice.url);
      expect(echoed(await call(stripping.publicPort, 'GET', '/user/alice/api/status?x=1')).url).toBe('/api/status?x=1');
      expect(echoed(await call(stripping.publicPort, 'GET', '/user/alice')).url).toBe('/');
      expect(echoed(await call(stripping.publicPort, 'GET', '/hub/home')).url).toBe('/hub/home');
      expect((await wsRoundTrip(stripping.publicPort, '/user/alice/ws', 'x')).url).toBe('/ws');
    });
  });

  describe('--host-routing', () => {
    it('routes on the Host header as the first segment', async () => {
      const hosted = await start({ hostRouting: true, defaultTarget: hub.url });
      await addRoute(hosted, '/alice.hub.example.org', alice.url);
      const viaHost = echoed(await call(hosted.publicPort, 'GET', '/lab', { headers: { Host: 'Alice.hub.example.org:8000' } }));
      expect(viaHost.url).toBe('/lab');
      expect(alice.requests.at(-1)?.url).toBe('/lab');
      const other = await call(hosted.publicPort, 'GET', '/lab', { headers: { Host: 'bob.hub.example.org' } });
      expect(echoed(other).url).toBe('/lab');
      expect(hub.requests.at(-1)?.url).toBe('/lab');
      const bad = await rawExchange(hosted.publicPort, 'GET /lab HTTP/1.1\r\nHost: evil/x\r\nConnection: close\r\n\r\n');
      expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    });
  });

  describe('--no-x-forward', () => {
    it('adds no X-Forwarded headers', async () => {
      const plain = await start({ xForward: false, defaultTarget: hub.url });
      const got = echoed(await call(plain.publicPort, 'GET', '/x'));
      expect(Object.keys(got.headers).filter((h) => h.startsWith('x-forwarded'))).toEqual([]);
    });
  });

  describe('--proxy-timeout', () => {
    it('answers 503 when the target never responds', async () => {
      const held = new Set<net.Socket>();
      const silent = net.createServer((socket) => {
        held.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const timed = await start({ proxyTimeout: 200 });
        await addRoute(timed, '/slow', `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
        const reply = await call(timed.publicPort, 'GET', '/slow/x');
        expect(reply.status).toBe(503);
        expect(held.size).toBe(1);
      } finally {
        for (const socket of held) socket.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });
  });

  describe('hostile requests get a clean 4xx and the proxy keeps serving', () => {
    afterEach(async () => {
      expect((await call(proxy.publicPort, 'GET', '/_chp_healthz')).status).toBe(200);
      expect(echoed(await call(proxy.publicPort, 'GET', '/user/alice/after')).url).toBe('/user/alice/after');
    });

    it.each([
      ['a dot-dot path', '/user/alice/../../hub/admin'],
      ['an encoded dot-dot path', '/hub/%2e%2e/user/alice/x'],
      ['an encoded slash', '/user%2Falice/lab'],
      ['an encoded backslash', '/user/alice%5C..%5Cbob'],
      ['a malformed escape', '/user/alice/%zz'],
      ['an encoded NUL', '/user/alice/%00'],
    ])('%s → 400, never forwarded', async (_label, urlPath) => {
      const counts = [hub.requests.length, alice.requests.length, aliceGpu.requests.length];
      const reply = await call(proxy.publicPort, 'GET', urlPath);
      expect(reply.status).toBe(400);
      expect([hub.requests.length, alice.requests.length, aliceGpu.requests.length]).toEqual(counts);
    });

    it('an unsafe websocket path → 400', async () => {
      // (the ws client normalises '..' itself, so use an encoded slash)
      expect(await wsRefusal(proxy.publicPort, '/user%2Falice/gpu')).toBe(400);
    });

    it('huge headers → 431', async () => {
      const answer = await rawExchange(proxy.publicPort, `GET /user/alice/x HTTP/1.1\r\nHost: a\r\nX-Big: ${'y'.repeat(64 * 1024)}\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    });

    it('garbage instead of HTTP → 400', async () => {
      const answer = await rawExchange(proxy.publicPort, 'THIS IS NOT HTTP\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    });

    it('a client that disconnects mid-request does no harm', async () => {
      await new Promise<void>((resolve) => {
        const socket = net.connect(proxy.publicPort, '127.0.0.1', () => {
          socket.write('POST /user/alice/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\npartial', () => {
            socket.destroy();
            resolve();
          });
        });
      });
    });

    it('an absolute-form request target → 400', async () => {
      const answer = await rawExchange(proxy.publicPort, 'GET http://evil.example/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    });
  });
});
