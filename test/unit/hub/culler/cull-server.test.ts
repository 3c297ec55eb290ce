// The hub-side cull on a real file store: re-check on fresh data, the atomic claim (two cullers
// never both stop a server), and one pass of the hub's timer with proxy activity folded in first.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openFileStore } from '../../../../hub/store/file-store';
import { serverKey, type Server, type Store } from '../../../../hub/store/store';
import { emptyServer } from '../../../../hub/servers/orchestrator';
import { NO_RESOURCES } from '../../../../spawner/types';
import { cullServer } from '../../../../hub/culler/cull-server';
import { runCullPass } from '../../../../hub/culler/hub-culler';
import { CullerConfigSchema } from '../../../../hub/culler/config';
import type { ProxyRoute } from '../../../../hub/proxy-sync/proxy-client';
import { ManualClock } from '../../spawner/manual-clock';

const logger = pino({ level: 'silent' });
const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let dir: string;
let store: Store;
let clock: ManualClock;

/** Stops like the real orchestrator does (state → stopped with the reason), recording each call. */
function recordingOrchestrator(s: Store) {
  const calls: Array<{ user: string; server: string; stateAtCall: string | undefined; options: Record<string, unknown> }> = [];
  return {
    calls,
    async stop(user: string, server: string, options: { reason?: string | null; event?: string; data?: Record<string, unknown> } = {}) {
      const key = serverKey(user, server);
      calls.push({ user, server, stateAtCall: (await s.servers.get(key))?.state, options });
      await new Promise((r) => setTimeout(r, 5));
      await s.servers.update(key, (cur) => ({ ...cur, state: 'stopped', url: null, stopReason: options.reason ?? null }));
    },
  };
}

async function putServer(user: string, over: Partial<Server> = {}): Promise<void> {
  await store.users.create(user, { name: user, admin: false, groups: [], created: iso(T0), lastActivity: null });
  await store.servers.put(serverKey(user, over.name ?? ''), {
    ...emptyServer(user, over.name ?? '', NO_RESOURCES), state: 'running', url: 'http://127.0.0.1:1', started: iso(T0), lastActivity: iso(T0), ...over,
  });
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'culler-unit-'));
  store = await openFileStore(path.join(dir, 'state.json'), { logger });
  clock = new ManualClock(T0 + 3600_000);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cullServer', () => {
  it('claims a due server (running → stopping) and stops it with a cull event carrying the reason', async () => {
    await putServer('alice');
    const orchestrator = recordingOrchestrator(store);
    const outcome = await cullServer({ store, orchestrator, clock, logger }, { user: 'alice', server: '', reason: 'idle', limitSeconds: 3600, by: 'hub' });
    expect(outcome).toEqual({ culled: true, message: 'it was idle for 1 hour (the limit is 1 hour).' });
    expect(orchestrator.calls).toEqual([{
      user: 'alice', server: '', stateAtCall: 'stopping',
      options: { reason: 'it was idle for 1 hour (the limit is 1 hour).', event: 'cull', data: { reason: 'idle', elapsedSeconds: 3600, limitSeconds: 3600, by: 'hub' } },
    }]);
    expect((await store.servers.get(serverKey('alice', '')))?.stopReason).toBe('it was idle for 1 hour (the limit is 1 hour).');
  });

  it('refuses when fresh data says it is not due (activity arrived since the plan), leaving it running', async () => {
    await putServer('alice', { lastActivity: iso(T0 + 60_000) });
    const orchestrator = recordingOrchestrator(store);
    expect(await cullServer({ store, orchestrator, clock, logger }, { user: 'alice', server: '', reason: 'idle', limitSeconds: 3600, by: 'x' }))
      .toEqual({ culled: false, why: 'not-due' });
    expect(orchestrator.calls).toEqual([]);
    expect((await store.servers.get(serverKey('alice', '')))?.state).toBe('running');
  });

  it.each(['pending', 'stopping', 'stopped'] as const)('does not touch a %s server', async (state) => {
    await putServer('alice', { state });
    const orchestrator = recordingOrchestrator(store);
    expect(await cullServer({ store, orchestrator, clock, logger }, { user: 'alice', server: '', reason: 'max-age', limitSeconds: 1, by: 'x' }))
      .toEqual({ culled: false, why: 'not-running' });
    expect(orchestrator.calls).toEqual([]);
    expect((await store.servers.get(serverKey('alice', '')))?.state).toBe(state);
  });

  it('reports a server that does not exist as gone', async () => {
    const orchestrator = recordingOrchestrator(store);
    expect(await cullServer({ store, orchestrator, clock, logger }, { user: 'nobody', server: 'x', reason: 'idle', limitSeconds: 1, by: 'x' }))
      .toEqual({ culled: false, why: 'gone' });
  });

  it('stops a server once when several cullers ask at the same moment', async () => {
    await putServer('alice');
    const orchestrator = recordingOrchestrator(store);
    const outcomes = await Promise.all(Array.from({ length: 5 }, (_, i) =>
      cullServer({ store, orchestrator, clock, logger }, { user: 'alice', server: '', reason: 'idle', limitSeconds: 3600, by: `culler-${i}` })));
    expect(outcomes.filter((o) => o.culled)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.culled)).toEqual(Array(4).fill({ culled: false, why: 'not-running' }));
    expect(orchestrator.calls).toHaveLength(1);
  });
});

