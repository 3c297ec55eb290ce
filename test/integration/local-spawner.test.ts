// The local spawner against real child processes: the shared contract with fake-singleuser.js,
// local-only failure and stop cases, and one run of the real jupyterhub-singleuser 3.0.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SpawnError } from '../../spawner/errors';
import { LocalSpawnerConfigSchema, type LocalSpawnerConfigInput } from '../../spawner/local/config';
import { createLocalSpawner } from '../../spawner/local/local-spawner';
import { isLiveState, readProcStat } from '../../spawner/local/proc-stat';
import { NO_RESOURCES, type ServerRef, type SpawnRequest, type Spawner } from '../../spawner/types';
import { abortStart, refusesHttp, runSpawnerContract, runStart, waitForHttp } from '../contracts/spawner.contract';
import { FAKE_SINGLEUSER, testSpawnerDeps } from '../helpers/test-spawners';

const root = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-local-spawner-'));
// Every child carries this marker, so the suite can prove which of its processes are left.
const MARKER = `run-${process.pid}-${Date.now()}`;
const markerOf = (user: string) => `${MARKER}-${user}`;

function localSpawner(stateDir: string, extra: LocalSpawnerConfigInput = {}): Spawner {
  const config = LocalSpawnerConfigSchema.parse({ cmd: [process.execPath, FAKE_SINGLEUSER], stateDir, stopGraceSeconds: 2, ...extra });
  return createLocalSpawner(config, testSpawnerDeps());
}

function request(user: string, env: Record<string, string> = {}): SpawnRequest {
  const prefix = `/user/${user}/`;
  return {
    user, serverName: '', state: null, image: null, resources: NO_RESOURCES, prefix,
    env: {
      JUPYTERHUB_USER: user,
      JUPYTERHUB_SERVICE_PREFIX: prefix,
      JUPYTERHUB_API_TOKEN: `token-for-${user}`,
      SCIENCEHUB_TEST_MARKER: markerOf(user),
      ...env,
    },
  };
}

/** Live (non-zombie) processes started for `user` by this suite. */
function livePidsOf(user: string): number[] {
  const needle = `SCIENCEHUB_TEST_MARKER=${markerOf(user)}\0`;
  return pidsWhoseEnvIncludes(needle);
}

function pidsWhoseEnvIncludes(needle: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').includes(needle) && isLiveState(readProcStat(Number(name)))) {
        pids.push(Number(name));
      }
    } catch {
      // The process went away while we looked.
    }
  }
  return pids;
}

function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

