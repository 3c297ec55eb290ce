// Connection pools to route targets: one undici Pool (keep-alive, HTTP/1.1) per target origin,
// made on first use and closed by a sweep once unused for a while. A target string is parsed once,
// not once per request.

import type { ConnectionOptions } from 'node:tls';
import { Pool } from 'undici';

export interface UpstreamTls {
  ca?: Buffer[] | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  /** False with --insecure: accept any certificate from https targets. */
  rejectUnauthorized: boolean;
}

/** A pool and whether it was used since the last sweep. */
export interface PoolSlot {
  readonly pool: Pool;
  used: boolean;
}

export interface Upstream {
  /** 'http://host:port' or 'https://host:port' (ws/wss targets map to http/https). */
  origin: string;
  secure: boolean;
  hostname: string;
  port: number;
  /** Path of the target URL without a trailing slash ('' for none), put before the request path. */
  basePath: string;
  slot: PoolSlot;
}

const TARGET_CACHE_LIMIT = 10_000;
const SWEEP_MS = 60_000;
/** Upper bound of open connections to one target; further requests queue in the pool. */
const CONNECTIONS_PER_TARGET = 512;
const IDLE_KEEP_ALIVE_MS = 60_000;

/** Split a target URL into what forwarding needs; undefined when it is not a usable URL. */
export function parseTarget(target: string): Omit<Upstream, 'slot'> | undefined {
  if (!URL.canParse(target)) return undefined;
  const url = new URL(target);
  let secure: boolean;
  if (url.protocol === 'http:' || url.protocol === 'ws:') secure = false;
  else if (url.protocol === 'https:' || url.protocol === 'wss:') secure = true;
  else return undefined;
  if (url.hostname === '') return undefined;
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  const basePath = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return { origin: `${secure ? 'https' : 'http'}://${url.host}`, secure, hostname: url.hostname.replace(/^\[|\]$/g, ''), port, basePath };
}

function isIpAddress(hostname: string): boolean {
  return /^[\d.]+$/.test(hostname) || hostname.includes(':');
}

export class Upstreams {
  private readonly targets = new Map<string, Upstream | null>();
  private readonly pools = new Map<string, PoolSlot>();
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(private readonly tls: UpstreamTls, private readonly connectTimeoutMs: number) {
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  /** The upstream of a route target, or undefined if the target is not a usable URL. */
  get(target: string): Upstream | undefined {
    let upstream = this.targets.get(target);
    if (upstream === undefined) {
      const parsed = parseTarget(target);
      if (this.targets.size >= TARGET_CACHE_LIMIT) this.targets.clear();
      upstream = parsed === undefined ? null : { ...parsed, slot: this.slotFor(parsed.origin, parsed.secure) };
      this.targets.set(target, upstream);
    }
    if (upstream === null) return undefined;
    upstream.slot.used = true;
    return upstream;
  }

  /** TLS options for raw connections to https/wss targets (websocket pipes). */
  tlsOptions(hostname: string): ConnectionOptions {
    return { ...this.tlsBase(), servername: isIpAddress(hostname) ? undefined : hostname };
  }

  private tlsBase(): ConnectionOptions {
    const { ca, cert, key, rejectUnauthorized } = this.tls;
    return { ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}), rejectUnauthorized };
  }

  private slotFor(origin: string, secure: boolean): PoolSlot {
    const known = this.pools.get(origin);
    if (known !== undefined) return known;
    const pool = new Pool(origin, {
      connections: CONNECTIONS_PER_TARGET,
      pipelining: 1,
      // Idle connections stay open a while (a target's Keep-Alive hint wins): websocket upgrades
      // and the next requests then skip the TCP (and TLS) handshake.
      keepAliveTimeout: IDLE_KEEP_ALIVE_MS,
      keepAliveMaxTimeout: IDLE_KEEP_ALIVE_MS,
      connectTimeout: this.connectTimeoutMs,
      ...(secure ? { connect: this.tlsBase() } : {}),
    });
    // Errors reach the request that hit them; a pool must never throw into the process.
    pool.on('connectionError', () => undefined);
    const slot: PoolSlot = { pool, used: true };
    this.pools.set(origin, slot);
    return slot;
  }

  /** Close pools nobody used since the last sweep and that hold no request. */
  sweep(): void {
    for (const [origin, slot] of this.pools) {
      if (slot.used) {
        slot.used = false;
        continue;
      }
      const stats = slot.pool.stats;
      if (stats.pending > 0 || stats.running > 0) continue;
      this.pools.delete(origin);
      void slot.pool.close().catch(() => undefined);
    }
    for (const [target, upstream] of this.targets) if (upstream !== null && this.pools.get(upstream.origin) !== upstream.slot) this.targets.delete(target);
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    const pools = [...this.pools.values()].map((s) => s.pool);
    this.pools.clear();
    this.targets.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}
