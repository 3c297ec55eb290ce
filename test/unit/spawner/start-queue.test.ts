// Start slots: a limited number at once, the rest in line (first come, first served), each
// waiting start knowing its place.
import { StartQueue } from '../../../spawner/start-queue';
import { testClock } from '../../helpers/test-spawners';

describe('StartQueue', () => {
  it('admits up to the limit and lines up the rest with their places', () => {
    const q = new StartQueue(2);
    const t = [q.enter(), q.enter(), q.enter(), q.enter(), q.enter()];
    expect(t.map((x) => x.granted)).toEqual([true, true, false, false, false]);
    expect(t.map((x) => x.ahead())).toEqual([0, 0, 0, 1, 2]);
    expect([q.active, q.waiting]).toEqual([2, 3]);
  });

  it('passes a released slot to the first in line; leaving the line moves the others up', () => {
    const q = new StartQueue(1);
    const [a, b, c, d] = [q.enter(), q.enter(), q.enter(), q.enter()];
    c?.release();
    expect(d?.ahead()).toBe(1);
    a?.release();
    expect(b?.granted).toBe(true);
    expect(d?.ahead()).toBe(0);
    a?.release();
    expect(q.active).toBe(1);
    b?.release();
    expect(d?.granted).toBe(true);
    d?.release();
    expect([q.active, q.waiting]).toEqual([0, 0]);
  });

  it('waitTurn returns when granted or after the tick, and rejects on abort', async () => {
    const q = new StartQueue(1);
    const first = q.enter();
    const second = q.enter();
    const controller = new AbortController();
    await second.waitTurn(5, testClock, controller.signal);
    expect(second.granted).toBe(false);
    const waiting = second.waitTurn(60_000, testClock, controller.signal);
    first.release();
    await waiting;
    expect(second.granted).toBe(true);
    const third = q.enter();
    const aborted = third.waitTurn(60_000, testClock, controller.signal);
    controller.abort(new Error('gone'));
    await expect(aborted).rejects.toThrow('gone');
    third.release();
    second.release();
    expect(q.active).toBe(0);
  });
});
