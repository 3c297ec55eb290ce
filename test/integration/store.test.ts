// Runs the Store contract against the file store (temp dirs) and the redis store (a real
// redis-server), plus the behaviour only one of them has: locks, corrupt files, shared Redis.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { openFileStore } from '../../hub/store/file-store';
import { openRedisStore } from '../../hub/store/redis-store';
import { redisKeys } from '../../hub/store/redis-keys';
import { createStore, StoreConfigSchema } from '../../hub/store/create-store';
import type { Store } from '../../hub/store/store';
import { runStoreContract, sampleValue, type StoreFixture } from '../contracts/store.contract';
import { freePort } from '../helpers/ports';
import { startRedis, type RedisServer } from '../helpers/redis-server';

const logger = pino({ level: 'silent' });
const tempDirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sciencehub-store-'));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function fileFixture(options: { eventCapacity?: number } = {}): Promise<StoreFixture> {
  const file = join(await tempDir(), 'state.json');
  const open = () => openFileStore(file, { logger, ...options });
  const fx: StoreFixture = {
    store: await open(),
    reopen: async () => {
      await fx.store.close();
      fx.store = await open();
      return fx.store;
    },
    openSecond: () => Promise.reject(new Error('the file store allows one process')),
    corruptUser: async (key) => {
      await fx.store.close();
      const doc = JSON.parse(await readFile(file, 'utf8'));
      const entry = doc.collections.users.find((e: { key: string }) => e.key === key);
      entry.value.admin = 'yes';
      await writeFile(file, JSON.stringify(doc));
    },
    cleanup: () => fx.store.close(),
  };
  return fx;
}

runStoreContract('file', { open: fileFixture, shared: false });

let redisServer: RedisServer | undefined;
let admin: Redis | undefined;
let prefixCounter = 0;

async function redis(): Promise<{ server: RedisServer; admin: Redis }> {
  redisServer ??= await startRedis();
  admin ??= new Redis(redisServer.url);
  return { server: redisServer, admin };
}

afterAll(async () => {
  await admin?.quit();
  await redisServer?.stop();
});

async function redisFixture(options: { eventCapacity?: number } = {}): Promise<StoreFixture> {
  const { server, admin } = await redis();
  const prefix = `t${++prefixCounter}-${process.pid}:`;
  const opened: Store[] = [];
  const open = async () => {
    const store = await openRedisStore(server.url, prefix, { logger, ...options });
    opened.push(store);
    return store;
  };
  const fx: StoreFixture = {
    store: await open(),
    reopen: async () => {
      await fx.store.close();
      fx.store = await open();
      return fx.store;
    },
    openSecond: open,
    corruptUser: async (key) => {
      const redisKey = redisKeys(prefix).entry('users', key);
      const value = JSON.parse((await admin.get(redisKey)) ?? 'null');
      await admin.set(redisKey, JSON.stringify({ ...value, admin: 'yes' }));
    },
    cleanup: async () => {
      await Promise.all(opened.map((s) => s.close()));
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
    },
  };
  return fx;
}

runStoreContract('redis', { open: redisFixture, shared: true });

