// The forwarding path under awkward traffic: huge and chunked bodies, slow and vanishing clients,
// pipelining, bodiless answers, refused upgrades, target base paths and custom headers. Each case
// must end in a correct answer or a clean error, and the proxy must keep serving afterwards.
import { createHash } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { pino } from 'pino';
import WebSocket from 'ws';
import { startProxy, type RunningProxy } from '../../proxy/main';
import type { ProxyOptionsInput } from '../../proxy/options';

const TOKEN = 'robustness-test-token';
const logger = pino({ level: process.env.PROXY_TEST_LOG ?? 'silent' });

interface Backend {
  url: string;
  /** Requests whose response was cut off by the client going away (seen as 'close' before 'finish'). */
  aborted: string[];
  close(): Promise<void>;
}

/**
 * /sum: answers {bytes, sha256, url, headers} of the request body; /big/<n>: n bytes; /slow: headers,
 * then nothing; /status/<code>: that status, no body; /upgrade-refused: 403 to upgrades.
 */
async function startBackend(): Promise<Backend> {
  const aborted: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    res.on('close', () => {
      if (!res.writableFinished) aborted.push(url);
    });
    if (url.startsWith('/big/')) {
      const total = Number(url.slice(5));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': total });
      const chunk = Buffer.alloc(64 * 1024, 'z');
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          const n = Math.min(chunk.length, total - sent);
          sent += n;
          if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    if (url.startsWith('/slow')) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first part\n');
      return; // never ends on its own
    }
    if (url.startsWith('/status/')) {
      res.writeHead(Number(url.slice(8)));
      res.end();
      return;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
      hash.update(c);
    });
    req.on('end', () => {
      const body = JSON.stringify({ bytes, sha256: hash.digest('hex'), url, method: req.method, headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.on('upgrade', (_req, socket) => {
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\nConnection: close\r\n\r\nforbidden');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    aborted,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(port: number, method: string, path: string, opts: { headers?: Record<string, string>; body?: Buffer | string | Buffer[] } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (Array.isArray(opts.body)) {
      for (const part of opts.body) req.write(part);
      req.end();
    } else req.end(opts.body);
  });
}

function raw(port: number, payload: string, waitMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    socket.write(payload);
    if (waitMs > 0) setTimeout(() => socket.end(), waitMs);
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('proxy forwarding under awkward traffic', () => {
  let backend: Backend;
  let proxy: RunningProxy;
  const started: RunningProxy[] = [];

  async function start(options: Partial<ProxyOptionsInput> = {}): Promise<RunningProxy> {
    const p = await startProxy({ ip: '127.0.0.1', port: 0, apiPort: 0, authToken: TOKEN, defaultTarget: backend.url, ...options }, { logger });
    started.push(p);
    return p;
  }

  beforeAll(async () => {
    backend = await startBackend();
    proxy = await start();
  });
  afterAll(async () => {
    await Promise.all(started.map((p) => p.close()));
    await backend.close();
  });
  afterEach(async () => {
    const ok = await request(proxy.publicPort, 'GET', '/after');
    expect(ok.status).toBe(200);
  });

  it('forwards a 24 MiB body intact, with Content-Length and chunked', async () => {
    const body = Buffer.alloc(24 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4096) body[i] = i % 251;
    const sha256 = createHash('sha256').update(body).digest('hex');
    const sized = JSON.parse((await request(proxy.publicPort, 'PUT', '/sum', { body, headers: { 'Content-Length': String(body.length) } })).body.toString());
    expect(sized).toMatchObject({ bytes: body.length, sha256, method: 'PUT' });
    const parts = [body.subarray(0, 1000), body.subarray(1000, 5_000_000), body.subarray(5_000_000)];
    const chunked = JSON.parse((await request(proxy.publicPort, 'POST', '/sum', { body: parts, headers: { 'Transfer-Encoding': 'chunked' } })).body.toString());
    expect(chunked).toMatchObject({ bytes: body.length, sha256 });
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
  }, 60_000);

  it('streams a 32 MiB answer to a client that reads slowly, and serves others meanwhile', async () => {
    const total = 32 * 1024 * 1024;
    let received = 0;
    const done = new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: proxy.publicPort, path: `/big/${total}`, agent: false }, (res) => {
        res.on('data', (c: Buffer) => {
          received += c.length;
          res.pause();
          setTimeout(() => res.resume(), 2);
        });
        res.on('end', () => resolve(received));
        res.on('error', reject);
      }).on('error', reject);
    });
    await until(() => received > 0, 'the first bytes');
    for (let i = 0; i < 5; i++) expect((await request(proxy.publicPort, 'GET', `/sum?i=${i}`)).status).toBe(200);
    expect(await done).toBe(total);
  }, 60_000);

  it('aborts the upstream request when the client goes away mid-answer', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: proxy.publicPort, path: '/slow/vanishing', agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    });
    await until(() => backend.aborted.includes('/slow/vanishing'), 'the backend to see the abort');
  });

  it('answers pipelined requests in order on one connection', async () => {
    const answer = await raw(proxy.publicPort,
      'GET /sum?n=1 HTTP/1.1\r\nHost: a\r\n\r\nGET /sum?n=2 HTTP/1.1\r\nHost: a\r\n\r\nGET /sum?n=3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const urls = [...answer.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);
    expect(urls).toEqual(['/sum?n=1', '/sum?n=2', '/sum?n=3']);
    expect(answer.match(/HTTP\/1\.1 200 /g)).toHaveLength(3);
  });

  it('handles bodiless answers (HEAD, 204, 304) without hanging', async () => {
    const head = await request(proxy.publicPort, 'HEAD', '/sum');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect((await request(proxy.publicPort, 'GET', '/status/204')).status).toBe(204);
    expect((await request(proxy.publicPort, 'GET', '/status/304')).status).toBe(304);
  });

  it('sends the body at once after Expect: 100-continue', async () => {
    const reply = await request(proxy.publicPort, 'POST', '/sum', { body: 'x'.repeat(1000), headers: { Expect: '100-continue', 'Content-Length': '1000' } });
    expect(JSON.parse(reply.body.toString())).toMatchObject({ bytes: 1000 });
  });

  it('refuses requests the upstream client cannot send (duplicate Host) with a 400', async () => {
    const answer = await raw(proxy.publicPort, 'GET /sum HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  it("relays a target's refusal of a websocket upgrade as it is", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${proxy.publicPort}/upgrade-refused`);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => reject(new Error('opened')));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
  });

  it('puts the target URL path first, unless --no-prepend-path', async () => {
    const api = (p: RunningProxy, path: string, target: string): Promise<Reply> =>
      request(p.apiPort, 'POST', `/api/routes${path}`, { body: JSON.stringify({ target }), headers: { Authorization: `token ${TOKEN}` } });
    expect((await api(proxy, '/based', `${backend.url}/base/`)).status).toBe(201);
    expect(JSON.parse((await request(proxy.publicPort, 'GET', '/based/x?y=1')).body.toString()).url).toBe('/base/based/x?y=1');
    const plain = await start({ prependPath: false });
    await api(plain, '/based', `${backend.url}/base/`);
    expect(JSON.parse((await request(plain.publicPort, 'GET', '/based/x')).body.toString()).url).toBe('/based/x');
  });

  it('sets --custom-header values over what the client sent', async () => {
    const custom = await start({ customHeaders: ['X-Deployment: prod', 'X-Other: 1'] });
    const reply = await request(custom.publicPort, 'GET', '/sum', { headers: { 'X-Deployment': 'spoofed' } });
    expect(JSON.parse(reply.body.toString()).headers).toMatchObject({ 'x-deployment': 'prod', 'x-other': '1' });
  });

  it('drops a client that goes silent for --timeout, and serves the next one', async () => {
    const timed = await start({ timeout: 300 });
    const answer = await raw(timed.publicPort, 'GET /sum HTTP/1.1\r\nHost: a\r\nX-Slow: '); // never finishes its headers
    expect(answer === '' || /^HTTP\/1\.1 408 /.test(answer)).toBe(true);
    expect((await request(timed.publicPort, 'GET', '/sum')).status).toBe(200);
  });
});
