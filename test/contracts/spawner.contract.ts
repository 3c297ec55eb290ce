// Shared Spawner contract suite, run against every implementation (local now, kubernetes later).
// `makeSpawner` must return a NEW instance on the SAME state each call: that is how a hub restart is simulated.
import { SpawnError } from '../../spawner/errors';
import type { ProgressEvent, ServerRef, SpawnRequest, Spawner, StartResult } from '../../spawner/types';

export interface SpawnerContractOptions {
  /** Per-test timeout; starts of real servers are slow on a busy machine. */
  timeoutMs?: number;
  /** Whether the returned URL is reachable from the test (false for fakes without a server). */
  checkHttp?: boolean;
}

/** GET origin+prefix until it answers below 500 (redirects not followed); returns the status. */
export async function waitForHttp(url: string, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status < 500) return res.status;
      last = `status ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True if nothing answers at url any more (connection refused or reset). */
export async function refusesHttp(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return false;
  } catch {
    return true;
  }
}

export async function runStart(
  spawner: Spawner,
  request: SpawnRequest,
  signal: AbortSignal = new AbortController().signal,
): Promise<{ events: ProgressEvent[]; result: StartResult }> {
  const events: ProgressEvent[] = [];
  const gen = spawner.start(request, signal);
  for (;;) {
    const step = await gen.next();
    if (step.done) return { events, result: step.value };
    events.push(step.value);
  }
}

/** Start, abort after `afterEvents` progress events, and drain: returns what the start threw. */
export async function abortStart(spawner: Spawner, request: SpawnRequest, afterEvents: number): Promise<unknown> {
  const controller = new AbortController();
  const gen = spawner.start(request, controller.signal);
  try {
    for (let seen = 0; ; seen += 1) {
      if (seen >= afterEvents) controller.abort(new Error('test aborts the start'));
      const step = await gen.next();
      if (step.done) return null;
    }
  } catch (err) {
    return err;
  }
}

export function runSpawnerContract(
  name: string,
  makeSpawner: () => Spawner | Promise<Spawner>,
  makeRequest: (user: string) => SpawnRequest,
  options: SpawnerContractOptions = {},
): void {
  const timeout = options.timeoutMs ?? 30_000;
  const checkHttp = options.checkHttp ?? true;

  describe(`Spawner contract: ${name}`, () => {
    const instances: Spawner[] = [];
    const toStop: ServerRef[] = [];
    let counter = 0;

    async function spawner(): Promise<Spawner> {
      const s = await makeSpawner();
      instances.push(s);
      return s;
    }
    function request(): SpawnRequest {
      counter += 1;
      return makeRequest(`contract${counter}x${Math.random().toString(36).slice(2, 8)}`);
    }
    async function started(s: Spawner) {
      const req = request();
      const { events, result } = await runStart(s, req);
      const ref: ServerRef = { user: req.user, serverName: req.serverName, state: result.state };
      toStop.push(ref);
      return { req, events, result, ref };
    }

    afterAll(async () => {
      const s = await spawner();
      for (const ref of toStop) await s.stop(ref, { now: true });
      for (const i of instances) await i.close();
    }, timeout);

    test('start yields monotonic progress and returns a URL that answers HTTP', async () => {
      const s = await spawner();
      const { req, events, result } = await started(s);
      expect(events.length).toBeGreaterThan(0);
      let previous = 0;
      for (const e of events) {
        expect(e.progress).toBeGreaterThanOrEqual(previous);
        expect(e.progress).toBeLessThanOrEqual(100);
        expect(e.message.trim()).not.toBe('');
        previous = e.progress;
      }
      expect(result.url).toMatch(/^https?:\/\/[^/]+$/);
      if (checkHttp) expect(await waitForHttp(result.url + req.prefix)).toBeLessThan(500);
    }, timeout);

    test('poll says running for a started server', async () => {
      const s = await spawner();
      const { ref } = await started(s);
      expect(await s.poll(ref)).toEqual({ status: 'running' });
    }, timeout);

    test('stop makes poll say stopped, and stopping again is fine', async () => {
      const s = await spawner();
      const { req, result, ref } = await started(s);
      await s.stop(ref);
      const polled = await s.poll(ref);
      expect(polled.status).toBe('stopped');
      if (polled.status === 'stopped') expect(polled.reason.trim()).not.toBe('');
      await expect(s.stop(ref)).resolves.toBeUndefined();
      await expect(s.stop(ref, { now: true })).resolves.toBeUndefined();
      if (checkHttp) expect(await refusesHttp(result.url + req.prefix)).toBe(true);
      expect((await s.list()).map((a) => a.user)).not.toContain(req.user);
    }, timeout);

    test('poll and stop of a server the spawner never started: stopped, no error', async () => {
      const s = await spawner();
      const req = request();
      const unknown: ServerRef = { user: req.user, serverName: req.serverName, state: null };
      const polled = await s.poll(unknown);
      expect(polled.status).toBe('stopped');
      await expect(s.stop(unknown)).resolves.toBeUndefined();
      expect(await s.poll({ ...unknown, state: { something: 'unrecognised' } })).toMatchObject({ status: 'stopped' });
    }, timeout);

    test('a new spawner instance on the same state re-adopts running servers with list()', async () => {
      const first = await spawner();
      const { req, result } = await started(first);
      await first.close();
      const second = await spawner();
      const adopted = (await second.list()).find((a) => a.user === req.user && a.serverName === req.serverName);
      expect(adopted).toBeDefined();
      if (!adopted) return;
      expect(adopted.url).toBe(result.url);
      const ref: ServerRef = { user: adopted.user, serverName: adopted.serverName, state: adopted.state };
      expect(await second.poll(ref)).toEqual({ status: 'running' });
      if (checkHttp) expect(await waitForHttp(adopted.url + req.prefix)).toBeLessThan(500);
      await second.stop(ref);
      expect(await second.poll(ref)).toMatchObject({ status: 'stopped' });
      expect((await second.list()).map((a) => a.user)).not.toContain(req.user);
    }, timeout);

    test.each([1, 2])('aborting a start after %i progress event(s) rejects and leaves nothing behind', async (after) => {
      const s = await spawner();
      const req = request();
      const thrown = await abortStart(s, req, after);
      expect(thrown).toBeInstanceOf(SpawnError);
      expect((await s.list()).map((a) => a.user)).not.toContain(req.user);
      expect(await s.poll({ user: req.user, serverName: req.serverName, state: null })).toMatchObject({ status: 'stopped' });
    }, timeout);
  });
}