afterAll(() => {
  // Safety net: anything this run started and a failed test left behind, found by marker.
  for (const pid of pidsWhoseEnvIncludes(`SCIENCEHUB_TEST_MARKER=${MARKER}`)) {
    try { process.kill(-pid, 'SIGKILL'); } catch { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }
  rmSync(root, { recursive: true, force: true });
});

runSpawnerContract('local with fake-singleuser', () => localSpawner(path.join(root, 'contract')), (user) => request(user));

describe('local spawner, local-only behaviour', () => {
  const stateDir = path.join(root, 'local');
  const refs: ServerRef[] = [];
  let spawner: Spawner;
  let n = 0;
  const user = () => `local${(n += 1)}`;

  beforeAll(() => { spawner = localSpawner(stateDir, { stopGraceSeconds: 0.5 }); });
  afterAll(async () => {
    for (const ref of refs) await spawner.stop(ref, { now: true });
    await spawner.close();
  });

  async function start(req: SpawnRequest) {
    const out = await runStart(spawner, req);
    const ref: ServerRef = { user: req.user, serverName: req.serverName, state: out.result.state };
    refs.push(ref);
    return { ...out, ref, pid: out.result.state.pid as number };
  }

  test('a process that exits at start gives a SpawnError with its exit code and log tail', async () => {
    const req = request(user(), { FAKE_SINGLEUSER_EXIT_AT_START: '3' });
    const err = await runStart(spawner, req).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SpawnError);
    const spawnError = err as SpawnError;
    expect(spawnError.reason).toBe('exited');
    expect(spawnError.userMessage).toContain('exit code 3');
    expect(spawnError.logTail).toEqual(['fake-singleuser: failing at start with exit code 3 as asked']);
    expect((await spawner.list()).map((a) => a.user)).not.toContain(req.user);
  }, 15_000);

  test('a missing command gives a SpawnError naming the failure', async () => {
    const broken = localSpawner(path.join(root, 'broken'), { cmd: [path.join(root, 'no-such-command')] });
    const err = await runStart(broken, request(user())).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SpawnError);
    expect((err as SpawnError).reason).toBe('spawn-failed');
    expect((err as SpawnError).detail).toContain('ENOENT');
    await broken.close();
  });

  test('a process ignoring SIGTERM is killed after the grace time', async () => {
    const req = request(user(), { FAKE_SINGLEUSER_IGNORE_SIGTERM: '1' });
    const { ref, result } = await start(req);
    await waitForHttp(result.url + req.prefix);
    await spawner.stop(ref);
    expect(livePidsOf(req.user)).toEqual([]);
    expect(await spawner.poll(ref)).toMatchObject({ status: 'stopped' });
    // The TERM was delivered (and ignored) before the KILL.
    expect(readFileSync(result.state.logFile as string, 'utf8')).toContain('ignoring SIGTERM as asked');
  }, 15_000);

  test('stop with now skips SIGTERM', async () => {
    const req = request(user(), { FAKE_SINGLEUSER_IGNORE_SIGTERM: '1' });
    const { ref, result } = await start(req);
    await waitForHttp(result.url + req.prefix);
    await spawner.stop(ref, { now: true });
    expect(livePidsOf(req.user)).toEqual([]);
    expect(readFileSync(result.state.logFile as string, 'utf8')).not.toContain('SIGTERM');
  }, 15_000);

  test('the child gets the request env and JUPYTERHUB_SERVICE_URL, never the hub secrets', async () => {
    process.env.SCIENCEHUB_TEST_HUB_SECRET = 'do-not-leak';
    try {
      const req = request(user(), { JUPYTERHUB_CLIENT_ID: 'jupyterhub-user-x' });
      const { pid, result } = await start(req);
      const env = environOf(pid);
      expect(env).toMatchObject(req.env);
      expect(env.JUPYTERHUB_SERVICE_URL).toBe(`http://127.0.0.1:${String(result.state.port)}${req.prefix}`);
      expect(env.SCIENCEHUB_TEST_HUB_SECRET).toBeUndefined();
      const home = path.join(stateDir, 'home', req.user);
      expect(env.HOME).toBe(home);
      const info = (await (await fetch(result.url + req.prefix)).json()) as { cwd: string };
      expect(info.cwd).toBe(home);
    } finally {
      delete process.env.SCIENCEHUB_TEST_HUB_SECRET;
    }
  }, 15_000);

  test('a process that dies on its own polls as stopped with how it ended, and list() drops it', async () => {
    const req = request(user());
    const { ref, pid, result } = await start(req);
    await waitForHttp(result.url + req.prefix);
    process.kill(pid, 'SIGKILL');
    await waitUntil(async () => (await spawner.poll(ref)).status === 'stopped');
    const polled = await spawner.poll(ref);
    expect(polled).toMatchObject({ status: 'stopped', reason: expect.stringContaining('SIGKILL') });
    if (polled.status === 'stopped') expect(polled.logTail?.join('\n')).toContain('fake-singleuser: listening');
    const restarted = localSpawner(stateDir);
    expect((await restarted.list()).map((a) => a.user)).not.toContain(req.user);
    expect(readdirSync(path.join(stateDir, 'servers')).some((f) => f.startsWith(`${req.user}__`))).toBe(false);
    await restarted.close();
  }, 15_000);

  test('a live pid with another start time (pid reuse) is not our server', async () => {
    const self = readProcStat(process.pid);
    expect(self).not.toBeNull();
    const state = { pid: process.pid, port: 1, startTime: (self?.startTime ?? 0) + 1, logFile: path.join(stateDir, 'logs', 'x.log') };
    expect(await spawner.poll({ user: 'reused', serverName: '', state })).toMatchObject({ status: 'stopped' });
  });

  test('aborting while the process has not yet started listening kills it', async () => {
    const req = request(user(), { FAKE_SINGLEUSER_LISTEN_DELAY_MS: '600000' });
    const err = await abortStart(spawner, req, 2);
    expect(err).toBeInstanceOf(SpawnError);
    expect((err as SpawnError).reason).toBe('aborted');
    expect(livePidsOf(req.user)).toEqual([]);
  }, 15_000);

  test('stop() during a start ends the start and the process', async () => {
    const req = request(user(), { FAKE_SINGLEUSER_LISTEN_DELAY_MS: '600000' });
    const gen = spawner.start(req, new AbortController().signal);
    await gen.next();
    const second = await gen.next();
    expect(second.done).toBe(false);
    expect(livePidsOf(req.user)).toHaveLength(1);
    expect(await spawner.poll({ user: req.user, serverName: '', state: null })).toEqual({ status: 'running' });
    const pending = gen.next().then(() => null, (e: unknown) => e);
    await spawner.stop({ user: req.user, serverName: '', state: null });
    expect(await pending).toMatchObject({ reason: 'stopped' });
    expect(livePidsOf(req.user)).toEqual([]);
  }, 15_000);

  test('starts beyond maxConcurrentStarts wait in line, see their place, and launch once a slot frees', async () => {
    const queued = localSpawner(path.join(root, 'queue'), { maxConcurrentStarts: 1, stopGraceSeconds: 0.5 });
    const slow = (u: string) => request(u, { FAKE_SINGLEUSER_LISTEN_DELAY_MS: '400' });
    const [first, second, third] = [slow(user()), slow(user()), slow(user())];
    const started = Promise.all([runStart(queued, first), runStart(queued, second), runStart(queued, third)]);
    try {
      // While the first start holds the slot, the others have no process yet.
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(livePidsOf(first.user)).toHaveLength(1);
      expect(livePidsOf(second.user)).toEqual([]);
      expect(livePidsOf(third.user)).toEqual([]);
      const [a, b, c] = await started;
      const messages = (r: typeof a) => r.events.map((e) => e.message);
      expect(messages(a).filter((m) => m.startsWith('Waiting in line'))).toEqual([]);
      expect(messages(b)[0]).toBe('Waiting in line to start: you are next');
      expect(messages(c)[0]).toBe('Waiting in line to start: 1 server ahead of yours');
      expect(messages(c)).toContain('Waiting in line to start: you are next');
      expect(await waitForHttp(`${a.result.url}${first.prefix}`, 5000)).toBe(200);
      expect(await waitForHttp(`${b.result.url}${second.prefix}`, 5000)).toBe(200);
      expect(await waitForHttp(`${c.result.url}${third.prefix}`, 5000)).toBe(200);
    } finally {
      for (const req of [first, second, third]) await queued.stop({ user: req.user, serverName: '', state: null }, { now: true });
    }
  }, 20_000);

  test('a start aborted while waiting in line gives its place up without launching', async () => {
    const queued = localSpawner(path.join(root, 'queue-abort'), { maxConcurrentStarts: 1, stopGraceSeconds: 0.5 });
    const holder = request(user(), { FAKE_SINGLEUSER_LISTEN_DELAY_MS: '600000' });
    const waiting = request(user());
    const holding = queued.start(holder, new AbortController().signal);
    await holding.next();
    try {
      const err = await abortStart(queued, waiting, 1);
      expect(err).toMatchObject({ reason: 'aborted' });
      expect(livePidsOf(waiting.user)).toEqual([]);
    } finally {
      await queued.stop({ user: holder.user, serverName: '', state: null }, { now: true });
      await holding.return(undefined as never).catch(() => undefined);
    }
    // The slot is free again: a new start runs without waiting.
    const next = request(user());
    const { events } = await runStart(queued, next);
    expect(events.some((e) => e.message.startsWith('Waiting in line'))).toBe(false);
    await queued.stop({ user: next.user, serverName: '', state: null }, { now: true });
  }, 20_000);
});

