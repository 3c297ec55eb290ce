// The Spawner contract: what the hub asks of any way to run single-user servers.
// Type-only apart from the zod schemas that define the shapes; no implementation here.
// Must not import hub/: a spawner learns everything it needs from the SpawnRequest.
import { z } from 'zod';
import type { Logger } from 'pino';

/** Memory in bytes, CPU in cores; null means "no limit / no guarantee". */
export const ResourcesSchema = z
  .object({
    memLimit: z.number().int().positive().nullable().describe('memory limit in bytes'),
    memGuarantee: z.number().int().positive().nullable().describe('memory guarantee in bytes'),
    cpuLimit: z.number().positive().nullable().describe('CPU limit in cores'),
    cpuGuarantee: z.number().positive().nullable().describe('CPU guarantee in cores'),
  })
  .strict();
export type Resources = z.infer<typeof ResourcesSchema>;

export const NO_RESOURCES: Resources = { memLimit: null, memGuarantee: null, cpuLimit: null, cpuGuarantee: null };

/** Opaque per-server state that the spawner owns; the hub stores it and hands it back. */
export const SpawnerStateSchema = z.record(z.string(), z.unknown());
export type SpawnerState = z.infer<typeof SpawnerStateSchema>;

export interface ServerRef {
  /** Owner of the server. */
  user: string;
  /** '' for the default server. */
  serverName: string;
  /** What the spawner returned from start() (or list()); null if it never started. */
  state: SpawnerState | null;
}

export interface SpawnRequest extends ServerRef {
  /** Image reference (container spawners) or null (local spawner: ignored). */
  image: string | null;
  resources: Resources;
  /** URL path the server serves under, e.g. '/user/alice/' (starts and ends with '/'). */
  prefix: string;
  /**
   * Environment built by the hub: JUPYTERHUB_* (see JUPYTER-PROTOCOL.md §1), including the
   * server's API token. The spawner adds JUPYTERHUB_SERVICE_URL itself, because only it knows
   * where the server will listen. Never log these values.
   */
  env: Record<string, string>;
}

export interface ProgressEvent {
  /** 0-100, monotonic within one start. */
  progress: number;
  /** Words a user understands: "Starting your server", "Pulling image x". */
  message: string;
}

export interface StartResult {
  /** Origin the proxy should target, without path: http://127.0.0.1:34567 */
  url: string;
  state: SpawnerState;
}

export type PollResult =
  | { status: 'running' }
  | { status: 'stopped'; reason: string; exitCode?: number | null; logTail?: string[] };

export interface AdoptedServer {
  user: string;
  serverName: string;
  url: string;
  state: SpawnerState;
}

/**
 * State rules (as JupyterHub's poll docstring): a server the spawner knows nothing about is
 * stopped; a server that is mid-start counts as running. poll() must be cheap (no remote
 * calls per server where a cache can answer) and must never throw for an unknown server.
 */
export interface Spawner {
  readonly kind: string;
  /**
   * Start a server. Yields progress events and returns where it listens. The hub owns the
   * overall timeout and the HTTP readiness wait; `signal` aborts a start in progress, and the
   * spawner must then clean up whatever it created.
   */
  start(request: SpawnRequest, signal: AbortSignal): AsyncGenerator<ProgressEvent, StartResult, void>;
  /** Stop a server; `now` skips graceful shutdown. Stopping a stopped server is not an error. */
  stop(server: ServerRef, options?: { now?: boolean }): Promise<void>;
  poll(server: ServerRef): Promise<PollResult>;
  /** Servers this spawner is running now, for re-adoption after a hub restart. */
  list(): Promise<AdoptedServer[]>;
  /** Release watches, timers and handles; running servers keep running. */
  close(): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What every spawner factory receives besides its own config section. */
export interface SpawnerDeps {
  logger: Logger;
  clock: Clock;
}
