// The lifecycle around a Spawner (JupyterHub's User.spawn/stop): admission, the server's token
// and OAuth client, the start timeout, the HTTP readiness wait, the proxy route, the stored
// state and the event log. Spawners do only the platform work.
import type { Logger } from 'pino';
import type { Spawner, Resources, ServerRef } from '../../spawner/types';
import { SpawnError } from '../../spawner/errors';
import { serverKey, type Server, type Store, type User } from '../store/store';
import type { Clock } from '../clock';
import { HubError } from '../errors';
import { hashToken, newSecret, newTokenId, type TokenService } from '../auth/tokens';
import type { ProxyClient } from '../proxy-sync/proxy-client';
import type { EventRecorder } from '../events';
import { buildSpawnEnv, oauthCallbackUrl, serverTokenScopes } from './spawn-env';
import { oauthClientId, routeKey, serverPrefix } from './names';
import { isActive } from './state';
import { waitForHttp } from './readiness';
import { ProgressChannel } from './progress-channel';
import { KeyedLock } from '../util/keyed-lock';

export interface OrchestratorSettings {
  baseUrl: string;
  hubApiUrl: string;
  startTimeoutMs: number;
  httpTimeoutMs: number;
  concurrentSpawnLimit: number;
}

export interface OrchestratorDeps {
  store: Store;
  spawner: Spawner;
  proxy: ProxyClient;
  tokens: TokenService;
  clock: Clock;
  logger: Logger;
  record: EventRecorder;
  settings: OrchestratorSettings;
}

export interface StartOptions {
  image?: string | null;
  resources: Resources;
  userOptions?: Record<string, unknown>;
}

export function emptyServer(user: string, name: string, resources: Resources): Server {
  return {
    user, name, state: 'stopped', image: null, resources, url: null, started: null, lastActivity: null,
    spawnerState: null, userOptions: {}, tokenId: null, stopReason: null,
  };
}

export interface StopOptions {
  /** Why, shown to the user and kept as the server's stop reason. */
  reason?: string | null;
  /** Also delete the server's record (named servers). */
  remove?: boolean;
  /** The event kind recorded (default 'stop'). */
  event?: string;
  data?: Record<string, unknown>;
}

export class Orchestrator {
  private readonly channels = new Map<string, ProgressChannel>();
  private readonly inFlight = new Map<string, { abort: AbortController; done: Promise<void> }>();
  /** Stops under way, by server key: later stops of the same server wait for it instead. */
  private readonly stopsInFlight = new Map<string, Promise<void>>();
  /** Admission and claim of a start, one at a time per user (admission counts the user's servers). */
  private readonly admissions = new KeyedLock();

  constructor(private readonly deps: OrchestratorDeps) {}

  prefix(user: string, serverName: string): string {
    return serverPrefix(this.deps.settings.baseUrl, user, serverName);
  }

  /** Progress of the latest spawn of a server (kept after it ends, for late subscribers). */
  channel(user: string, serverName: string): ProgressChannel | undefined {
    return this.channels.get(serverKey(user, serverName));
  }

  spawnsInFlight(): number {
    return this.inFlight.size;
  }