describe('file store only', () => {
  test('a corrupt file stops start-up with an error naming the file, and is left untouched', async () => {
    const file = join(await tempDir(), 'state.json');
    await writeFile(file, '{"format": "sciencehub-state", "version": 1, "collections": {');
    await expect(openFileStore(file, { logger })).rejects.toThrow(`state file ${file} is not valid JSON`);
    expect(await readFile(file, 'utf8')).toBe('{"format": "sciencehub-state", "version": 1, "collections": {');
    await writeFile(file, '');
    await expect(openFileStore(file, { logger })).rejects.toThrow(/not valid JSON/);
  });

  test('an invalid entry is named by collection, key and field path', async () => {
    const file = join(await tempDir(), 'state.json');
    const doc = {
      format: 'sciencehub-state', version: 1, events: [],
      collections: { users: [{ key: 'ann', value: sampleValue('users', 'ann'), expiresAt: null }, { key: 'bo b', value: { name: 'bo b' }, expiresAt: null }] },
    };
    await writeFile(file, JSON.stringify(doc));
    await expect(openFileStore(file, { logger })).rejects.toThrow(/users entry "bo b": collections\.users\[1\]\.value\.admin/);
    await writeFile(file, JSON.stringify({ ...doc, collections: { userz: [] } }));
    await expect(openFileStore(file, { logger })).rejects.toThrow(/userz/);
    // A failed open releases its lock: a fixed file opens.
    await writeFile(file, JSON.stringify({ ...doc, collections: {} }));
    const store = await openFileStore(file, { logger });
    expect(await store.users.list()).toEqual([]);
    await store.close();
  });

  test('a lock held by a live process refuses a second open; one in this process too', async () => {
    const file = join(await tempDir(), 'state.json');
    const sleeper = spawn('sleep', ['30']);
    try {
      await writeFile(`${file}.lock`, `${sleeper.pid}\n`);
      await expect(openFileStore(file, { logger })).rejects.toThrow(`in use by process ${sleeper.pid}`);
    } finally {
      sleeper.kill();
    }
    await rm(`${file}.lock`);
    const store = await openFileStore(file, { logger });
    await expect(openFileStore(file, { logger })).rejects.toThrow(/already open in this process/);
    await store.close();
    await expect(stat(`${file}.lock`)).rejects.toThrow(/ENOENT/);
  });

  test('a stale lock of a dead process is taken over', async () => {
    const file = join(await tempDir(), 'state.json');
    const done = spawn('true');
    await new Promise((resolve) => done.once('exit', resolve));
    await writeFile(`${file}.lock`, `${done.pid}\n`);
    const store = await openFileStore(file, { logger });
    expect((await readFile(`${file}.lock`, 'utf8')).trim()).toBe(String(process.pid));
    await store.secrets.put('k', 'v');
    await store.close();
    // Our own pid in a lock we do not hold is a previous life of this process (pid reuse).
    await writeFile(`${file}.lock`, `${process.pid}\n`);
    const again = await openFileStore(file, { logger });
    expect(await again.secrets.get('k')).toBe('v');
    await again.close();
  });

  test('writes are atomic: a reader never sees a partial file, and no temp file is left', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    const store = await openFileStore(file, { logger });
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 200; i++) await store.secrets.put(`k${i % 20}`, 'x'.repeat(5000 + i));
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text !== null) {
        expect(() => JSON.parse(text)).not.toThrow();
        reads++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writer;
    await store.close();
    expect(reads).toBeGreaterThan(0);
    expect((await readdir(dir)).sort()).toEqual(['state.json']);
    const reopened = await openFileStore(file, { logger });
    expect(await reopened.secrets.get('k19')).toBe('x'.repeat(5000 + 199));
    await reopened.close();
  });

  test('the state file has mode 0600, even if it was wider before', async () => {
    const file = join(await tempDir(), 'state.json');
    const store = await openFileStore(file, { logger });
    await store.secrets.put('cookie', 's3cret');
    await store.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    await chmod(file, 0o644);
    const again = await openFileStore(file, { logger });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await again.close();
  });

  test('expired entries are swept from the file on the next write (injected clock)', async () => {
    const file = join(await tempDir(), 'state.json');
    let now = Date.parse('2024-01-01T00:00:00Z');
    const store = await openFileStore(file, { logger, now: () => now });
    await store.sessions.put('old', { a: 1 }, { ttlSeconds: 60 });
    expect(await readFile(file, 'utf8')).toContain('"old"');
    now += 61_000;
    expect(await store.sessions.get('old')).toBeUndefined();
    await store.sessions.put('new', { a: 2 });
    const text = await readFile(file, 'utf8');
    expect(text).toContain('"new"');
    expect(text).not.toContain('"old"');
    await store.close();
  });
});

describe('redis store only', () => {
  test('two instances see each other\'s writes, deletes and events', async () => {
    const { server } = await redis();
    const a = await openRedisStore(server.url, 'shared-test:', { logger });
    const b = await openRedisStore(server.url, 'shared-test:', { logger });
    try {
      await a.users.put('ann', sampleValue('users', 'ann') as never);
      expect(await b.users.get('ann')).toEqual(sampleValue('users', 'ann'));
      expect(await b.users.create('ann', sampleValue('users', 'x') as never)).toBe(false);
      expect(await b.users.delete('ann')).toBe(true);
      expect(await a.users.list()).toEqual([]);
      await b.events.append({ id: '1', time: '2024-01-01T00:00:00Z', kind: 'login', user: 'ann', server: null, message: '', data: {} });
      expect(await a.events.list()).toHaveLength(1);
      // Another prefix is another store.
      const c = await openRedisStore(server.url, 'other-test:', { logger });
      expect(await c.events.list()).toEqual([]);
      await c.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('an unreachable redis fails open with a clear error and no password in it', async () => {

    const port = await freePort();
    const err = await openRedisStore(`redis://:hunter2@127.0.0.1:${port}`, 'x:', { logger }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/cannot connect to redis at redis:\/\/127\.0\.0\.1/);
    expect((err as Error).message).not.toMatch(/hunter2/);
  });
});

describe('createStore', () => {
  test('defaults to the file store and opens either kind from config', async () => {
    expect(StoreConfigSchema.parse(undefined)).toEqual({ kind: 'file', path: './sciencehub-state.json' });
    const file = join(await tempDir(), 'state.json');
    const fileStore = await createStore(StoreConfigSchema.parse({ kind: 'file', path: file }), { logger });
    expect(fileStore.kind).toBe('file');
    await fileStore.close();
    const { server } = await redis();
    const redisStore = await createStore(StoreConfigSchema.parse({ kind: 'redis', url: server.url }), { logger });
    expect(redisStore.kind).toBe('redis');
    await redisStore.close();
  });

  test('bad config names the field', () => {
    const bad = StoreConfigSchema.safeParse({ kind: 'redis', url: 'http://x' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/redis:\/\/ or rediss:\/\//);
    expect(StoreConfigSchema.safeParse({ kind: 'file', pth: 'x' }).success).toBe(false);
    expect(StoreConfigSchema.safeParse({ kind: 'mongo' }).success).toBe(false);
  });
});
