// Bounded pressure on the API server: error classification, backoff delays, the concurrency
// limit (first come, first served) and retries that honour Retry-After.
import pino from 'pino';
import { ApiException } from '@kubernetes/client-node';
import { describeApiError, isRetriable, retryAfterMs } from '../../../../spawner/kubernetes/api-errors';
import { ApiGate } from '../../../../spawner/kubernetes/api-gate';
import { retryDelayMs } from '../../../../spawner/kubernetes/backoff';
import { ManualClock } from '../manual-clock';

const status = (code: number, reason: string, message: string, headers: Record<string, string> = {}) =>
  new ApiException(code, 'Unknown API Status Code!', JSON.stringify({ kind: 'Status', code, reason, message }), headers);

describe('describeApiError / isRetriable', () => {
  it('reads status, reason, message and Retry-After from a client ApiException', () => {
    expect(describeApiError(status(429, 'TooManyRequests', 'slow down', { 'retry-after': '3' }))).toEqual({
      status: 429, reason: 'TooManyRequests', message: 'slow down', retryAfter: '3',
    });
  });

  it.each<[string, unknown, boolean]>([
    ['429', status(429, 'TooManyRequests', ''), true],
    ['500', status(500, 'InternalError', ''), true],
    ['503', status(503, 'ServiceUnavailable', ''), true],
    ['404', status(404, 'NotFound', ''), false],
    ['409', status(409, 'AlreadyExists', ''), false],
    ['422', status(422, 'Invalid', ''), false],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
    ['node-fetch system error', Object.assign(new Error('socket hang up'), { type: 'system' }), true],
    ['a bug', new TypeError('x is undefined'), false],
  ])('%s -> %p', (_label, err, retriable) => {
    expect(isRetriable(err)).toBe(retriable);
  });

  it('reads a watch error (statusCode) and a message-less failure', () => {
    expect(describeApiError(Object.assign(new Error('Gone'), { statusCode: 410 }))).toMatchObject({ status: 410, message: 'HTTP 410' });
    expect(describeApiError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toMatchObject({ status: null, message: 'connect ECONNREFUSED 127.0.0.1:1' });
  });

  it('Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('2', 0)).toBe(2000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:05 GMT', 1000)).toBe(4000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });
});

describe('retryDelayMs', () => {
  const policy = { baseMs: 100, maxMs: 1000 };

  it('doubles, with jitter between half and all of the ceiling, up to the cap', () => {
    expect(retryDelayMs(1, policy, 0)).toBe(50);
    expect(retryDelayMs(1, policy, 1)).toBe(100);
    expect(retryDelayMs(3, policy, 0.5)).toBe(300);
    expect(retryDelayMs(10, policy, 1)).toBe(1000);
  });

  it('takes what the server asked for, within the cap', () => {
    expect(retryDelayMs(1, policy, 0, 700)).toBe(700);
    expect(retryDelayMs(1, policy, 0, 60_000)).toBe(1000);
  });
});

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

function gate(options: Partial<ConstructorParameters<typeof ApiGate>[0]> = {}) {
  const clock = new ManualClock(1_000_000);
  return {
    clock,
    gate: new ApiGate({ maxConcurrent: 2, maxRetries: 3, backoff: { baseMs: 100, maxMs: 10_000 }, clock, logger: pino({ level: 'silent' }), random: () => 1, ...options }),
  };
}

describe('ApiGate', () => {
  it('has at most maxConcurrent calls in flight and serves the rest in arrival order', async () => {
    const { gate: g } = gate();
    const started: number[] = [];
    const releases = [0, 1, 2, 3, 4].map(() => deferred());
    const runs = releases.map((d, i) => g.run(`call ${i}`, async () => { started.push(i); await d.promise; return i; }));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(g.queued).toBe(3);
    releases[1]?.resolve();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    for (const d of releases) d.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(g.stats.peakQueued).toBe(3);
  });

  it('retries 429 after the Retry-After the server sent, and pauses every caller meanwhile', async () => {
    const { gate: g, clock } = gate();
    let calls = 0;
    const result = await g.run('create pod', async () => {
      calls++;
      if (calls <= 2) throw status(429, 'TooManyRequests', 'slow down', { 'retry-after': '2' });
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(g.stats).toMatchObject({ sent: 3, retries: 2, throttled: 2 });
    // Each retry waited the 2 s asked for (the pause check may split a wait in two).
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4000);
  });

  it('backs off exponentially on 5xx and gives up after maxRetries with the last error', async () => {
    const { gate: g, clock } = gate();
    let calls = 0;
    const err = await g.run('list pods', async () => { calls++; throw status(503, 'ServiceUnavailable', 'etcd is down'); }).catch((e: unknown) => e);
    expect(describeApiError(err)).toMatchObject({ status: 503, message: 'etcd is down' });
    expect(calls).toBe(4);
    expect(clock.sleeps).toEqual([100, 200, 400]);
  });

  it('does not retry what cannot succeed', async () => {
    const { gate: g } = gate();
    let calls = 0;
    await expect(g.run('create pod', async () => { calls++; throw status(422, 'Invalid', 'bad'); })).rejects.toBeInstanceOf(ApiException);
    expect(calls).toBe(1);
  });

  it('a caller that gives up while waiting in line leaves the line', async () => {
    const { gate: g } = gate({ maxConcurrent: 1 });
    const hold = deferred();
    const first = g.run('a', () => hold.promise);
    const controller = new AbortController();
    const second = g.run('b', async () => 'b', controller.signal);
    const third = g.run('c', async () => 'c');
    expect(g.queued).toBe(2);
    controller.abort(new Error('user left'));
    await expect(second).rejects.toThrow('user left');
    expect(g.queued).toBe(1);
    hold.resolve();
    await first;
    expect(await third).toBe('c');
  });
});
