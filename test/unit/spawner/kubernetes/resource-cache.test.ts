// The list+watch cache against a scripted source: first sync, updates, resume from the last
// version (bookmarks included), relist on 410 Gone, backoff on errors, idle renewal, stop.
import pino from 'pino';
import { ResourceCache, type CacheChange, type ListPage, type WatchSource } from '../../../../spawner/kubernetes/resource-cache';
import { testClock } from '../../../helpers/test-spawners';

interface Item { name: string; rv: string; value: string }

const obj = (name: string, rv: number, value = 'v') => ({ metadata: { name, resourceVersion: String(rv) }, value });

class ScriptedSource implements WatchSource {
  items = new Map<string, ReturnType<typeof obj>>();
  rv = 10;
  lists = 0;
  watchedFrom: string[] = [];
  listError: unknown = null;
  watchError: unknown = null;
  private stream: { onEvent: (t: string, o: unknown) => void; onDone: (e: unknown) => void } | null = null;
  private waiters: Array<() => void> = [];

  pageSize = 1000;

  async *list(): AsyncGenerator<ListPage> {
    this.lists++;
    if (this.listError) {
      const err = this.listError;
      this.listError = null;
      throw err;
    }
    const all = [...this.items.values()];
    for (let i = 0; i === 0 || i < all.length; i += this.pageSize) {
      yield { items: all.slice(i, i + this.pageSize), resourceVersion: String(this.rv) };
    }
  }

  async watch(rv: string, onEvent: (t: string, o: unknown) => void, onDone: (e: unknown) => void): Promise<{ abort(): void }> {
    this.watchedFrom.push(rv);
    if (this.watchError) {
      const err = this.watchError;
      this.watchError = null;
      throw err;
    }
    const stream = { onEvent, onDone };
    this.stream = stream;
    for (const w of this.waiters.splice(0)) w();
    return { abort: () => { if (this.stream === stream) { this.stream = null; onDone(Object.assign(new Error('aborted'), { name: 'AbortError' })); } } };
  }

  async connected(): Promise<void> {
    if (this.stream) return;
    await new Promise<void>((r) => this.waiters.push(r));
  }

  send(type: string, o: unknown): void {
    this.stream?.onEvent(type, o);
  }

  /** The server ends the stream (err null: a normal close such as timeoutSeconds). */
  end(err: unknown = null): void {
    const s = this.stream;
    this.stream = null;
    s?.onDone(err);
  }
}

function cache(source: ScriptedSource, idleTimeoutMs = 60_000) {
  const changes: Array<CacheChange<Item>> = [];
  const c = new ResourceCache<Item>({
    kind: 'things', source, clock: testClock, logger: pino({ level: 'silent' }), backoff: { baseMs: 5, maxMs: 20 }, idleTimeoutMs,
    project: (raw) => {
      const r = raw as { metadata?: { name?: string; resourceVersion?: string }; value?: string };
      return r.metadata?.name ? { name: r.metadata.name, rv: r.metadata.resourceVersion ?? '', value: r.value ?? '' } : null;
    },
    keyOf: (i) => i.name,
    versionOf: (i) => i.rv,
  });
  c.subscribe((ch) => changes.push(ch));
  return { c, changes };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('ResourceCache', () => {
  let source: ScriptedSource;
  let c: ResourceCache<Item>;
  let changes: Array<CacheChange<Item>>;

  beforeEach(() => {
    source = new ScriptedSource();
    source.items.set('a', obj('a', 5));
    ({ c, changes } = cache(source));
  });
  afterEach(async () => { await c.stop(); });

  it('lists once, then watches from the list version', async () => {
    await c.synced();
    await source.connected();
    expect(c.get('a')).toEqual({ name: 'a', rv: '5', value: 'v' });
    expect(source.watchedFrom).toEqual(['10']);
    expect(changes).toEqual([{ type: 'upsert', key: 'a', value: c.get('a'), previous: undefined }]);
  });

  it('takes a list in pages and keeps every object of every page', async () => {
    await c.stop();
    source = new ScriptedSource();
    source.pageSize = 2;
    for (let i = 0; i < 5; i++) source.items.set(`p${i}`, obj(`p${i}`, i + 1));
    ({ c, changes } = cache(source));
    await c.synced();
    expect(c.size).toBe(5);
    expect(c.resourceVersion).toBe('10');
  });

  it('applies added, modified and deleted objects and remembers the last version', async () => {
    await c.synced();
    await source.connected();
    source.send('ADDED', obj('b', 11));
    source.send('MODIFIED', obj('a', 12, 'w'));
    source.send('DELETED', obj('b', 13));
    expect([...c.values()].map((i) => `${i.name}=${i.value}`)).toEqual(['a=w']);
    expect(c.resourceVersion).toBe('13');
    expect(changes.map((ch) => `${ch.type} ${ch.key}`)).toEqual(['upsert a', 'upsert b', 'upsert a', 'delete b']);
  });

  it('resumes from the last version (a bookmark counts) after the stream ends, without relisting', async () => {
    await c.synced();
    await source.connected();
    source.send('BOOKMARK', { metadata: { resourceVersion: '20' } });
    source.end();
    await until(() => source.watchedFrom.length === 2);
    expect(source.watchedFrom).toEqual(['10', '20']);
    expect(source.lists).toBe(1);
    expect(c.stats.bookmarks).toBe(1);
  });

  it('relists on a 410 Gone event and drops what vanished meanwhile', async () => {
    await c.synced();
    await source.connected();
    source.items.clear();
    source.items.set('c', obj('c', 30));
    source.rv = 31;
    source.send('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
    await until(() => source.lists === 2 && source.watchedFrom.length === 2);
    expect(source.watchedFrom).toEqual(['10', '31']);
    expect(c.get('a')).toBeUndefined();
    expect(c.get('c')).toBeDefined();
    expect(changes).toContainEqual(expect.objectContaining({ type: 'delete', key: 'a' }));
    expect(c.stats.expired).toBe(1);
  });

  it('relists when the watch request itself answers 410', async () => {
    await c.synced();
    await source.connected();
    source.watchError = Object.assign(new Error('Gone'), { statusCode: 410 });
    source.end();
    await until(() => source.lists === 2);
    expect(c.stats.failures).toBe(0);
  });

  it('backs off and retries after errors, then resumes where it was', async () => {
    source.listError = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await c.synced();
    expect(source.lists).toBe(2);
    await source.connected();
    source.end(Object.assign(new Error('socket hang up'), { type: 'system' }));
    await until(() => source.watchedFrom.length === 2);
    expect(source.watchedFrom).toEqual(['10', '10']);
    expect(c.stats.failures).toBe(2);
  });

  it('renews a watch that brings nothing for too long', async () => {
    await c.stop();
    source = new ScriptedSource();
    ({ c, changes } = cache(source, 30));
    await c.synced();
    await until(() => source.watchedFrom.length >= 2);
    expect(source.lists).toBe(1);
  });

  it('stop ends the watch and the loop', async () => {
    await c.synced();
    await source.connected();
    await c.stop();
    const watches = source.watchedFrom.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(source.watchedFrom.length).toBe(watches);
  });
});
