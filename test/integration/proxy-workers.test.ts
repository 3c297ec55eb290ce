// `sciencehub proxy --workers 2` as a real process tree (needs `npm run build`): routes written
// through the API are live in every worker when the API answers, activity recorded by the workers
// shows on the next API read, a worker that dies is replaced, SIGTERM stops them all; and as a
// Redis replica, its workers serve what another replica adds.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend';
import { startRedis } from '../helpers/redis-server';
import { pollUntil } from '../helpers/poll';

const CLI = path.join(__dirname, '..', '..', 'dist', 'hub', 'cli.js');
const TOKEN = 'workers-test-token';

function call(port: number, method: string, urlPath: string, body?: string, auth = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: urlPath, headers: auth ? { Authorization: `token ${TOKEN}` } : {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Live children of a pid (from /proc), zombies excluded. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> => {
  await pollUntil(what, check, { timeoutMs, intervalMs: 25 });
};

describe('proxy --workers 2', () => {
  let backend: EchoBackend;
  let child: ChildProcess;
  let output = '';
  let publicPort = 0;
  let apiPort = 0;

  beforeAll(async () => {
    backend = await startEchoBackend();
    child = spawn(process.execPath, [CLI, 'proxy', '--ip', '127.0.0.1', '--port', '0', '--api-ip', '127.0.0.1', '--api-port', '0', '--workers', '2', '--log-level', 'info'], {
      env: { PATH: process.env.PATH ?? '', CONFIGPROXY_AUTH_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    await until(() => output.includes('"proxy listening"') || child.exitCode !== null, 'proxy listening', 30_000);
    const line = JSON.parse(output.split('\n').find((l) => l.includes('"proxy listening"')) ?? '{}') as { public?: string; api?: string };
    publicPort = Number(/:(\d+)$/.exec(line.public ?? '')?.[1]);
    apiPort = Number(/:(\d+)$/.exec(line.api ?? '')?.[1]);
    expect(publicPort).toBeGreaterThan(0);
  }, 40_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      for (const pid of childrenOf(child.pid as number)) process.kill(pid, 'SIGKILL');
    }
    await backend.close();
  });

  it('runs two workers and serves a route from the moment the API says 201, in every worker', async () => {
    await until(() => childrenOf(child.pid as number).length === 2, 'two workers');
    for (let i = 0; i < 20; i++) {
      expect((await call(apiPort, 'POST', `/api/routes/user/u${i}`, JSON.stringify({ target: backend.url }), true)).status).toBe(201);
      // agent: false = a new connection each time, spread over the workers.
      for (let j = 0; j < 4; j++) expect((await call(publicPort, 'GET', `/user/u${i}/x`)).status).toBe(200);
    }
    expect((await call(apiPort, 'DELETE', '/api/routes/user/u0', undefined, true)).status).toBe(204);
    for (let j = 0; j < 6; j++) expect((await call(publicPort, 'GET', '/user/u0/x')).status).toBe(404);
  }, 30_000);

  it("shows the workers' activity on the next API read", async () => {
    const before = JSON.parse((await call(apiPort, 'GET', '/api/routes/user/u5', undefined, true)).body).last_activity as string;
    await new Promise((r) => setTimeout(r, 5)); // a later millisecond
    for (let j = 0; j < 4; j++) expect((await call(publicPort, 'GET', '/user/u5/lab')).status).toBe(200);
    const after = JSON.parse((await call(apiPort, 'GET', '/api/routes', undefined, true)).body)['/user/u5'].last_activity as string;
    expect(after > before).toBe(true);
  });

  it('replaces a worker that dies and keeps serving', async () => {
    const [victim] = childrenOf(child.pid as number);
    process.kill(victim as number, 'SIGKILL');
    await until(() => {
      const now = childrenOf(child.pid as number);
      return now.length === 2 && !now.includes(victim as number);
    }, 'a replacement worker');
    for (let j = 0; j < 10; j++) expect((await call(publicPort, 'GET', '/user/u7/x')).status).toBe(200);
    expect(output).toContain('proxy worker exited; starting a new one');
  }, 30_000);

  it('stops every worker on SIGTERM', async () => {
    const workers = childrenOf(child.pid as number);
    child.kill('SIGTERM');
    await until(() => child.exitCode !== null, 'the primary to exit');
    expect(child.exitCode).toBe(0);
    await until(() => workers.every((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
      } catch {
        return true;
      }
    }), 'the workers to exit');
  }, 30_000);
});

describe('proxy --workers 2 as a Redis replica', () => {
  it("serves routes another replica adds, and its workers report Redis' state", async () => {
    const redis = await startRedis();
    const backend = await startEchoBackend();
    const children: ChildProcess[] = [];
    const launch = async (extra: string[]): Promise<{ publicPort: number; apiPort: number; child: ChildProcess }> => {
      let out = '';
      const child = spawn(process.execPath, [CLI, 'proxy', '--ip', '127.0.0.1', '--port', '0', '--api-ip', '127.0.0.1', '--api-port', '0', '--redis-url', redis.url, '--redis-prefix', 'workers-replica:', ...extra], {
        env: { PATH: process.env.PATH ?? '', CONFIGPROXY_AUTH_TOKEN: TOKEN },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
      await until(() => out.includes('"proxy listening"') || child.exitCode !== null, 'proxy listening', 30_000);
      const line = JSON.parse(out.split('\n').find((l) => l.includes('"proxy listening"')) ?? '{}') as { public?: string; api?: string };
      return { publicPort: Number(/:(\d+)$/.exec(line.public ?? '')?.[1]), apiPort: Number(/:(\d+)$/.exec(line.api ?? '')?.[1]), child };
    };
    try {
      const single = await launch([]);
      const workers = await launch(['--workers', '2']);
      expect((await call(single.apiPort, 'POST', '/api/routes/user/zoe', JSON.stringify({ target: backend.url }), true)).status).toBe(201);
      await until(async () => {
        const results = await Promise.all([0, 1, 2, 3].map(() => call(workers.publicPort, 'GET', '/user/zoe/lab')));
        return results.every((r) => r.status === 200);
      }, 'both workers to route zoe');
      const health = JSON.parse((await call(workers.publicPort, 'GET', '/_chp_healthz')).body) as { status: string; redis: { connected: boolean } };
      expect(health).toMatchObject({ status: 'ok', redis: { connected: true } });
    } finally {
      for (const child of children) {
        child.kill('SIGTERM');
        await until(() => child.exitCode !== null, 'a replica to stop');
      }
      await backend.close();
      await redis.stop();
    }
  }, 60_000);
});
