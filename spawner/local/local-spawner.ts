// The `local` spawner: each single-user server is a detached child process of the hub's account.
// Servers outlive the hub; record files in stateDir let a restarted hub re-adopt them via list().
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { SpawnError } from '../errors';
import { StartQueue, waitInLine } from '../start-queue';
import type {
  AdoptedServer, PollResult, ProgressEvent, ServerRef, SpawnRequest, Spawner, SpawnerDeps, StartResult,
} from '../types';
import type { LocalSpawnerConfig } from './config';
import { launchProcess, signalGroup } from './launch';
import { readLogTail } from './log-tail';
import { safeName, serverKey } from './names';
import { acceptsConnections, connectHost, originOf, pickFreePort } from './net-probe';
import { isSameProcessAlive } from './proc-stat';
import { buildProcessEnv, serviceUrl } from './process-env';
import { describeExit, ProcessTable, type ExitInfo } from './process-table';
import { LocalServerStateSchema, ServerRecords, type LocalServerState } from './server-records';
import { escalateStop } from './stop-escalation';

// A refused TCP connect costs microseconds; polling often shaves the wait off every start.
const LISTEN_POLL_MS = 10;
/** How often a start waiting in line re-reads its place (a slot freeing up wakes it at once). */
const QUEUE_TICK_MS = 500;
const EXIT_REPORT_WAIT_MS = 1000;

/** One start in progress; stop() and abort listeners share its memoised clean-up. */
interface StartInFlight {
  controller: AbortController;
  state: LocalServerState | null;
  cleanup: Promise<void> | null;
}

export function createLocalSpawner(config: LocalSpawnerConfig, deps: SpawnerDeps): Spawner {
  return new LocalSpawner(config, deps);
}

class LocalSpawner implements Spawner {
  readonly kind = 'local';
  private readonly stateDir: string;
  private readonly logDir: string;
  private readonly records: ServerRecords;
  private readonly table = new ProcessTable();
  private readonly starting = new Map<string, StartInFlight>();
  /** Ports handed to starts whose record is not written yet (the kernel may offer them again). */
  private readonly picking = new Set<number>();
  private readonly log: Logger;
  /** Launch-to-listening slots: starts beyond the CPU count only slow each other down. */
  private readonly queue: StartQueue;
  private closed = false;

  constructor(
    private readonly config: LocalSpawnerConfig,
    private readonly deps: SpawnerDeps,
  ) {
    this.stateDir = path.resolve(config.stateDir);
    this.logDir = path.join(this.stateDir, 'logs');
    this.records = new ServerRecords(path.join(this.stateDir, 'servers'));
    this.log = deps.logger.child({ component: 'local-spawner' });
    this.queue = new StartQueue(config.maxConcurrentStarts === 'auto' ? os.availableParallelism() : config.maxConcurrentStarts);
  }

  async *start(request: SpawnRequest, signal: AbortSignal): AsyncGenerator<ProgressEvent, StartResult, void> {
    if (this.closed) throw new SpawnError('The server launcher is shutting down; try again shortly.', 'closed');
    const key = serverKey(request.user, request.serverName);
    if (this.starting.has(key)) throw new SpawnError('This server is already starting.', 'already-starting');
    const log = this.log.child({ user: request.user, server: request.serverName });
    const flight: StartInFlight = { controller: new AbortController(), state: null, cleanup: null };
    this.starting.set(key, flight);
    const abort = AbortSignal.any([signal, flight.controller.signal]);
    const onAbort = () => void this.cleanUpStart(key, flight, log);
    abort.addEventListener('abort', onAbort, { once: true });
    let result: StartResult | null = null;
    try {
      abort.throwIfAborted();
      const ticket = this.queue.enter();
      let state: LocalServerState;
      try {
        for await (const message of waitInLine(ticket, QUEUE_TICK_MS, this.deps.clock, abort)) yield { progress: 5, message };
        yield { progress: 10, message: 'Starting your server process' };
        abort.throwIfAborted();
        const existing = await this.records.read(key);
        if (existing && isSameProcessAlive(existing.pid, existing.startTime)) {
          throw new SpawnError('A server process is already running for this server.', 'already-running', `pid ${existing.pid}`);
        }
        state = await this.launch(request, key, flight, log);
        // An abort that landed while we launched found nothing to clean up yet.
        abort.throwIfAborted();
        yield { progress: 50, message: 'Server process started' };
        await this.waitUntilListening(state, abort);
      } finally {
        ticket.release();
      }
      yield { progress: 80, message: 'Your server is accepting connections' };
      abort.throwIfAborted();
      result = { url: originOf(connectHost(this.config.ip), state.port), state: { ...state } };
      return result;
    } catch (err) {
      throw toSpawnError(err, abort);
    } finally {
      abort.removeEventListener('abort', onAbort);
      // Also reached when the caller abandons the generator with return().
      if (result === null) await this.cleanUpStart(key, flight, log);
      this.starting.delete(key);
    }
  }

