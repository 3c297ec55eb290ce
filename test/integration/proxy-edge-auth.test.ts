// Edge authentication at a real proxy: users' prefixes need a signed cookie for that owner; GET
// without one goes to the hub, other methods and websockets get 401; everything else is open.
import http from 'node:http';
import { pino } from 'pino';
import WebSocket from 'ws';
import { startProxy, type RunningProxy } from '../../proxy/main';
import { signEdgeToken } from '../../proxy/edge-token';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend';

const TOKEN = 'edge-proxy-test-token';
const SECRET = 'edge-secret-for-the-proxy-tests-0123456789';
const logger = pino({ level: process.env.PROXY_TEST_LOG ?? 'silent' });

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function call(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function cookie(owner: string, secret = SECRET, lifeSeconds = 600): string {
  const now = Math.floor(Date.now() / 1000);
  return `sciencehub-edge=${signEdgeToken({ owner, viewer: 'someone', issuedAt: now, expiresAt: now + lifeSeconds }, secret)}`;
}

function wsStatus(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (err) => reject(err));
  });
}

describe('edge authentication at the proxy', () => {
  let hub: EchoBackend;
  let alice: EchoBackend;
  let alice2: EchoBackend;
  let proxy: RunningProxy;

  beforeAll(async () => {
    [hub, alice, alice2] = await Promise.all([startEchoBackend(), startEchoBackend(), startEchoBackend()]);
    proxy = await startProxy({ ip: '127.0.0.1', port: 0, apiPort: 0, authToken: TOKEN, defaultTarget: hub.url, edgeAuthSecret: SECRET }, { logger });
    for (const [path, target] of [['/user/alice', alice.url], ['/user/alice2', alice2.url], ['/services/open', hub.url]] as const) {
      const r = await call(proxy.apiPort, 'POST', `/api/routes${path}`, { Authorization: `token ${TOKEN}` }, JSON.stringify({ target }));
      expect(r.status).toBe(201);
    }
  });
  afterAll(async () => {
    await proxy.close();
    await Promise.all([hub.close(), alice.close(), alice2.close()]);
  });

  it('sends a GET without a cookie to the hub, keeping path and query in next', async () => {
    const before = alice.requests.length;
    const reply = await call(proxy.publicPort, 'GET', '/user/alice/lab/tree?x=1&y=2');
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe('/hub/edge-auth?next=%2Fuser%2Falice%2Flab%2Ftree%3Fx%3D1%26y%3D2');
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(alice.requests.length).toBe(before);
  });

  it("forwards with the owner's cookie, without passing the cookie on", async () => {
    const reply = await call(proxy.publicPort, 'GET', '/user/alice/api/status', { Cookie: `_xsrf=abc; ${cookie('alice')}` });
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.body) as { headers: Record<string, string> };
    expect(seen.headers.cookie).toBe('_xsrf=abc');
  });

  it("never opens alice2's prefix with alice's cookie, nor alice's with alice2's", async () => {
    expect((await call(proxy.publicPort, 'GET', '/user/alice2/lab', { Cookie: cookie('alice') })).status).toBe(302);
    expect((await call(proxy.publicPort, 'GET', '/user/alice/lab', { Cookie: cookie('alice2') })).status).toBe(302);
    expect((await call(proxy.publicPort, 'POST', '/user/alice2/api/x', { Cookie: cookie('alice') }, '{}')).status).toBe(401);
  });

  it('refuses forged, expired and foreign-secret cookies', async () => {
    const good = cookie('alice');
    const forged = good.slice(0, -10) + (good.at(-10) === 'A' ? 'B' : 'A') + good.slice(-9);
    expect((await call(proxy.publicPort, 'GET', '/user/alice/x', { Cookie: forged })).status).toBe(302);
    expect((await call(proxy.publicPort, 'GET', '/user/alice/x', { Cookie: cookie('alice', SECRET, 0) })).status).toBe(302);
    expect((await call(proxy.publicPort, 'GET', '/user/alice/x', { Cookie: cookie('alice', 'another-secret-of-enough-length-000000') })).status).toBe(302);
  });

  it('answers 401 to other methods and to websockets without a cookie', async () => {
    const put = await call(proxy.publicPort, 'PUT', '/user/alice/api/contents/x', {}, '{}');
    expect(put.status).toBe(401);
    expect(put.body).toContain('sign in');
    expect(await wsStatus(proxy.publicPort, '/user/alice/api/kernels/k/channels', {})).toBe(401);
    expect(await wsStatus(proxy.publicPort, '/user/alice/api/kernels/k/channels', { Cookie: cookie('alice') })).toBe(101);
  });

  it("leaves the hub's and services' routes open", async () => {
    expect((await call(proxy.publicPort, 'GET', '/hub/home')).status).toBe(200);
    expect((await call(proxy.publicPort, 'GET', '/services/open/x')).status).toBe(200);
    // A user whose server has no route reaches the hub (which does its own auth).
    expect((await call(proxy.publicPort, 'GET', '/user/carol/lab')).status).toBe(200);
    expect(hub.requests.at(-1)?.url).toBe('/user/carol/lab');
  });
});