describe('runCullPass (the hub timer)', () => {
  const config = CullerConfigSchema.parse({ timeoutSeconds: 3600, concurrency: 2, overrides: { groups: { staff: { timeoutSeconds: 7200 } } } });

  it('folds proxy activity in first, then culls only what is still idle, bounded by concurrency', async () => {
    for (const u of ['a', 'b', 'c', 'd', 'e']) await putServer(u);
    await putServer('busy');
    await putServer('staffer');
    await store.users.update('staffer', (u) => ({ ...u, groups: ['staff'] }));
    await putServer('starting', { state: 'pending' });
    const routes: Record<string, ProxyRoute> = {
      '/user/busy': { target: 'http://127.0.0.1:1', user: 'busy', server_name: '', last_activity: iso(clock.now() - 1000) },
      '/user/a': { target: 'http://127.0.0.1:1', user: 'a', server_name: '', last_activity: iso(T0 - 1000) },
    };
    const orchestrator = recordingOrchestrator(store);
    let inFlight = 0;
    let peak = 0;
    const counting = {
      async stop(user: string, server: string, options: Record<string, unknown>) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await orchestrator.stop(user, server, options);
        inFlight--;
      },
    };
    const report = await runCullPass({ store, orchestrator: counting, clock, logger, config, proxy: { getRoutes: async () => routes } });
    expect(report).toEqual({ checked: 7, culled: 5, skipped: 0, failed: 0 });
    expect(orchestrator.calls.map((c) => c.user).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(peak).toBe(2);
    expect((await store.servers.get(serverKey('busy', '')))?.lastActivity).toBe(routes['/user/busy']?.last_activity);
    expect((await store.servers.get(serverKey('busy', '')))?.state).toBe('running');
    expect((await store.servers.get(serverKey('staffer', '')))?.state).toBe('running');
    expect((await store.servers.get(serverKey('starting', '')))?.state).toBe('pending');
  });

  it('culls nothing when it cannot read activity from the proxy', async () => {
    await putServer('a');
    const orchestrator = recordingOrchestrator(store);
    const report = await runCullPass({
      store, orchestrator, clock, logger, config, proxy: { getRoutes: async () => { throw new Error('connection refused'); } },
    });
    expect(report).toEqual({ checked: 0, culled: 0, skipped: 0, failed: 0, aborted: 'proxy unavailable' });
    expect(orchestrator.calls).toEqual([]);
  });

  it('counts a failed stop without stopping the pass', async () => {
    await putServer('a');
    await putServer('b');
    const orchestrator = recordingOrchestrator(store);
    const flaky = {
      async stop(user: string, server: string, options: Record<string, unknown>) {
        if (user === 'a') throw new Error('spawner unreachable');
        await orchestrator.stop(user, server, options);
      },
    };
    const report = await runCullPass({ store, orchestrator: flaky, clock, logger, config, proxy: { getRoutes: async () => ({}) } });
    expect(report).toEqual({ checked: 2, culled: 1, skipped: 0, failed: 1 });
  });
});