  /**
   * Marks the server pending and starts it in the background. Resolves once the spawn has
   * begun; follow it through channel(). Throws 400 if it is already active, 429 at the limit.
   */
  async start(user: User, serverName: string, options: StartOptions): Promise<Server> {
    const { store, settings } = this.deps;
    const key = serverKey(user.name, serverName);
    if (this.inFlight.size >= settings.concurrentSpawnLimit) {
      throw new HubError('RATE_LIMITED', 'Too many servers are starting right now; try again in a minute.', {
        reason: 'spawn-limit',
      });
    }
    const fresh: Server = {
      ...emptyServer(user.name, serverName, options.resources),
      state: 'pending', image: options.image ?? null, userOptions: options.userOptions ?? {},
    };
    let claimed = await store.servers.create(key, fresh);
    if (!claimed) {
      let busy: Server | undefined;
      const updated = await store.servers.update(key, (cur) => {
        if (isActive(cur.state)) { busy = cur; return undefined; }
        busy = undefined;
        return { ...fresh, lastActivity: cur.lastActivity };
      });
      if (busy) {
        throw new HubError('BAD_REQUEST', `${serverLabel(user.name, serverName)} is already ${busy.state}.`, { reason: 'already-active' });
      }
      claimed = updated !== undefined;
    }
    if (!claimed) throw new HubError('CONFLICT', 'The server changed while starting; try again.');
    const channel = new ProgressChannel();
    this.channels.set(key, channel);
    channel.publish({ progress: 0, message: 'Server requested' });
    const abort = new AbortController();
    const done = this.runSpawn(user, serverName, options, channel, abort.signal).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, { abort, done });
    return fresh;
  }

  /**
   * Runs `admit` (checks that count or sum the user's servers, giving the start's options) and then
   * start(), one user's at a time: two requests racing for a user's last slot cannot both pass
   * admission before either server is claimed. Per hub process (the hub runs as one replica).
   */
  startAdmitted(user: User, serverName: string, admit: () => Promise<StartOptions>): Promise<Server> {
    return this.admissions.run(user.name, async () => this.start(user, serverName, await admit()));
  }

  /** Waits for a spawn in flight (tests, shutdown). */
  async settled(user: string, serverName: string): Promise<void> {
    await this.inFlight.get(serverKey(user, serverName))?.done;
  }

  private async runSpawn(user: User, serverName: string, options: StartOptions, channel: ProgressChannel, signal: AbortSignal): Promise<void> {
    const { store, spawner, tokens, clock, settings, record } = this.deps;
    const logger = this.deps.logger.child({ user: user.name, server: serverName });
    const key = serverKey(user.name, serverName);
    const prefix = this.prefix(user.name, serverName);
    const startedAt = clock.now();
    const clientId = oauthClientId(user.name, serverName);
    let state: Server['spawnerState'] = null;
    // Set while spawner.start() runs: a spawner turns its aborted start into its own error, so the
    // start timeout is recognised by this timer rather than by the error.
    let startTimer: AbortSignal | null = null;
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(settings.startTimeoutMs + settings.httpTimeoutMs)]);
    try {
      // A fresh token and OAuth client per spawn; the old client's tokens die with it.
      await this.revokeCredentials(user.name, serverName);
      // The client, which names the server's token, is written before the token exists: whatever
      // happens next (a crash included), revoking the client's tokens finds this one.
      const secret = newSecret();
      const tokenId = newTokenId();
      await store.oauthClients.put(clientId, {
        id: clientId, secretTokenId: tokenId, redirectUri: oauthCallbackUrl(settings.baseUrl, user.name, serverName),
        description: `Server at ${prefix}`, allowedScopes: [`access:servers!server=${user.name}/${serverName}`],
        user: user.name, serverName, tokenHashes: [hashToken(secret)],
      });
      // Independent writes: together they share the file store's coalesced flushes.
      await Promise.all([
        tokens.issue({
          kind: 'server', user: user.name, scopes: serverTokenScopes(user.name, serverName),
          note: `Server at ${prefix}`, clientId, secret, id: tokenId,
        }),
        store.servers.update(key, (s) => ({ ...s, tokenId })),
      ]);
      const env = buildSpawnEnv({
        user: user.name, serverName, baseUrl: settings.baseUrl, hubApiUrl: settings.hubApiUrl,
        apiToken: secret, resources: options.resources,
      });
      const request = { user: user.name, serverName, state: null, image: options.image ?? null, resources: options.resources, prefix, env };
      startTimer = AbortSignal.timeout(settings.startTimeoutMs);
      const startSignal = AbortSignal.any([signal, startTimer]);
      const gen = spawner.start(request, startSignal);
      let step = await gen.next();
      while (!step.done) {
        channel.publish({ progress: 5 + step.value.progress * 0.65, message: step.value.message });
        step = await gen.next();
      }
      startTimer = null;
      state = step.value.state;
      const url = step.value.url;
      await store.servers.update(key, (s) => ({ ...s, url, spawnerState: step.value.state as Server['spawnerState'] }));
      channel.publish({ progress: 75, message: 'Waiting for your server to answer' });
      const ref: ServerRef = { user: user.name, serverName, state };
      await waitForHttp({
        url: `${url}${prefix}api`, deadlineMs: settings.httpTimeoutMs, clock, signal: timeout,
        stillAlive: async () => {
          const p = await spawner.poll(ref);
          if (p.status === 'stopped') {
            throw new SpawnError(`Your server stopped while starting: ${p.reason}`, 'exited', undefined, p.logTail);
          }
        },
      }).catch((err: unknown) => {
        if (err instanceof Error && err.message === 'timeout') {
          throw new SpawnError(
            `Your server did not answer within ${settings.httpTimeoutMs / 1000} s (raise hub.httpTimeoutSeconds if it needs longer).`,
            'http-timeout',
          );
        }
        throw err;
      });
      channel.publish({ progress: 90, message: 'Adding the route to your server' });
      await this.deps.proxy.addRoute(routeKey(prefix), url, { user: user.name, server_name: serverName, sciencehub: true });
      const now = new Date(clock.now()).toISOString();
      await store.servers.update(key, (s) => ({ ...s, state: 'running', started: now, lastActivity: s.lastActivity ?? now, stopReason: null }));
      const seconds = ((clock.now() - startedAt) / 1000).toFixed(1);
      logger.info({ seconds }, 'server started');
      await record('spawn', user.name, serverName, `started in ${seconds} s`, { seconds: Number(seconds) });
      channel.publish({ progress: 100, message: `Server ready at ${prefix}`, ready: true, url: prefix });
    } catch (err) {
      const { userMessage, reason, logTail } = describeSpawnFailure(err, signal, settings.startTimeoutMs, startTimer?.aborted === true);
      logger.warn({ reason, err: err instanceof SpawnError ? err.detail ?? err.message : String(err), logTail }, 'spawn failed');
      await spawner.stop({ user: user.name, serverName, state }, { now: true }).catch((e: unknown) => logger.warn({ err: e }, 'cleanup after failed spawn'));
      await this.revokeCredentials(user.name, serverName);
      await store.servers.update(key, (s) => ({ ...s, state: 'failed', url: null, tokenId: null, spawnerState: null, stopReason: userMessage }));
      await record('spawn-failed', user.name, serverName, userMessage, { reason, seconds: Number(((clock.now() - startedAt) / 1000).toFixed(1)) });
      const tail = logTail?.length ? `\n${logTail.slice(-10).join('\n')}` : '';
      channel.publish({ progress: 100, message: `${userMessage}${tail}`, failed: true });
    }
  }

  /** Stops a server: route first, then the process, then its credentials. */
  async stop(userName: string, serverName: string, options: StopOptions = {}): Promise<void> {
    const key = serverKey(userName, serverName);
    // Stops arriving while one runs (a user's click, the culler, a budget stop) join it: the
    // server is stopped once, with one event, the first caller's reason.
    const running = this.stopsInFlight.get(key);
    if (running) {
      await running;
      if (options.remove) await this.deps.store.servers.delete(key);
      return;
    }
    const stopping = this.stopOnce(userName, serverName, key, options).finally(() => this.stopsInFlight.delete(key));
    this.stopsInFlight.set(key, stopping);
    await stopping;
  }

  private async stopOnce(userName: string, serverName: string, key: string, options: StopOptions): Promise<void> {
    const { store, spawner, record } = this.deps;
    const inFlight = this.inFlight.get(key);
    if (inFlight) {
      inFlight.abort.abort(new Error('stopped by request'));
      await inFlight.done;
    }
    const server = await store.servers.get(key);
    if (!server) throw new HubError('NOT_FOUND', `${serverLabel(userName, serverName)} does not exist.`);
    if (server.state !== 'stopped' && server.state !== 'failed') {
      await store.servers.update(key, (s) => ({ ...s, state: 'stopping' }));
      await this.deps.proxy.deleteRoute(routeKey(this.prefix(userName, serverName)));
      await spawner.stop({ user: userName, serverName, state: server.spawnerState });
      await this.revokeCredentials(userName, serverName);
      await store.servers.update(key, (s) => ({
        ...s, state: 'stopped', url: null, tokenId: null, spawnerState: null, stopReason: options.reason ?? null,
      }));
      await record(options.event ?? 'stop', userName, serverName, options.reason ?? 'stopped', options.data);
    }
    if (options.remove) await store.servers.delete(key);
  }

  /** Marks a server that died behind our back as stopped, telling the user why. */
  async markGone(server: Server, reason: string): Promise<void> {
    const key = serverKey(server.user, server.name);
    if (this.inFlight.has(key)) return;
    await this.deps.proxy.deleteRoute(routeKey(this.prefix(server.user, server.name))).catch(() => undefined);
    await this.revokeCredentials(server.user, server.name);
    await this.deps.store.servers.update(key, (s) => ({ ...s, state: 'stopped', url: null, tokenId: null, spawnerState: null, stopReason: reason }));
    await this.deps.record('server-gone', server.user, server.name, reason);
  }

  /**
   * The server's token, its OAuth client, and every token issued through that client. The client
   * lists its tokens (written before each of them exists), so no scan of all tokens is needed;
   * the tokens go before the client, so a missing client means nothing is left to revoke.
   */
  async revokeCredentials(userName: string, serverName: string): Promise<void> {
    const { store, tokens } = this.deps;
    const clientId = oauthClientId(userName, serverName);
    const client = await store.oauthClients.get(clientId);
    if (client === undefined) return;
    if (client.tokenHashes !== undefined) await Promise.all(client.tokenHashes.map((hash) => store.tokens.delete(hash)));
    // A client written before clients listed their tokens: find them by scanning.
    else await tokens.revokeWhere((t) => t.clientId === clientId);
    await store.oauthClients.delete(clientId);
  }

  /** Aborts spawns in flight (hub shutdown); running servers are left alone. */
  async shutdown(): Promise<void> {
    for (const f of this.inFlight.values()) f.abort.abort(new Error('hub shutting down'));
    await Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
  }
}

function serverLabel(user: string, serverName: string): string {
  return serverName ? `Server "${serverName}" of ${user}` : `The server of ${user}`;
}

function describeSpawnFailure(err: unknown, signal: AbortSignal, startTimeoutMs: number, startTimedOut = false): { userMessage: string; reason: string; logTail?: string[] } {
  if (signal.aborted) return { userMessage: 'The start was cancelled.', reason: 'cancelled' };
  const timedOut = {
    userMessage: `Your server did not start within ${startTimeoutMs / 1000} s (raise hub.startTimeoutSeconds if it needs longer).`,
    reason: 'start-timeout',
  };
  if (startTimedOut) return timedOut;
  if (err instanceof SpawnError) return { userMessage: err.userMessage, reason: err.reason, logTail: err.logTail };
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return timedOut;
  if (err instanceof HubError) return { userMessage: err.publicMessage, reason: err.reason };
  return { userMessage: 'Your server could not be started because of an internal error.', reason: 'internal' };
}
