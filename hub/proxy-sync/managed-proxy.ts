// Managed proxy mode: reuse a proxy already answering on the API address (so a hub restart
// never drops users' connections), or start our own proxy as a detached process.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { HubError } from '../errors';
import type { ProxyClient } from './proxy-client';
import type { Clock } from '../clock';

export interface ManagedProxyOptions {
  apiUrl: string;
  publicIp: string;
  publicPort: number;
  token: string;
  hubTarget: string;
  /** Command to run; default: this install's own `sciencehub proxy`. */
  command: string[] | null;
  stateDir: string;
  logLevel: string;
  /** Edge-auth secret shared with the proxy (passed as env SCIENCEHUB_EDGE_SECRET); off when unset. */
  edgeAuthSecret?: string;
}

export function defaultProxyCommand(): string[] {
  // dist/hub/proxy-sync/managed-proxy.js → dist/hub/cli.js
  return [process.execPath, path.join(__dirname, '..', 'cli.js'), 'proxy'];
}

export function proxyArgs(o: ManagedProxyOptions): string[] {
  const api = new URL(o.apiUrl);
  return [
    '--ip', o.publicIp, '--port', String(o.publicPort),
    '--api-ip', api.hostname, '--api-port', api.port || '80',
    '--default-target', o.hubTarget, '--error-target', `${o.hubTarget}/hub/error`,
    '--log-level', o.logLevel,
    ...(o.edgeAuthSecret !== undefined ? ['--edge-auth'] : []),
  ];
}

export async function ensureProxy(client: ProxyClient, o: ManagedProxyOptions, clock: Clock, logger: Logger): Promise<'reused' | 'started'> {
  if (await client.ping()) {
    logger.info({ apiUrl: o.apiUrl }, 'reusing the proxy that is already running');
    return 'reused';
  }
  const [cmd, ...args] = [...(o.command ?? defaultProxyCommand()), ...proxyArgs(o)];
  mkdirSync(o.stateDir, { recursive: true });
  const logFile = path.join(o.stateDir, 'proxy.log');
  const fd = openSync(logFile, 'a', 0o600);
  const child = spawn(cmd as string, args, {
    detached: true, stdio: ['ignore', fd, fd],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin', CONFIGPROXY_AUTH_TOKEN: o.token, NODE_ENV: process.env.NODE_ENV ?? '',
      ...(o.edgeAuthSecret !== undefined ? { SCIENCEHUB_EDGE_SECRET: o.edgeAuthSecret } : {}),
    },
  });
  closeSync(fd);
  child.unref();
  let exited: number | null = null;
  child.once('exit', (code) => { exited = code ?? -1; });
  const deadline = clock.now() + 15_000;
  while (clock.now() < deadline) {
    if (exited !== null) break;
    if (await client.ping()) {
      logger.info({ pid: child.pid, publicPort: o.publicPort, logFile }, 'proxy started');
      return 'started';
    }
    await clock.sleep(100);
  }
  throw new HubError('UNAVAILABLE', 'The proxy did not start.', {
    detail: `proxy ${exited !== null ? `exited with ${exited}` : 'did not answer in 15 s'}; see ${logFile}`,
  });
}
