// CollectionSessionStore: lifetimes from the cookie, touch, errors to callbacks, and a real
// express-session app whose sessions survive a store restart and are shared through Redis.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import session from 'express-session';
import pino from 'pino';
import { openFileStore } from '../../hub/store/file-store';
import { openRedisStore } from '../../hub/store/redis-store';
import { CollectionSessionStore } from '../../hub/store/session-store';
import type { Store } from '../../hub/store/store';
import { startRedis, type RedisServer } from '../helpers/redis-server';

const logger = pino({ level: 'silent' });
const HOUR = 3600_000;
let dir: string;
let redisServer: RedisServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sciencehub-sessions-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await redisServer?.stop();
});

let fileCounter = 0;
const nextFile = () => join(dir, `state-${++fileCounter}.json`);

/** Promise wrappers around the callback API, so tests see exactly what express-session sees. */
function call<T>(fn: (cb: (err: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}
const get = (s: session.Store, sid: string) => call<session.SessionData | null>((cb) => s.get(sid, cb));
const set = (s: session.Store, sid: string, data: object) => call<void>((cb) => s.set(sid, data as session.SessionData, cb));
const destroy = (s: session.Store, sid: string) => call<void>((cb) => s.destroy(sid, cb));
const touch = (s: CollectionSessionStore, sid: string, data: object) =>
  call<void>((cb) => s.touch(sid, data as session.SessionData, cb as () => void));

describe('CollectionSessionStore with an injected clock', () => {
  let now = Date.parse('2024-03-01T00:00:00Z');
  let store: Store;
  let sessions: CollectionSessionStore;
  beforeEach(async () => {
    store = await openFileStore(nextFile(), { logger, now: () => now });
    sessions = new CollectionSessionStore(store.sessions, { now: () => now });
  });
  afterEach(async () => {
    await store.close();
  });

  test('set then get returns the data; destroy removes it; a missing session is null', async () => {
    await set(sessions, 'sid1', { cookie: { originalMaxAge: HOUR, expires: new Date(now + HOUR) }, user: 'ann' });
    expect(await get(sessions, 'sid1')).toEqual({ cookie: { originalMaxAge: HOUR, expires: new Date(now + HOUR).toISOString() }, user: 'ann' });
    await destroy(sessions, 'sid1');
    expect(await get(sessions, 'sid1')).toBeNull();
    expect(await get(sessions, 'never')).toBeNull();
  });

  test('the lifetime follows cookie.expires, else cookie.maxAge, else 14 days', async () => {
    await set(sessions, 'expires', { cookie: { expires: new Date(now + 2 * HOUR), maxAge: 10 * HOUR } });
    await set(sessions, 'maxAge', { cookie: { maxAge: 3 * HOUR } });
    await set(sessions, 'default', { user: 'x' });
    now += 2 * HOUR + 1000;
    expect(await get(sessions, 'expires')).toBeNull();
    expect(await get(sessions, 'maxAge')).not.toBeNull();
    now += HOUR;
    expect(await get(sessions, 'maxAge')).toBeNull();
    now += 13 * 24 * HOUR;
    expect(await get(sessions, 'default')).not.toBeNull();
    now += 24 * HOUR;
    expect(await get(sessions, 'default')).toBeNull();
  });

  test('an already expired cookie deletes the session instead of storing it', async () => {
    await set(sessions, 'sid', { cookie: { maxAge: HOUR } });
    await set(sessions, 'sid', { cookie: { expires: new Date(now - 1000) } });
    expect(await get(sessions, 'sid')).toBeNull();
  });

  test('touch extends the lifetime and keeps the data; it never creates a session', async () => {
    await set(sessions, 'sid', { cookie: { maxAge: HOUR }, user: 'ann' });
    now += 50 * 60_000;
    await touch(sessions, 'sid', { cookie: { maxAge: HOUR }, user: 'ignored' });
    now += 50 * 60_000;
    expect(await get(sessions, 'sid')).toEqual({ cookie: { maxAge: HOUR }, user: 'ann' });
    await touch(sessions, 'gone', { cookie: { maxAge: HOUR } });
    expect(await get(sessions, 'gone')).toBeNull();
  });

  test('store errors reach the callbacks', async () => {
    await store.close();
    await expect(get(sessions, 'sid')).rejects.toThrow(/closed/);
    await expect(set(sessions, 'sid', { cookie: { maxAge: HOUR } })).rejects.toThrow(/closed/);
    await expect(destroy(sessions, 'sid')).rejects.toThrow(/closed/);
    await expect(touch(sessions, 'sid', { cookie: { maxAge: HOUR } })).rejects.toThrow(/closed/);
  });
});

/** A tiny app: /login stores a user in the session, /me reads it, /logout destroys it. */
async function startApp(sessionStore: session.Store): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(session({ store: sessionStore, secret: 'test-secret', resave: false, saveUninitialized: false, cookie: { maxAge: HOUR } }));
  app.get('/login', (req, res) => {
    (req.session as unknown as { user: string }).user = String(req.query.user);
    res.send('ok');
  });
  app.get('/me', (req, res) => {
    res.send((req.session as unknown as { user?: string }).user ?? 'anonymous');
  });
  app.get('/logout', (req, res, next) => req.session.destroy((err) => (err ? next(err) : res.send('bye'))));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function login(url: string, user: string): Promise<string> {
  const res = await fetch(`${url}/login?user=${user}`);
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie');
  expect(cookie).toMatch(/^connect\.sid=/);
  return cookie!.split(';')[0]!;
}

const whoami = async (url: string, cookie: string) => (await fetch(`${url}/me`, { headers: { cookie } })).text();

describe('CollectionSessionStore under express-session', () => {
  test('a signed-in session survives a file store restart and ends at logout', async () => {
    const file = nextFile();
    let store = await openFileStore(file, { logger });
    let app = await startApp(new CollectionSessionStore(store.sessions));
    const cookie = await login(app.url, 'ann');
    expect(await whoami(app.url, cookie)).toBe('ann');
    await app.close();
    await store.close();

    store = await openFileStore(file, { logger });
    app = await startApp(new CollectionSessionStore(store.sessions));
    try {
      expect(await whoami(app.url, cookie)).toBe('ann');
      expect(await (await fetch(`${app.url}/logout`, { headers: { cookie } })).text()).toBe('bye');
      expect(await whoami(app.url, cookie)).toBe('anonymous');
      expect(await store.sessions.list()).toEqual([]);
    } finally {
      await app.close();
      await store.close();
    }
  });

  test('two hub processes on one Redis share sessions', async () => {
    redisServer = await startRedis();
    const a = await openRedisStore(redisServer.url, 'sessions-test:', { logger });
    const b = await openRedisStore(redisServer.url, 'sessions-test:', { logger });
    const appA = await startApp(new CollectionSessionStore(a.sessions));
    const appB = await startApp(new CollectionSessionStore(b.sessions));
    try {
      const cookie = await login(appA.url, 'bob');
      expect(await whoami(appB.url, cookie)).toBe('bob');
      await fetch(`${appB.url}/logout`, { headers: { cookie } });
      expect(await whoami(appA.url, cookie)).toBe('anonymous');
    } finally {
      await Promise.all([appA.close(), appB.close()]);
      await Promise.all([a.close(), b.close()]);
    }
  });
});
