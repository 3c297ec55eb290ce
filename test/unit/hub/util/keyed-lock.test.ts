// KeyedLock: tasks under one key run one after another (a failure does not block the next),
// tasks under different keys run side by side, and idle keys are forgotten.
import { KeyedLock } from '../../../../hub/util/keyed-lock';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A task that logs its start and end around two event-loop turns, and returns its name. */
const loggedTask = (log: string[], name: string) => async () => {
  log.push(`${name} start`);
  await tick();
  await tick();
  log.push(`${name} end`);
  return name;
};

describe('KeyedLock', () => {
  it('runs tasks under one key one at a time, in order', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = (name: string) => loggedTask(log, name);
    const results = await Promise.all([lock.run('alice', task('a')), lock.run('alice', task('b')), lock.run('alice', task('c'))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('runs tasks under different keys side by side', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = (name: string) => loggedTask(log, name);
    await Promise.all([lock.run('alice', task('a')), lock.run('bob', task('b'))]);
    expect(log.slice(0, 2).sort()).toEqual(['a start', 'b start']);
  });

  it('passes a failure to its caller only; the next task still runs', async () => {
    const lock = new KeyedLock();
    const failing = lock.run('alice', async () => { throw new Error('over quota'); });
    const next = lock.run('alice', async () => 'ran');
    await expect(failing).rejects.toThrow('over quota');
    await expect(next).resolves.toBe('ran');
  });

  it('forgets keys once their tasks are done', async () => {
    const lock = new KeyedLock();
    const running = lock.run('alice', async () => { await tick(); });
    expect(lock.size).toBe(1);
    await running;
    await tick();
    expect(lock.size).toBe(0);
  });
});
