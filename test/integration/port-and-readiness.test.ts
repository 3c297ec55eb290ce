// Regressions found by the spawn benchmark: two servers must never share a port, readiness
// must not take another server's 404 for our server, and a client's `Connection: close` must
// not poison the proxy's pooled connection to the hub for other users.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { NO_RESOURCES, type SpawnRequest } from '../../spawner/types';
import { fakeLocalSpawner } from '../helpers/test-spawners';
import { runStart } from '../contracts/spawner.contract';
import { waitForHttp } from '../../hub/servers/readiness';
import { realClock } from '../../hub/clock';
import { ADMIN_TOKEN, startHarness } from '../helpers/hub-harness';

jest.setTimeout(60_000);

function request(user: string): SpawnRequest {
  return { user, serverName: '', state: null, image: null, resources: NO_RESOURCES, prefix: `/user/${user}/`, env: { JUPYTERHUB_USER: user } };
}

it('gives twenty servers started at once twenty different ports', async () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-ports-'));
  const spawner = fakeLocalSpawner({ stateDir });
  const users = Array.from({ length: 20 }, (_, i) => `u${i}`);
  try {
    const results = await Promise.all(users.map((u) => runStart(spawner, request(u))));
    const ports = results.map((r) => new URL(r.result.url).port);
    expect(new Set(ports).size).toBe(20);
    for (const [i, u] of users.entries()) {
      const res = await fetch(`${results[i]?.result.url}/user/${u}/api`);
      expect(((await res.json()) as { user: string }).user).toBe(u);
    }
  } finally {
    await Promise.all(users.map((u) => spawner.stop({ user: u, serverName: '', state: null }, { now: true })));
    rmSync(stateDir, { recursive: true, force: true });
  }
});

it('does not take a 404 on our prefix (another server on the port) for ready', async () => {
  const other = http.createServer((_req, res) => { res.statusCode = 404; res.end(); });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
  const port = (other.address() as AddressInfo).port;
  try {
    await expect(waitForHttp({
      url: `http://127.0.0.1:${port}/user/bob/api`, deadlineMs: 600, clock: realClock,
      signal: new AbortController().signal, stillAlive: async () => undefined,
    })).rejects.toThrow('timeout');
  } finally {
    other.close();
  }
});

it('keeps other users’ requests working after a client asks to close its connection', async () => {
  const h = await startHarness();
  try {
    await h.api('POST', '/users', { usernames: ['pat'] });
    expect((await h.api('POST', '/users/pat/server', {})).status).toBe(202);
    await h.hub.ctx.orchestrator.settled('pat', '');
    const proxyPort = h.proxy.publicPort;
    const closeStream = () => new Promise<number>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: proxyPort, path: '/hub/api/users/pat/server/progress', agent: false,
        headers: { Connection: 'close', Authorization: `token ${ADMIN_TOKEN}` } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
      req.on('error', reject);
    });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push(await closeStream());
      const [a, b] = await Promise.all([fetch(`${h.origin}/hub/api/`), fetch(`${h.origin}/hub/api/`)]);
      statuses.push(a.status, b.status);
    }
    expect(statuses).toEqual(Array(30).fill(200));
  } finally {
    await h.close();
  }
});
