// How routes are stored in Redis, and how a Redis URL may appear in logs.
import { msOf, redactRedisUrl, storedJson, withActivity } from '../../../proxy/redis-codec';

it('stores route data without last_activity and restores it from the activity hash', () => {
  const json = storedJson({ target: 'http://a', user: 'alice', last_activity: '2026-01-01T00:00:00.000Z' });
  expect(JSON.parse(json)).toEqual({ target: 'http://a', user: 'alice' });
  expect(withActivity(json, String(Date.parse('2026-02-01T00:00:00.000Z')))).toEqual({ target: 'http://a', user: 'alice', last_activity: '2026-02-01T00:00:00.000Z' });
  expect(withActivity(json, null)).toEqual({ target: 'http://a', user: 'alice' });
  expect(withActivity(json, 'garbage')).toEqual({ target: 'http://a', user: 'alice' });
  expect(() => withActivity('{not json', null)).toThrow();
});

it('reads ISO times as milliseconds', () => {
  expect(msOf('2026-01-01T00:00:00.000Z')).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
  expect(msOf('nope')).toBeUndefined();
  expect(msOf(undefined)).toBeUndefined();
});

it('never shows a Redis password', () => {
  expect(redactRedisUrl('redis://:s3cret@redis:6379/0')).toBe('redis://:***@redis:6379/0');
  expect(redactRedisUrl('rediss://user:s3cret@redis/')).toBe('rediss://user:***@redis/');
  expect(redactRedisUrl('redis://redis:6379')).toBe('redis://redis:6379');
  expect(redactRedisUrl('::::')).toBe('redis://(unparseable)');
});