// A hub process that starts a server through the spawner and exits without stopping it. It loads the
// TypeScript sources through @swc/core, the compiler jest uses here.
const HUB_SCRIPT = `
const fs = require('node:fs');
const swc = require(${JSON.stringify(require.resolve('@swc/core'))});
require.extensions['.ts'] = (m, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' },
  });
  m._compile(code, filename);
};
const { createLocalSpawner } = require(${JSON.stringify(path.resolve(__dirname, '../../spawner/local/local-spawner.ts'))});
const { LocalSpawnerConfigSchema } = require(${JSON.stringify(path.resolve(__dirname, '../../spawner/local/config.ts'))});
const clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
const logger = require(${JSON.stringify(require.resolve('pino'))})({ level: 'silent' });
(async () => {
  const [stateDir, request] = [process.argv[2], JSON.parse(process.argv[3])];
  const config = LocalSpawnerConfigSchema.parse({ cmd: [process.execPath, ${JSON.stringify(FAKE_SINGLEUSER)}], stateDir });
  const gen = createLocalSpawner(config, { logger, clock }).start(request, new AbortController().signal);
  for (;;) { const step = await gen.next(); if (step.done) { process.stdout.write(JSON.stringify(step.value)); break; } }
})();
`;

describe('re-adoption across a real hub process restart', () => {
  test('the server outlives the hub process and a new hub adopts, polls and stops it', async () => {
    const stateDir = path.join(root, 'restart');
    const script = path.join(root, 'hub-once.js');
    writeFileSync(script, HUB_SCRIPT);
    const req = request('restarted');
    // The hub process must exit on its own while its server keeps running.
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [script, stateDir, JSON.stringify(req)], { cwd: path.resolve(__dirname, '../..'), timeout: 20_000 },
        (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)));
    });
    const started = JSON.parse(stdout) as { url: string; state: { pid: number } };
    expect(livePidsOf(req.user)).toEqual([started.state.pid]);
    expect(await waitForHttp(started.url + req.prefix)).toBe(200);

    const hub2 = localSpawner(stateDir);
    const adopted = (await hub2.list()).find((a) => a.user === req.user);
    expect(adopted).toMatchObject({ url: started.url, state: started.state });
    const ref: ServerRef = { user: req.user, serverName: '', state: adopted?.state ?? null };
    expect(await hub2.poll(ref)).toEqual({ status: 'running' });
    // No longer our child: once stopped it may linger as a zombie, which must count as gone.
    await hub2.stop(ref);
    expect(await hub2.poll(ref)).toMatchObject({ status: 'stopped' });
    expect(livePidsOf(req.user)).toEqual([]);
    expect(await hub2.list()).toEqual([]);
    await hub2.close();
  }, 30_000);
});

