// The Redis key layout of the redis store, in one place, and the Lua scripts that keep an entry
// and its collection index consistent. Pure: names and script text, no connection.
//
//   <prefix>v:<collection>:<key>  string      one entry's JSON; a real Redis expiry when put with a TTL
//   <prefix>i:<collection>        sorted set  the collection's keys; score = expiry in epoch ms
//                                             (Redis server clock), +inf for no expiry
//   <prefix>events                list        event JSON, newest at the head, trimmed to capacity
//
// Collection names contain no ':' and the letter after the prefix tells entry, index and event
// keys apart, so any entry key (unicode, '/', ':', quotes) maps to exactly one Redis key.
// The index lets list() read a whole collection in two round trips (ZRANGE + pipelined MGETs)
// and is swept of expired members on every write, so sessions cannot grow it without bound.
import type { CollectionName } from './collections';

export interface RedisKeys {
  entry(collection: CollectionName, key: string): string;
  index(collection: CollectionName): string;
  events(): string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    entry: (collection, key) => `${prefix}v:${collection}:${key}`,
    index: (collection) => `${prefix}i:${collection}`,
    events: () => `${prefix}events`,
  };
}

// Server time in epoch ms, so every hub process agrees on index expiry scores.
const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Shared by put and create. KEYS: entry, index. ARGV: json, member, ttl ms ('' = none).
const WRITE = `
  if ARGV[3] == '' then
    redis.call('SET', KEYS[1], ARGV[1])
    redis.call('ZADD', KEYS[2], '+inf', ARGV[2])
  else
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
    redis.call('ZADD', KEYS[2], string.format('%d', now + tonumber(ARGV[3])), ARGV[2])
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%d', now))`;

/** The Lua scripts, each with two keys (entry, index) except listIndex (index only). */
export const SCRIPTS = {
  /** Returns 1. */
  put: { numberOfKeys: 2, lua: `${NOW}${WRITE}\nreturn 1` },
  /** Returns 1 if created, 0 if a live entry exists. */
  create: { numberOfKeys: 2, lua: `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n${NOW}${WRITE}\nreturn 1` },
  /**
   * Compare-and-set for update(): ARGV expected json, new json. Returns 1 when set (TTL kept),
   * 0 when the value changed meanwhile, -1 when the entry is gone.
   */
  compareAndSet: {
    numberOfKeys: 1,
    lua: `local cur = redis.call('GET', KEYS[1])
      if not cur then return -1 end
      if cur ~= ARGV[1] then return 0 end
      redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
      return 1`,
  },
  /** ARGV: member. Returns 1 if a live entry was deleted. */
  delete: { numberOfKeys: 2, lua: `redis.call('ZREM', KEYS[2], ARGV[1])\nreturn redis.call('DEL', KEYS[1])` },
  /** ARGV: member. Returns the entry's json (or nil) and deletes it, atomically. */
  take: { numberOfKeys: 2, lua: `redis.call('ZREM', KEYS[2], ARGV[1])\nreturn redis.call('GETDEL', KEYS[1])` },
  /** Drops expired members, returns the live ones. */
  listIndex: {
    numberOfKeys: 1,
    lua: `${NOW}\nredis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))\nreturn redis.call('ZRANGE', KEYS[1], 0, -1)`,
  },
  /** KEYS: events list. ARGV: json, capacity. */
  appendEvent: {
    numberOfKeys: 1,
    lua: `redis.call('LPUSH', KEYS[1], ARGV[1])\nredis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)\nreturn 1`,
  },
} as const;
