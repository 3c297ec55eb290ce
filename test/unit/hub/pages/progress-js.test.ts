// progress.js is browser JS; its pure state logic is exported under node through `module.exports`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { renderSpawnPending } from '../../../../hub/pages/spawn-pending';
import { staticPath } from '../../../../hub/pages/static-files';

interface ProgressState {
  progress: number;
  log: string[];
  status: string;
  phase: 'waiting' | 'ready' | 'failed' | 'lost';
  url: string | null;
  failure: string | null;
  errors: number;
}
interface ProgressApi {
  MAX_RETRIES: number;
  initialState(): ProgressState;
  parseEvent(data: string): Record<string, unknown> | null;
  safeRedirect(url: unknown, origin: string, fallback: string): string;
  applyMessage(state: ProgressState, event: Record<string, unknown> | null, opts: { serverUrl: string; origin: string }): ProgressState;
  applyError(state: ProgressState, maxRetries: number): ProgressState;
  retryDelayMs(errors: number): number;
}

const file = staticPath('progress.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const api = require(file) as ProgressApi;
const opts = { serverUrl: '/user/alice/', origin: 'https://hub.example.org' };

function feed(events: Array<Record<string, unknown>>): ProgressState {
  return events.reduce((s, e) => api.applyMessage(s, e, opts), api.initialState());
}

describe('progress.js', () => {
  it('is valid JavaScript for node --check and a plain function body', () => {
    expect(() => execFileSync(process.execPath, ['--check', file])).not.toThrow();
    const source = readFileSync(file, 'utf8');
    expect(() => new Function(source)).not.toThrow();
  });

  it('has no side effects outside a browser', () => {
    const source = readFileSync(file, 'utf8');
    // Runs the script with neither module nor document: it must neither throw nor touch globals.
    expect(() => new Function(source)()).not.toThrow();
  });

  it('moves the bar forward only and clamps it to 0..100', () => {
    expect(feed([{ progress: 30 }, { progress: 10 }]).progress).toBe(30);
    expect(feed([{ progress: 150 }]).progress).toBe(100);
    expect(feed([{ progress: -5 }]).progress).toBe(0);
    expect(feed([{ progress: 'x' }, { progress: 20 }]).progress).toBe(20);
  });

  it('logs each message once and shows the latest in the status line', () => {
    const s = feed([
      { progress: 0, message: 'Server requested' },
      { progress: 50, message: 'Pulling image' },
      { progress: 0, message: 'Server requested' },
    ]);
    expect(s.log).toEqual(['Server requested', 'Pulling image']);
    expect(s.status).toBe('Server requested');
    expect(s.phase).toBe('waiting');
  });

  it('becomes ready at 100% with the event URL, or the server URL when none is given', () => {
    const ready = feed([{ progress: 40 }, { progress: 100, ready: true, message: 'up', url: '/user/alice/lab' }]);
    expect(ready).toMatchObject({ phase: 'ready', progress: 100, url: '/user/alice/lab' });
    expect(feed([{ ready: true }]).url).toBe('/user/alice/');
  });

  it('never redirects off-site', () => {
    expect(api.safeRedirect('https://evil.example/', opts.origin, '/fallback')).toBe('/fallback');
    expect(api.safeRedirect('//evil.example/', opts.origin, '/fallback')).toBe('/fallback');
    expect(api.safeRedirect('/\\evil.example/', opts.origin, '/fallback')).toBe('/fallback');
    expect(api.safeRedirect('javascript:alert(1)', opts.origin, '/fallback')).toBe('/fallback');
    expect(api.safeRedirect(42, opts.origin, '/fallback')).toBe('/fallback');
    expect(api.safeRedirect('https://hub.example.org.evil/', opts.origin, '/fallback')).toBe('/fallback');
    expect(api.safeRedirect('https://hub.example.org/user/a/', opts.origin, '/fallback')).toBe('https://hub.example.org/user/a/');
    expect(feed([{ ready: true, url: 'https://evil.example/' }]).url).toBe('/user/alice/');
  });

  it('fails with the event message and ignores later events', () => {
    const failed = feed([{ progress: 60 }, { failed: true, message: 'Spawn failed: image not found' }, { ready: true, progress: 100 }]);
    expect(failed).toMatchObject({ phase: 'failed', failure: 'Spawn failed: image not found', progress: 60 });
    expect(failed.status).toBe('Start-up failed.');
    expect(feed([{ failed: true }]).failure).toBe('The server failed to start.');
  });

  it('ignores events that are not JSON objects', () => {
    expect(api.parseEvent('not json')).toBeNull();
    expect(api.parseEvent('[1]')).toBeNull();
    expect(api.parseEvent('null')).toBeNull();
    expect(api.parseEvent('{"progress": 5}')).toEqual({ progress: 5 });
    const s = api.initialState();
    expect(api.applyMessage(s, api.parseEvent('oops'), opts)).toBe(s);
  });

  it('retries connection errors a few times, resets on a message, then gives up clearly', () => {
    let s = api.initialState();
    for (let i = 0; i < api.MAX_RETRIES; i++) s = api.applyError(s, api.MAX_RETRIES);
    expect(s.phase).toBe('waiting');
    s = api.applyMessage(s, { progress: 10 }, opts);
    expect(s.errors).toBe(0);
    for (let i = 0; i <= api.MAX_RETRIES; i++) s = api.applyError(s, api.MAX_RETRIES);
    expect(s.phase).toBe('lost');
    expect(s.failure).toMatch(/Lost contact with the hub/);
    expect(api.applyError(feed([{ ready: true }]), 0).phase).toBe('ready');
  });

  it('backs off between reconnects, capped', () => {
    expect([1, 2, 3, 4, 10].map((n) => api.retryDelayMs(n))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it('reads every element id the progress page renders', () => {
    const page = renderSpawnPending({
      ctx: { baseUrl: '/', user: { name: 'a', admin: false }, csrfToken: 't' },
      owner: 'a', serverName: '', progressUrl: '/p', serverUrl: '/user/a/', homeUrl: '/hub/home',
    });
    const source = readFileSync(file, 'utf8');
    const ids = [...source.matchAll(/getElementById\('([^']+)'\)/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) expect(page).toContain(`id="${id}"`);
    for (const attr of source.matchAll(/getAttribute\('(data-[^']+)'\)/g)) expect(page).toContain(`${attr[1]}="`);
  });
});