  async stop(server: ServerRef, options?: { now?: boolean }): Promise<void> {
    const key = serverKey(server.user, server.serverName);
    const log = this.log.child({ user: server.user, server: server.serverName });
    const flight = this.starting.get(key);
    if (flight) {
      flight.controller.abort(new SpawnError('The server was stopped while starting.', 'stopped'));
      await this.cleanUpStart(key, flight, log);
    }
    const record = await this.records.read(key);
    const state = parseState(server.state) ?? record;
    if (state) await this.terminate(state, options?.now === true, log);
    if (record && (record.pid === state?.pid || !isSameProcessAlive(record.pid, record.startTime))) {
      await this.records.remove(key);
    }
  }

  async poll(server: ServerRef): Promise<PollResult> {
    if (this.starting.has(serverKey(server.user, server.serverName))) return { status: 'running' };
    const state = parseState(server.state);
    if (!state) return { status: 'stopped', reason: 'no server process was started' };
    if (isSameProcessAlive(state.pid, state.startTime)) return { status: 'running' };
    const exit = await this.exitInfo(state.pid);
    return {
      status: 'stopped',
      reason: exit ? `server process ended (${describeExit(exit)})` : 'server process is no longer running',
      exitCode: exit?.code ?? null,
      logTail: await this.logTail(state.logFile),
    };
  }

  async list(): Promise<AdoptedServer[]> {
    const adopted: AdoptedServer[] = [];
    for (const { key, record } of await this.records.all()) {
      if (record && isSameProcessAlive(record.pid, record.startTime)) {
        const { user, serverName, url, pid, port, startTime, logFile } = record;
        adopted.push({ user, serverName, url, state: { pid, port, startTime, logFile } });
      } else if (!this.starting.has(key)) {
        await this.records.remove(key);
      }
    }
    return adopted;
  }

  async close(): Promise<void> {
    // Children are unref'd and write to files: nothing held here keeps a server alive or stops it.
    this.closed = true;
    this.table.clear();
  }

  private async launch(request: SpawnRequest, key: string, flight: StartInFlight, log: Logger): Promise<LocalServerState> {
    const home = path.resolve(this.config.notebookDir ?? path.join(this.stateDir, 'home', safeName(request.user)));
    await mkdir(home, { recursive: true, mode: 0o700 });
    await mkdir(this.logDir, { recursive: true, mode: 0o700 });
    const port = await this.pickUnusedPort();
    try {
      return await this.launchOn(port, request, key, flight, log, home);
    } finally {
      this.picking.delete(port);
    }
  }

