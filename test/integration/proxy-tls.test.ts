// TLS as JupyterHub's internal_ssl drives it: the public listener (--ssl-*), the API with client
// certificates (--api-ssl-*), and https/wss targets verified against --client-ssl-ca (or not,
// with --insecure). Certificates come from a throwaway CA made with openssl for each run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { startProxy, type RunningProxy } from '../../proxy/main';
import type { ProxyOptionsInput } from '../../proxy/options';

const TOKEN = 'tls-test-token';
const logger = pino({ level: process.env.PROXY_TEST_LOG ?? 'silent' });

interface Pki {
  dir: string;
  file(name: string): string;
  read(name: string): Buffer;
}

/** A CA plus a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makePki(): Pki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'proxy-tls-'));
  const file = (name: string): string => path.join(dir, name);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=proxy-test-ca', '-days', '2');
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const who of ['server', 'client']) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
    ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.crt`, '-days', '2',
      ...(who === 'server' ? ['-extfile', 'server.ext'] : []));
  }
  return { dir, file, read: (name) => readFileSync(file(name)) };
}

function get(url: string, options: https.RequestOptions = {}, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ...options, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

function plainStatus(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('proxy TLS (public, API, targets)', () => {
  let pki: Pki;
  let target: https.Server;
  let targetUrl: string;
  const started: RunningProxy[] = [];

  async function start(options: Partial<ProxyOptionsInput>): Promise<RunningProxy> {
    const p = await startProxy({ ip: '127.0.0.1', port: 0, apiPort: 0, authToken: TOKEN, ...options }, { logger });
    started.push(p);
    return p;
  }

  beforeAll(async () => {
    pki = makePki();
    // An https (and wss) target: answers what it saw; echoes websocket messages.
    target = https.createServer({ key: pki.read('server.key'), cert: pki.read('server.crt') }, (req, res) => {
      const body = JSON.stringify({ url: req.url, headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    new WebSocketServer({ server: target }).on('connection', (ws) => ws.on('message', (d) => ws.send(`echo ${String(d)}`)));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetUrl = `https://127.0.0.1:${(target.address() as AddressInfo).port}`;
  }, 30_000);
  afterAll(async () => {
    await Promise.all(started.map((p) => p.close()));
    await new Promise<void>((resolve) => {
      target.close(() => resolve());
      target.closeAllConnections();
    });
    rmSync(pki.dir, { recursive: true, force: true });
  });

  it('serves the public port over TLS and verifies https targets against --client-ssl-ca', async () => {
    const proxy = await start({
      sslKey: pki.file('server.key'), sslCert: pki.file('server.crt'), defaultTarget: targetUrl,
      clientSslCa: pki.file('ca.crt'), clientSslKey: pki.file('client.key'), clientSslCert: pki.file('client.crt'),
    });
    const reply = await get(`https://127.0.0.1:${proxy.publicPort}/user/x/api?y=1`, { ca: pki.read('ca.crt') });
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/user/x/api?y=1');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-forwarded-port']).toBe(String(proxy.publicPort));
    expect((await get(`https://127.0.0.1:${proxy.publicPort}/_chp_healthz`, { ca: pki.read('ca.crt') })).status).toBe(200);
  });

  it('carries wss through to a wss target', async () => {
    const proxy = await start({ sslKey: pki.file('server.key'), sslCert: pki.file('server.crt'), defaultTarget: targetUrl, clientSslCa: pki.file('ca.crt') });
    const answer = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${proxy.publicPort}/user/x/ws`, { ca: pki.read('ca.crt') });
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (d) => {
        resolve(String(d));
        ws.close();
      });
      ws.on('error', reject);
    });
    expect(answer).toBe('echo hello');
  });

  it('refuses a target whose certificate it cannot verify (503), unless --insecure', async () => {
    const strict = await start({ defaultTarget: targetUrl });
    expect(await plainStatus(strict.publicPort, '/x')).toBe(503);
    const insecure = await start({ defaultTarget: targetUrl, insecure: true });
    expect(await plainStatus(insecure.publicPort, '/x')).toBe(200);
  });

  it('serves the API over TLS and, with --api-ssl-request-cert --api-ssl-reject-unauthorized, only to clients with a CA-signed certificate', async () => {
    const proxy = await start({
      apiSslKey: pki.file('server.key'), apiSslCert: pki.file('server.crt'), apiSslCa: pki.file('ca.crt'),
      apiSslRequestCert: true, apiSslRejectUnauthorized: true, defaultTarget: targetUrl,
    });
    const url = `https://127.0.0.1:${proxy.apiPort}/api/routes`;
    const withCert = await get(url, { ca: pki.read('ca.crt'), key: pki.read('client.key'), cert: pki.read('client.crt') }, { Authorization: `token ${TOKEN}` });
    expect(withCert.status).toBe(200);
    expect(Object.keys(JSON.parse(withCert.body))).toEqual(['/']);
    await expect(get(url, { ca: pki.read('ca.crt') }, { Authorization: `token ${TOKEN}` })).rejects.toThrow();
    // The proxy keeps serving after a refused handshake.
    expect((await get(url, { ca: pki.read('ca.crt'), key: pki.read('client.key'), cert: pki.read('client.crt') }, { Authorization: `token ${TOKEN}` })).status).toBe(200);
  });

  it('names the flag when a TLS file cannot be read', async () => {
    await expect(start({ sslKey: '/nonexistent/key.pem', sslCert: pki.file('server.crt') })).rejects.toThrow('--ssl-key: cannot read /nonexistent/key.pem (ENOENT)');
  });
});
