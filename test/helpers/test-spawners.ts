// Behaviour spawners for hub tests (slow, never starts, failing), after JupyterHub's mocking
// idea, and a local spawner that runs the fast fake-singleuser.js instead of Jupyter.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { SpawnError } from '../../spawner/errors';
import { LocalSpawnerConfigSchema, type LocalSpawnerConfigInput } from '../../spawner/local/config';
import { createLocalSpawner } from '../../spawner/local/local-spawner';
import type {
  AdoptedServer, Clock, PollResult, ProgressEvent, ServerRef, SpawnRequest, Spawner, SpawnerDeps, StartResult,
} from '../../spawner/types';

export const FAKE_SINGLEUSER = path.join(__dirname, 'fake-singleuser.js');

/** Real time, abortable sleep; the same behaviour the hub's clock has. */
export const testClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export function testSpawnerDeps(): SpawnerDeps {
  return { logger: pino({ level: 'silent' }), clock: testClock };
}

/** A local spawner running fake-singleuser.js; a fresh temporary stateDir unless one is given. */
export function fakeLocalSpawner(overrides: LocalSpawnerConfigInput = {}, deps: SpawnerDeps = testSpawnerDeps()): Spawner {
  const config = LocalSpawnerConfigSchema.parse({
    cmd: [process.execPath, FAKE_SINGLEUSER],
    stateDir: mkdtempSync(path.join(os.tmpdir(), 'sciencehub-spawner-')),
    ...overrides,
  });
  return createLocalSpawner(config, deps);
}

/** Waits `delayMs` (abortable) before handing the start to `inner`. */
export function slowSpawner(delayMs: number, inner: Spawner = fakeLocalSpawner(), clock: Clock = testClock): Spawner {
  return {
    kind: `slow-${inner.kind}`,
    async *start(request: SpawnRequest, signal: AbortSignal): AsyncGenerator<ProgressEvent, StartResult, void> {
      yield { progress: 1, message: 'Waiting for a slow start (test spawner)' };
      try {
        await clock.sleep(delayMs, signal);
      } catch {
        throw new SpawnError('Starting your server was cancelled.', 'aborted');
      }
      let last = 1;
      let finished = false;
      const events = inner.start(request, signal);
      try {
        for (;;) {
          const step = await events.next();
          if (step.done) {
            finished = true;
            return step.value;
          }
          last = Math.max(last, step.value.progress);
          yield { progress: last, message: step.value.message };
        }
      } finally {
        // A caller abandoning this start must let the inner start clean up as well.
        if (!finished) await events.return(undefined as unknown as StartResult).catch(() => undefined);
      }
    },
    stop: (server, options) => inner.stop(server, options),
    poll: (server) => inner.poll(server),
    list: () => inner.list(),
    close: () => inner.close(),
  };
}

/** A start that hangs after one progress event until its signal aborts (or stop() is called). */
export function neverStartsSpawner(): Spawner {
  const pending = new Map<string, AbortController>();
  const keyOf = (s: ServerRef) => `${s.user}/${s.serverName}`;
  return {
    kind: 'never-starts',
    async *start(request: SpawnRequest, signal: AbortSignal): AsyncGenerator<ProgressEvent, StartResult, void> {
      const own = new AbortController();
      pending.set(keyOf(request), own);
      try {
        yield { progress: 10, message: 'Waiting for a server that never starts (test spawner)' };
        const both = AbortSignal.any([signal, own.signal]);
        return await new Promise<never>((_resolve, reject) => {
          if (both.aborted) reject(both.reason);
          both.addEventListener('abort', () => reject(both.reason), { once: true });
        });
      } catch {
        throw new SpawnError('Starting your server was cancelled.', 'aborted');
      } finally {
        pending.delete(keyOf(request));
      }
    },
    async stop(server: ServerRef): Promise<void> {
      pending.get(keyOf(server))?.abort(new Error('stopped'));
    },
    async poll(server: ServerRef): Promise<PollResult> {
      // Mid-start counts as running, as the contract says.
      return pending.has(keyOf(server)) ? { status: 'running' } : { status: 'stopped', reason: 'never started' };
    },
    list: async (): Promise<AdoptedServer[]> => [],
    close: async () => undefined,
  };
}

/** A start that reports one progress event and then fails with `message` (reason 'test-failure'). */
export function failingSpawner(message: string): Spawner {
  return {
    kind: 'failing',
    async *start(): AsyncGenerator<ProgressEvent, StartResult, void> {
      yield { progress: 10, message: 'Starting (test spawner that always fails)' };
      throw new SpawnError(message, 'test-failure', 'failingSpawner always fails');
    },
    stop: async () => undefined,
    poll: async (): Promise<PollResult> => ({ status: 'stopped', reason: 'failing test spawner never runs servers' }),
    list: async (): Promise<AdoptedServer[]> => [],
    close: async () => undefined,
  };
}