  /**
   * A free port that none of our live servers or starts in flight holds: a port released by
   * pickFreePort is often offered again at once, and two servers must never share one.
   */
  private async pickUnusedPort(): Promise<number> {
    const inUse = new Set((await this.records.all()).flatMap(({ record }) => (record ? [record.port] : [])));
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await pickFreePort(this.config.ip);
      if (!inUse.has(port) && !this.picking.has(port)) {
        this.picking.add(port);
        return port;
      }
    }
    throw new SpawnError('No free network port was found for your server.', 'no-port');
  }

  private async launchOn(port: number, request: SpawnRequest, key: string, flight: StartInFlight, log: Logger, home: string): Promise<LocalServerState> {
    const logFile = path.join(this.logDir, `${key}.log`);
    const env = buildProcessEnv({
      hostEnv: process.env,
      osUser: osUserName(),
      home,
      resources: request.resources,
      configEnv: this.config.env,
      requestEnv: request.env,
      serviceUrl: serviceUrl(this.config.ip, port, request.prefix),
    });
    const [cmd0, ...fixedArgs] = this.config.cmd as [string, ...string[]];
    // The child changes directory before exec, so a relative path must be anchored to the hub's.
    const command = cmd0.includes('/') ? path.resolve(cmd0) : cmd0;
    const args = [...fixedArgs, ...this.config.args, ...(this.allowRoot() ? ['--allow-root'] : [])];
    const launched = await launchProcess({ command, args, cwd: home, env, logFile });
    this.table.track(launched.pid, launched.child);
    if (launched.startTime === null) throw await this.exitedError(launched.pid, logFile, command);
    const state: LocalServerState = { pid: launched.pid, port, startTime: launched.startTime, logFile };
    // From here on a failed or aborted start has a process to clean up.
    flight.state = state;
    const url = originOf(connectHost(this.config.ip), port);
    await this.records.write(key, { ...state, user: request.user, serverName: request.serverName, url });
    log.info({ pid: launched.pid, port, command }, 'server process launched');
    return state;
  }

  private async waitUntilListening(state: LocalServerState, abort: AbortSignal): Promise<void> {
    const host = connectHost(this.config.ip);
    for (;;) {
      if (this.table.exitOf(state.pid)) throw await this.exitedError(state.pid, state.logFile, this.config.cmd[0] ?? '');
      if (await acceptsConnections(host, state.port)) return;
      abort.throwIfAborted();
      await this.deps.clock.sleep(LISTEN_POLL_MS, abort);
    }
  }

  private async exitedError(pid: number, logFile: string, command: string): Promise<SpawnError> {
    const exit = await this.exitInfo(pid);
    const how = exit ? describeExit(exit) : 'unknown exit status';
    return new SpawnError(
      `Your server process exited during start-up (${how}).`,
      'exited',
      `${command} exited before listening (${how}); log ${logFile}`,
      await this.logTail(logFile),
    );
  }

  /** Kill whatever a failed or aborted start left behind; safe to call more than once. */
  private cleanUpStart(key: string, flight: StartInFlight, log: Logger): Promise<void> {
    const state = flight.state;
    if (!state) return Promise.resolve();
    flight.cleanup ??= (async () => {
      await this.terminate(state, true, log);
      await this.records.remove(key);
    })().catch((err: unknown) => log.warn({ err }, 'clean-up after a failed start went wrong'));
    return flight.cleanup;
  }

  private async terminate(state: LocalServerState, now: boolean, log: Logger): Promise<void> {
    const { pid, startTime } = state;
    const outcome = await escalateStop(
      { isAlive: () => isSameProcessAlive(pid, startTime), signal: (sig) => signalGroup(pid, sig) },
      { now, graceMs: this.config.stopGraceSeconds * 1000 },
      this.deps.clock,
    );
    if (outcome !== 'already-gone') {
      // Sweep kernels left in the group; the group id cannot be reused while any member lives.
      signalGroup(pid, 'SIGKILL');
      log.info({ pid, outcome }, 'server process stopped');
    }
    if (outcome === 'survived-kill') log.warn({ pid }, 'server process survived SIGKILL');
    this.table.forget(pid);
  }

  /** How our own child ended; /proc can show it gone a moment before node reports the exit. */
  private async exitInfo(pid: number): Promise<ExitInfo | null> {
    const exited = this.table.exited(pid);
    if (!exited) return null;
    const timer = new AbortController();
    const timeout = this.deps.clock.sleep(EXIT_REPORT_WAIT_MS, timer.signal).then(() => null, () => null);
    try {
      return await Promise.race([exited, timeout]);
    } finally {
      timer.abort();
    }
  }

  private allowRoot(): boolean {
    if (this.config.allowRoot === 'auto') return process.getuid?.() === 0;
    return this.config.allowRoot;
  }

  /** Read a log only inside our own log folder: the state blob comes back from outside. */
  private async logTail(logFile: string): Promise<string[]> {
    const resolved = path.resolve(logFile);
    if (path.dirname(resolved) !== this.logDir) return [];
    return readLogTail(resolved, this.config.logTailLines);
  }
}

function parseState(state: ServerRef['state']): LocalServerState | null {
  const parsed = LocalServerStateSchema.safeParse(state);
  return parsed.success ? parsed.data : null;
}

function toSpawnError(err: unknown, abort: AbortSignal): SpawnError {
  if (abort.aborted) {
    if (abort.reason instanceof SpawnError) return abort.reason;
    return new SpawnError('Starting your server was cancelled.', 'aborted', String(abort.reason));
  }
  if (err instanceof SpawnError) return err;
  return new SpawnError('Your server could not be started.', 'spawn-failed', err instanceof Error ? err.message : String(err));
}

function osUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'user');
  }
}
