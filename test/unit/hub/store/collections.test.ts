// Shared store helpers: path formatting, TTL and limit checks, event filters, redis key layout.
import { checkValue, eventLimit, formatPath, matchesEvent, ttlMillis } from '../../../../hub/store/collections';
import { redisKeys } from '../../../../hub/store/redis-keys';

describe('store helpers', () => {
  test('formatPath quotes keys that are not identifiers', () => {
    expect(formatPath(['collections', 'users', 3, 'value', 'groups'])).toBe('collections.users[3].value.groups');
    expect(formatPath(['users', 'a b', 'x'])).toBe('users["a b"].x');
  });

  test('ttlMillis accepts positive numbers and refuses the rest', () => {
    expect(ttlMillis(undefined)).toBeNull();
    expect(ttlMillis({})).toBeNull();
    expect(ttlMillis({ ttlSeconds: 1.5 })).toBe(1500);
    expect(ttlMillis({ ttlSeconds: 0.0001 })).toBe(1);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => ttlMillis({ ttlSeconds: bad })).toThrow(/ttlSeconds/);
  });

  test('eventLimit and matchesEvent', () => {
    expect(eventLimit(undefined)).toBe(Number.POSITIVE_INFINITY);
    expect(eventLimit({ limit: 3 })).toBe(3);
    expect(() => eventLimit({ limit: -1 })).toThrow(/limit/);
    expect(() => eventLimit({ limit: 1.5 })).toThrow(/limit/);
    const e = { id: '1', time: '2024-01-01T00:00:00Z', kind: 'spawn', user: 'ann', server: null, message: '', data: {} };
    expect(matchesEvent(e, { user: 'ann', kind: 'spawn' })).toBe(true);
    expect(matchesEvent(e, { user: 'bob' })).toBe(false);
    expect(matchesEvent(e, { kind: 'stop' })).toBe(false);
  });

  test('checkValue names the collection, key and field', () => {
    expect(() => checkValue('users', 'ann', { name: 'ann' })).toThrow(/users entry "ann": admin/);
    expect(checkValue('secrets', 'k', 'v')).toBe('v');
  });

  test('redis keys of entries, indexes and events never collide', () => {
    const k = redisKeys('p:');
    const all = [k.entry('users', 'a:b'), k.entry('users', 'a'), k.entry('servers', 'a'), k.index('users'), k.index('servers'), k.events(), k.entry('users', 'i:users')];
    expect(new Set(all).size).toBe(all.length);
    expect(k.entry('users', 'ü/x')).toBe('p:v:users:ü/x');
  });
});
