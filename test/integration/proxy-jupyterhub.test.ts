// Debian's JupyterHub 3.0 with our proxy as its proxy command (c.ConfigurableHTTPProxy.command):
// it starts the proxy with CHP's flags, adds its routes, spawns a user's server, the server is
// served through our proxy, and activity flows (route last_activity, then the hub's users API).
// Needs `npm run build` (the proxy runs from dist/) and Debian's jupyterhub package.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/ports';
import { pollUntil } from '../helpers/poll';

const CLI = path.join(__dirname, '..', '..', 'dist', 'hub', 'cli.js');

interface Reply {
  status: number;
  body: string;
}

function call(url: string, method = 'GET', headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.end(body);
  });
}

const until = <T>(check: () => Promise<T | undefined>, what: string, timeoutMs: number, log: () => string) =>
  pollUntil(what, () => check().catch(() => undefined), { timeoutMs, intervalMs: 100, detail: () => `--- jupyterhub log (tail) ---\n${log().slice(-4000)}` });

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

describe('JupyterHub 3.0 driving our proxy', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-jh-proxy-'));
  const proxyToken = randomBytes(24).toString('hex');
  const apiToken = randomBytes(24).toString('hex');
  let hub: ChildProcess;
  let log = '';
  let publicUrl = '';
  let proxyApi = '';
  let hubApi = '';
  const asService = { Authorization: `token ${apiToken}` };
  const asHub = { Authorization: `token ${proxyToken}` };
  const readLog = (): string => log;

  beforeAll(async () => {
    const [hubPort, publicPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    publicUrl = `http://127.0.0.1:${publicPort}`;
    proxyApi = `http://127.0.0.1:${apiPort}/api/routes`;
    hubApi = `http://127.0.0.1:${hubPort}/hub/api`;
    const py = (s: string): string => JSON.stringify(s);
    writeFileSync(path.join(dir, 'jupyterhub_config.py'), `
c.JupyterHub.bind_url = ${py(`${publicUrl}/`)}
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = ${hubPort}
c.ConfigurableHTTPProxy.command = [${py(process.execPath)}, ${py(CLI)}, 'proxy']
c.ConfigurableHTTPProxy.api_url = ${py(`http://127.0.0.1:${apiPort}`)}
c.ConfigurableHTTPProxy.auth_token = ${py(proxyToken)}
c.ConfigurableHTTPProxy.pid_file = ${py(path.join(dir, 'proxy.pid'))}
c.JupyterHub.authenticator_class = 'dummy'
c.JupyterHub.spawner_class = 'simple'
c.SimpleLocalProcessSpawner.home_dir_template = ${py(path.join(dir, 'home', '{username}'))}
c.Spawner.args = ['--allow-root']
c.Spawner.http_timeout = 60
c.JupyterHub.last_activity_interval = 1
c.JupyterHub.cleanup_servers = True
c.JupyterHub.db_url = ${py(`sqlite:///${path.join(dir, 'jupyterhub.sqlite')}`)}
c.JupyterHub.cookie_secret_file = ${py(path.join(dir, 'cookie_secret'))}
c.JupyterHub.services = [{'name': 'proxy-test', 'api_token': ${py(apiToken)}}]
c.JupyterHub.load_roles = [{'name': 'proxy-test', 'services': ['proxy-test'],
  'scopes': ['admin:users', 'read:users', 'servers', 'read:servers', 'access:servers']}]
`);
    hub = spawn('jupyterhub', ['-f', 'jupyterhub_config.py'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    hub.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    hub.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    await until(async () => ((await call(`${publicUrl}/hub/api/`)).status === 200 ? true : undefined), 'the hub through our proxy', 90_000, readLog);
  }, 120_000);

  afterAll(async () => {
    if (hub.exitCode === null && hub.pid !== undefined) {
      process.kill(-hub.pid, 'SIGTERM');
      await until(async () => (hub.exitCode !== null ? true : undefined), 'jupyterhub to stop', 30_000, readLog).catch(() => {
        if (hub.pid !== undefined) process.kill(-hub.pid, 'SIGKILL');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('was started by JupyterHub with CHP flags and holds the routes JupyterHub added', async () => {
    const pid = Number(readFileSync(path.join(dir, 'proxy.pid'), 'utf8'));
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(expect.arrayContaining([CLI, 'proxy', '--api-port', '--error-target', '--log-level']));
    const routes = JSON.parse((await call(proxyApi, 'GET', asHub)).body) as Record<string, { target: string; hub?: boolean; jupyterhub?: boolean }>;
    expect(routes['/']).toMatchObject({ target: expect.stringContaining('127.0.0.1'), jupyterhub: true });
    expect((await call(proxyApi, 'GET', { Authorization: 'token wrong' })).status).toBe(403);
  });

  it("spawns a user's server and serves it through our proxy, with activity reaching the hub", async () => {
    expect((await call(`${hubApi}/users/alice`, 'POST', asService)).status).toBe(201);
    const started = await call(`${hubApi}/users/alice/server`, 'POST', asService);
    expect([201, 202]).toContain(started.status);
    await until(async () => {
      const user = JSON.parse((await call(`${hubApi}/users/alice`, 'GET', asService)).body) as { servers?: Record<string, { ready?: boolean }> };
      return user.servers?.['']?.ready === true ? true : undefined;
    }, "alice's server to be ready", 90_000, readLog);

    const route = await until(async () => {
      const r = JSON.parse((await call(proxyApi, 'GET', asHub)).body) as Record<string, { user?: string; server_name?: string; last_activity?: string; target: string }>;
      return r['/user/alice'];
    }, 'the route JupyterHub adds for alice', 30_000, readLog);
    expect(route).toMatchObject({ user: 'alice', server_name: '', jupyterhub: true });

    await new Promise((r) => setTimeout(r, 5)); // a later millisecond than the route's stamp
    const status = await call(`${publicUrl}/user/alice/api/status`, 'GET', asService);
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toHaveProperty('started');

    const after = JSON.parse((await call(`${proxyApi}/user/alice`, 'GET', asHub)).body) as { last_activity: string };
    expect(Date.parse(after.last_activity)).toBeGreaterThan(Date.parse(route.last_activity as string));
    // JupyterHub polls the proxy's routes every second (last_activity_interval) and keeps the newest.
    await until(async () => {
      const user = JSON.parse((await call(`${hubApi}/users/alice`, 'GET', asService)).body) as { last_activity: string | null; servers: Record<string, { last_activity: string }> };
      const server = user.servers[''];
      return server !== undefined && Date.parse(server.last_activity) >= Date.parse(after.last_activity) && user.last_activity !== null ? true : undefined;
    }, "the hub's users API to show the proxy's activity", 30_000, readLog);

    expect((await call(`${publicUrl}/user/alice/api/status`, 'GET')).status).toBe(403);
  }, 180_000);

  it('removes the route when the server stops, and stops with JupyterHub', async () => {
    expect([202, 204]).toContain((await call(`${hubApi}/users/alice/server`, 'DELETE', asService)).status);
    await until(async () => {
      const r = JSON.parse((await call(proxyApi, 'GET', asHub)).body) as Record<string, unknown>;
      return r['/user/alice'] === undefined ? true : undefined;
    }, 'the route to go', 60_000, readLog);
    const pid = Number(readFileSync(path.join(dir, 'proxy.pid'), 'utf8'));
    process.kill(-(hub.pid as number), 'SIGTERM');
    await until(async () => (hub.exitCode !== null && !alive(pid) ? true : undefined), 'jupyterhub and our proxy to stop', 30_000, readLog);
  }, 120_000);
});
