// Builds a real hub + proxy on free loopback ports for tests: the proxy in-process (external
// mode), a temp dir for the file store and the local spawner, and an admin service token.
// A harness can be restarted on the same state and proxy to test re-adoption.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startProxy, type RunningProxy } from '../../proxy/main';
import { startHub, type HubOverrides, type RunningHub } from '../../hub/app';
import { mergeConfig, parseConfig } from '../../hub/config/load';
import { FAKE_SINGLEUSER } from './test-spawners';

export const PROXY_TOKEN = 'proxy-token-for-tests-0123456789';
export const ADMIN_TOKEN = 'admin-service-token-0123456789abcdef';
export const ADMIN_SCOPES = ['admin:users', 'admin:servers', 'admin:groups', 'tokens', 'list:users', 'read:users', 'read:hub', 'proxy', 'access:servers'];

export interface HarnessOptions {
  /** Merged over the harness defaults. */
  config?: Record<string, unknown>;
  /** Run the real jupyterhub-singleuser instead of the fast stand-in. */
  realSingleuser?: boolean;
  overrides?: HubOverrides;
  /** Reuse the state dir and proxy of an earlier harness (hub restart). */
  restartOf?: Harness;
}

export interface Harness {
  hub: RunningHub;
  proxy: RunningProxy;
  dir: string;
  /** Public origin (through the proxy). */
  origin: string;
  hubOrigin: string;
  options: HarnessOptions;
  // Tests read JSON bodies field by field; `any` keeps them short.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api(method: string, apiPath: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any; headers: Headers }>;
  /** Stops the hub; `keepState` leaves proxy, servers and files for a restart. */
  close(opts?: { keepState?: boolean }): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const prev = options.restartOf;
  const dir = prev?.dir ?? mkdtempSync(path.join(os.tmpdir(), 'sciencehub-test-'));
  const proxy = prev?.proxy ?? (await startProxy({ ip: '127.0.0.1', port: 0, apiIp: '127.0.0.1', apiPort: 0, authToken: PROXY_TOKEN, logLevel: 'silent' }));
  const cmd = options.realSingleuser ? ['jupyterhub-singleuser'] : [process.execPath, FAKE_SINGLEUSER];
  const base: Record<string, unknown> = {
    hub: { port: 0, logLevel: 'silent', httpTimeoutSeconds: 30 },
    proxy: { mode: 'external', apiUrl: `http://127.0.0.1:${proxy.apiPort}`, authToken: PROXY_TOKEN, syncIntervalSeconds: 3600 },
    store: { kind: 'file', path: path.join(dir, 'state.json') },
    spawner: { kind: 'local', cmd, stateDir: path.join(dir, 'spawner') },
    auth: { kind: 'dev', dev: { allowed: true, openSignup: true }, admins: ['admin'] },
    services: [{ name: 'test-admin', token: ADMIN_TOKEN, scopes: ADMIN_SCOPES }],
  };
  const own = options.config ?? {};
  const merged = mergeConfig(base, own);
  // A test's own store section replaces the default whole: a Redis store has no file `path`.
  if (own.store !== undefined) merged.store = own.store;
  const config = parseConfig(merged, {}, 'test harness');
  const hub = await startHub(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), options.overrides);
  const origin = `http://127.0.0.1:${proxy.publicPort}`;
  return {
    hub, proxy, dir, origin, hubOrigin: hub.url, options,
    async api(method, apiPath, body, token = ADMIN_TOKEN) {
      const res = await fetch(`${hub.url}/hub/api${apiPath}`, {
        method,
        headers: { ...(token ? { Authorization: `token ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close(opts = {}) {
      if (!opts.keepState) {
        for (const s of await hub.ctx.store.servers.list()) {
          if (s.state === 'running' || s.state === 'pending') await hub.ctx.orchestrator.stop(s.user, s.name).catch(() => undefined);
        }
      }
      await hub.close();
      if (!opts.keepState) {
        await proxy.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