describe('local spawner with the real jupyterhub-singleuser', () => {
  let hub: http.Server;
  const hubCalls: string[] = [];

  beforeAll(async () => {
    // Just enough hub for singleuser 3.0 to start: the version probe and activity reports.
    hub = http.createServer((req, res) => {
      hubCalls.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
      req.resume();
      const ok = (req.method === 'GET' && req.url === '/hub/api') || (req.method === 'POST' && /\/activity$/.test(req.url ?? ''));
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json', 'x-jupyterhub-version': '3.0.0' });
      res.end(ok ? '{"version": "3.0.0"}' : '{}');
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => { await new Promise((resolve) => hub.close(resolve)); });

  test('starts, answers on its prefix, stops', async () => {
    const api = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/hub/api`;
    const spawner = createLocalSpawner(LocalSpawnerConfigSchema.parse({ stateDir: path.join(root, 'real') }), testSpawnerDeps());
    const user = 'alice';
    const req = request(user, {
      JUPYTERHUB_API_URL: api,
      JUPYTERHUB_CLIENT_ID: `jupyterhub-user-${user}`,
      JUPYTERHUB_SERVER_NAME: '',
      JUPYTERHUB_ACTIVITY_URL: `${api}/users/${user}/activity`,
      JUPYTERHUB_OAUTH_CALLBACK_URL: `/user/${user}/oauth_callback`,
      JUPYTERHUB_OAUTH_ACCESS_SCOPES: JSON.stringify([`access:servers!server=${user}/`, `access:servers!user=${user}`]),
      JUPYTERHUB_OAUTH_SCOPES: JSON.stringify([`access:servers!server=${user}/`, `access:servers!user=${user}`]),
      JUPYTERHUB_BASE_URL: '/',
      JUPYTERHUB_HOST: '',
    });
    const { result } = await runStart(spawner, req);
    const ref: ServerRef = { user, serverName: '', state: result.state };
    try {
      expect(await waitForHttp(result.url + req.prefix, 40_000)).toBeLessThan(500);
      expect(hubCalls).toContain('GET /hub/api');
      expect(await spawner.poll(ref)).toEqual({ status: 'running' });
    } finally {
      await spawner.stop(ref);
    }
    expect(await spawner.poll(ref)).toMatchObject({ status: 'stopped' });
    expect(await refusesHttp(result.url + req.prefix)).toBe(true);
    expect(livePidsOf(user)).toEqual([]);
    await spawner.close();
  }, 60_000);
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
