// Key layout and Lua scripts of the Redis route store, in one place. Every route write bumps one
// counter and publishes the change with that sequence number in the same atomic step, so a replica
// can tell a stale message from a fresh one and a full reload knows where it stands.
//
//   <prefix>routes    hash  path -> route data as JSON, without last_activity
//   <prefix>activity  hash  path -> last activity, ms since the epoch (max-merged from all replicas)
//   <prefix>seq       int   sequence number of the latest route change
//   <prefix>changes   channel  {"seq":N,"op":"set","path":P,"data":{...},"la":ms} | {"seq":N,"op":"delete","path":P}
//                              | {"seq":N,"op":"reload"} (the table was re-seeded: load it again)

export interface RedisKeys {
  routes: string;
  activity: string;
  seq: string;
  channel: string;
}

export function redisKeys(prefix: string): RedisKeys {
  return { routes: `${prefix}routes`, activity: `${prefix}activity`, seq: `${prefix}seq`, channel: `${prefix}changes` };
}

/** KEYS routes, activity, seq. ARGV path, data JSON, last-activity ms or '', channel, path as JSON. Returns the seq. */
export const SET_ROUTE = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) else redis.call('HDEL', KEYS[2], ARGV[1]) end
local seq = redis.call('INCR', KEYS[3])
local la = ARGV[3]
if la == '' then la = 'null' end
redis.call('PUBLISH', ARGV[4], '{"seq":' .. seq .. ',"op":"set","path":' .. ARGV[5] .. ',"data":' .. ARGV[2] .. ',"la":' .. la .. '}')
return seq
`;

/**
 * Compare-and-set of one route's data. KEYS routes, activity, seq. ARGV path, expected JSON, new
 * JSON, last-activity ms or '' (unchanged), channel, path as JSON.
 * Returns the seq, 0 when the route does not exist, -1 when it changed meanwhile (retry).
 */
export const UPDATE_ROUTE = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
if current ~= ARGV[2] then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[4]) end
local la = redis.call('HGET', KEYS[2], ARGV[1])
if not la then la = 'null' end
local seq = redis.call('INCR', KEYS[3])
redis.call('PUBLISH', ARGV[5], '{"seq":' .. seq .. ',"op":"set","path":' .. ARGV[6] .. ',"data":' .. ARGV[3] .. ',"la":' .. la .. '}')
return seq
`;

/** KEYS routes, activity, seq. ARGV path, channel, path as JSON. Returns the seq, or 0 if there was no such route. */
export const DELETE_ROUTE = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
local seq = redis.call('INCR', KEYS[3])
redis.call('PUBLISH', ARGV[2], '{"seq":' .. seq .. ',"op":"delete","path":' .. ARGV[3] .. '}')
return seq
`;

/** KEYS routes, activity. ARGV path1, ms1, path2, ms2, ... Raises each known route's activity to ms; never lowers it. */
export const MERGE_ACTIVITY = `
for i = 1, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    local current = tonumber(redis.call('HGET', KEYS[2], ARGV[i]) or '0')
    local ms = tonumber(ARGV[i + 1])
    if ms and (not current or ms > current) then redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
  end
end
return 1
`;

/**
 * Re-seed a Redis that lost its data (restarted without persistence, flushed): a replica writes
 * back the table it still holds, unless the counter shows someone already did (or is newer).
 * KEYS routes, activity, seq. ARGV known seq, channel, then path, data JSON, last-activity ms or ''
 * for each route. Returns 1 when it seeded, 0 when it left Redis alone.
 */
export const SEED_ROUTES = `
local current = tonumber(redis.call('GET', KEYS[3]) or '0')
if current >= tonumber(ARGV[1]) then return 0 end
for i = 3, #ARGV, 3 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  if ARGV[i + 2] ~= '' then redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2]) end
end
redis.call('SET', KEYS[3], ARGV[1])
redis.call('PUBLISH', ARGV[2], '{"seq":' .. ARGV[1] .. ',"op":"reload"}')
return 1
`;
