// The behaviour spawners hub tests rely on: failing, never-starting and slow.
import { SpawnError } from '../../../spawner/errors';
import { NO_RESOURCES, type SpawnRequest, type Spawner } from '../../../spawner/types';
import { failingSpawner, neverStartsSpawner, slowSpawner } from '../../helpers/test-spawners';
import { ManualClock } from './manual-clock';

const req: SpawnRequest = { user: 'u', serverName: '', state: null, image: null, resources: NO_RESOURCES, prefix: '/user/u/', env: {} };
const ref = { user: 'u', serverName: '', state: null };

/** A spawner that starts instantly; stands in for a real one under slowSpawner. */
function instant(): Spawner {
  return {
    kind: 'instant',
    async *start() {
      yield { progress: 0, message: 'instant start' };
      return { url: 'http://127.0.0.1:1', state: { n: 1 } };
    },
    stop: async () => undefined,
    poll: async () => ({ status: 'running' }),
    list: async () => [],
    close: async () => undefined,
  };
}

describe('failingSpawner', () => {
  test('fails its start with the given message and is never running', async () => {
    const s = failingSpawner('no room at the inn');
    const gen = s.start(req, new AbortController().signal);
    expect((await gen.next()).done).toBe(false);
    await expect(gen.next()).rejects.toMatchObject({ name: 'SpawnError', userMessage: 'no room at the inn' });
    expect(await s.poll(ref)).toMatchObject({ status: 'stopped' });
    expect(await s.list()).toEqual([]);
  });
});

describe('neverStartsSpawner', () => {
  test('hangs after one event, counts as running, and rejects once aborted', async () => {
    const s = neverStartsSpawner();
    const controller = new AbortController();
    const gen = s.start(req, controller.signal);
    expect((await gen.next()).done).toBe(false);
    const pending = gen.next();
    expect(await s.poll(ref)).toEqual({ status: 'running' });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(SpawnError);
    expect(await s.poll(ref)).toMatchObject({ status: 'stopped' });
  });

  test('stop() ends a hanging start', async () => {
    const s = neverStartsSpawner();
    const gen = s.start(req, new AbortController().signal);
    await gen.next();
    const pending = gen.next();
    await s.stop(ref);
    await expect(pending).rejects.toMatchObject({ reason: 'aborted' });
  });
});

describe('slowSpawner', () => {
  test('waits before delegating, keeping progress monotonic', async () => {
    const clock = new ManualClock();
    const s = slowSpawner(5000, instant(), clock);
    const events: number[] = [];
    const gen = s.start(req, new AbortController().signal);
    for (;;) {
      const step = await gen.next();
      if (step.done) {
        expect(step.value.url).toBe('http://127.0.0.1:1');
        break;
      }
      events.push(step.value.progress);
    }
    expect(clock.sleeps).toEqual([5000]);
    expect(events).toEqual([1, 1]);
  });

  test('an abort during the wait rejects with a SpawnError', async () => {
    const controller = new AbortController();
    controller.abort();
    const gen = slowSpawner(5000, instant(), new ManualClock()).start(req, controller.signal);
    await gen.next();
    await expect(gen.next()).rejects.toMatchObject({ reason: 'aborted' });
  });
});
